#include "core/ipv6.h"

#include <cerrno>
#include <cstring>

#include <netinet/in.h>

#include "core/ipv4.h"

namespace divert::ipv6 {

int check_header(const uint8_t* pkt, size_t len)
{
    if (!is_v6(pkt, len) || len < kHeader || len - kHeader > 65535) return EINVAL;
    return 0;
}

void finish_l4_checksum(uint8_t* pkt, size_t len)
{
    if (check_header(pkt, len) != 0) return;
    uint8_t next = pkt[6];
    size_t off = kHeader;
    // Extension headers that may precede the upper layer in an unfragmented packet.
    while (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS) {
        if (off + 8 > len) return;
        const size_t ext = (pkt[off + 1] + 1u) * 8u;
        next = pkt[off];
        off += ext;
    }
    size_t field;
    if (next == IPPROTO_TCP) field = 16;
    else if (next == IPPROTO_UDP) field = 6;
    else if (next == IPPROTO_ICMPV6) field = 2;
    else return;  // a fragment, or nothing we can checksum
    if (off + field + 2 > len) return;
    uint8_t* l4 = pkt + off;
    const size_t l4len = len - off;
    l4[field] = l4[field + 1] = 0;
    // Pseudo-header: source, destination, upper-layer length (32 bits), next header.
    uint32_t acc = ipv4::sum16(pkt + 8, 32);
    const uint32_t words[2] = {htonl(static_cast<uint32_t>(l4len)), htonl(next)};
    acc = ipv4::sum16(words, 8, acc);
    acc = ipv4::sum16(l4, l4len, acc);
    uint16_t c = ipv4::fold(acc);
    if (c == 0 && next == IPPROTO_UDP) c = 0xffff;  // 0 means "none", not allowed in IPv6
    std::memcpy(l4 + field, &c, 2);
}

void fix_packet(uint8_t* pkt, size_t len)
{
    if (check_header(pkt, len) != 0) return;
    const uint16_t plen = htons(static_cast<uint16_t>(len - kHeader));
    std::memcpy(pkt + 4, &plen, 2);
    finish_l4_checksum(pkt, len);
}

}  // namespace divert::ipv6
