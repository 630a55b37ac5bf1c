// See packet_line.h. Field by field as Linux 2.2's ip_fw.c (ip_fw_check, dump_packet).
#include "logd/packet_line.h"

#include <arpa/inet.h>

#include <algorithm>
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

// The ports field pair as 2.2 filled it: TCP/UDP ports, ICMP (`icmp_proto`) type and code,
// 65535 for other protocols or when `l4` (`avail` bytes copied) is too short; and the -y test.
struct Ports {
    uint16_t sport = 0xFFFF, dport = 0xFFFF;
    bool syn = false;
};

Ports ports_of(uint8_t proto, uint8_t icmp_proto, const uint8_t* l4, size_t avail)
{
    Ports p;
    size_t need = proto == 6 ? 16 : (proto == 17 || proto == icmp_proto) ? 8 : 0;
    if (need == 0 || avail < need) return p;
    if (proto == 6 || proto == 17) {
        p.sport = be16(l4);
        p.dport = be16(l4 + 2);
        // A connection request: SYN without ACK or RST (the -y test).
        if (proto == 6) p.syn = (l4[13] & 0x02) && !(l4[13] & (0x10 | 0x04));
    } else {
        p.sport = l4[0];
        p.dport = l4[1];
    }
    return p;
}

std::string tail(const Ports& p, unsigned long rule)
{
    return (p.syn ? " SYN (#" : " (#") + std::to_string(rule) + ")";
}

// IPv6 (2.2 never logged it; the format is ours, ipchains-logd(8) "IPv6"): the addresses in
// brackets so the port stays readable, PROTO= the upper-layer protocol after the extension
// headers (what an ip6 rule's protocol tests, meta l4proto), L= payload length + 40, S= the
// traffic class (the TOS byte's successor), T= the hop limit; no I=, F= or O=.
std::optional<std::string> ipv6_line(const std::string& head, unsigned long rule,
                                     const uint8_t* ip, size_t len)
{
    if (len < 40) return std::nullopt;
    uint8_t tclass = static_cast<uint8_t>((ip[0] & 0x0F) << 4 | ip[1] >> 4);
    unsigned payload = be16(ip + 4);
    uint8_t proto = ip[6], hop_limit = ip[7];
    // Walk the extension headers the copy holds. Past a later fragment, or a header cut off
    // by the snaplen, the ports are unknown (65535), as 2.2 had them for IPv4 fragments.
    size_t off = 40;
    bool ports_known = true;
    for (;;) {
        if (proto == 0 || proto == 43 || proto == 60) {  // hop-by-hop, routing, destination
            if (len < off + 2) { ports_known = false; break; }
            uint8_t next = ip[off];
            off += (static_cast<size_t>(ip[off + 1]) + 1) * 8;
            proto = next;
        } else if (proto == 51) {  // AH: length in 4-byte units, minus 2
            if (len < off + 2) { ports_known = false; break; }
            uint8_t next = ip[off];
            off += (static_cast<size_t>(ip[off + 1]) + 2) * 4;
            proto = next;
        } else if (proto == 44) {  // fragment: only the first one has the upper-layer header
            if (len < off + 8) { ports_known = false; break; }
            uint8_t next = ip[off];
            if ((be16(ip + off + 2) & 0xFFF8) != 0) ports_known = false;
            off += 8;
            proto = next;
            if (!ports_known) break;
        } else {
            break;
        }
    }
    Ports p;
    if (ports_known && off <= len && off <= 40 + payload)
        p = ports_of(proto, 58, ip + off, std::min(len, size_t{40} + payload) - off);

    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], buf[160];
    inet_ntop(AF_INET6, ip + 8, src, sizeof src);
    inet_ntop(AF_INET6, ip + 24, dst, sizeof dst);
    std::snprintf(buf, sizeof buf, " PROTO=%u [%s]:%u [%s]:%u L=%u S=0x%2.2X T=%u", proto, src,
                  p.sport, dst, p.dport, payload + 40, tclass, hop_limit);
    return "Packet log: " + head + buf + tail(p, rule);
}

}  // namespace

std::optional<std::string> packet_log_line(const std::string& prefix, const std::string& ifname,
                                           const uint8_t* ip, size_t len)
{
    auto parts = split_prefix(prefix);
    if (!parts || ip == nullptr || len < 1) return std::nullopt;
    if ((ip[0] >> 4) == 6) return ipv6_line(parts->first + ifname, parts->second, ip, len);
    if (len < 20 || (ip[0] >> 4) != 4) return std::nullopt;
    size_t ihl = static_cast<size_t>(ip[0] & 0x0F) * 4;
    if (ihl < 20 || len < ihl) return std::nullopt;

    uint8_t tos = ip[1], ttl = ip[8], proto = ip[9];
    uint16_t tot_len = be16(ip + 2), id = be16(ip + 4), frag = be16(ip + 6);

    // 2.2: later fragments, and first fragments too short for the header fields it tests,
    // have no ports (0xFFFF); ICMP puts type and code where the ports go.
    Ports p;
    if ((frag & 0x1FFF) == 0 && tot_len >= ihl)
        p = ports_of(proto, 1, ip + ihl, std::min(len, size_t{tot_len}) - ihl);

    char buf[160];
    std::string line = "Packet log: " + parts->first + ifname;
    std::snprintf(buf, sizeof buf,
                  " PROTO=%u %u.%u.%u.%u:%u %u.%u.%u.%u:%u L=%u S=0x%2.2X I=%u F=0x%4.4X T=%u",
                  proto, ip[12], ip[13], ip[14], ip[15], p.sport, ip[16], ip[17], ip[18], ip[19],
                  p.dport, tot_len, tos, id, frag, ttl);
    line += buf;
    // Each 32-bit word of IP options as the i386 kernel printed it: read in host (little
    // endian) order.
    for (size_t o = 20; o + 4 <= ihl; o += 4) {
        uint32_t w = static_cast<uint32_t>(ip[o]) | static_cast<uint32_t>(ip[o + 1]) << 8 |
                     static_cast<uint32_t>(ip[o + 2]) << 16 | static_cast<uint32_t>(ip[o + 3]) << 24;
        std::snprintf(buf, sizeof buf, " O=0x%8.8X", w);
        line += buf;
    }
    return line + tail(p, parts->second);
}

}  // namespace ipchains::logd
