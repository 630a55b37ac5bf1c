// See packet_line.h. Field by field as Linux 2.2's ip_fw.c (ip_fw_check, dump_packet).
#include "logd/packet_line.h"

#include <cstdio>

namespace ipchains::logd {

namespace {

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// "<chain> <target>[ <port>] " and N from "<...> #N"; nullopt when not in that form.
std::optional<std::pair<std::string, unsigned long>> split_prefix(const std::string& prefix)
{
    size_t hash = prefix.rfind(" #");
    if (hash == std::string::npos || hash == 0 || hash + 2 >= prefix.size()) return std::nullopt;
    unsigned long n = 0;
    for (size_t i = hash + 2; i < prefix.size(); ++i) {
        char c = prefix[i];
        if (c < '0' || c > '9' || n > 0xFFFFFFFFul / 10) return std::nullopt;
        n = n * 10 + static_cast<unsigned long>(c - '0');
    }
    return std::make_pair(prefix.substr(0, hash + 1), n);
}

}  // namespace

std::optional<std::string> packet_log_line(const std::string& prefix, const std::string& ifname,
                                           const uint8_t* ip, size_t len)
{
    auto parts = split_prefix(prefix);
    if (!parts || ip == nullptr || len < 20 || (ip[0] >> 4) != 4) return std::nullopt;
    size_t ihl = static_cast<size_t>(ip[0] & 0x0F) * 4;
    if (ihl < 20 || len < ihl) return std::nullopt;

    uint8_t tos = ip[1], ttl = ip[8], proto = ip[9];
    uint16_t tot_len = be16(ip + 2), id = be16(ip + 4), frag = be16(ip + 6);

    // 2.2: later fragments, and first fragments too short for the header fields it tests,
    // have no ports (0xFFFF); ICMP puts type and code where the ports go.
    uint16_t sport = 0xFFFF, dport = 0xFFFF;
    bool syn = false;
    size_t need = proto == 6 ? 16 : (proto == 17 || proto == 1) ? 8 : 0;
    bool ports_known = (frag & 0x1FFF) == 0 && tot_len >= ihl + need && len >= ihl + need;
    const uint8_t* l4 = ip + ihl;
    if (ports_known && (proto == 6 || proto == 17)) {
        sport = be16(l4);
        dport = be16(l4 + 2);
        // A connection request: SYN without ACK or RST (the -y test).
        if (proto == 6) syn = (l4[13] & 0x02) && !(l4[13] & (0x10 | 0x04));
    } else if (ports_known && proto == 1) {
        sport = l4[0];
        dport = l4[1];
    }

    char buf[160];
    std::string line = "Packet log: " + parts->first + ifname;
    std::snprintf(buf, sizeof buf,
                  " PROTO=%u %u.%u.%u.%u:%u %u.%u.%u.%u:%u L=%u S=0x%2.2X I=%u F=0x%4.4X T=%u",
                  proto, ip[12], ip[13], ip[14], ip[15], sport, ip[16], ip[17], ip[18], ip[19],
                  dport, tot_len, tos, id, frag, ttl);
    line += buf;
    // Each 32-bit word of IP options as the i386 kernel printed it: read in host (little
    // endian) order.
    for (size_t o = 20; o + 4 <= ihl; o += 4) {
        uint32_t w = static_cast<uint32_t>(ip[o]) | static_cast<uint32_t>(ip[o + 1]) << 8 |
                     static_cast<uint32_t>(ip[o + 2]) << 16 | static_cast<uint32_t>(ip[o + 3]) << 24;
        std::snprintf(buf, sizeof buf, " O=0x%8.8X", w);
        line += buf;
    }
    line += syn ? " SYN (#" : " (#";
    line += std::to_string(parts->second) + ")";
    return line;
}

}  // namespace ipchains::logd
