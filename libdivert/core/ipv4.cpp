#include "core/ipv4.h"

#include <cerrno>
#include <cstring>

#include <netinet/in.h>
#include <netinet/ip.h>

namespace divert::ipv4 {

uint32_t sum16(const void* data, size_t len, uint32_t acc)
{
    const uint8_t* p = static_cast<const uint8_t*>(data);
    uint64_t s = acc;
    while (len >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        s += (w & 0xffffffffu) + (w >> 32);
        p += 8;
        len -= 8;
    }
    while (len >= 2) {
        uint16_t w;
        std::memcpy(&w, p, 2);
        s += w;
        p += 2;
        len -= 2;
    }
    if (len) {
        uint16_t w = 0;
        std::memcpy(&w, p, 1);
        s += w;
    }
    while (s >> 32) s = (s & 0xffffffffu) + (s >> 32);
    return static_cast<uint32_t>(s);
}

uint16_t fold(uint32_t acc)
{
    while (acc >> 16) acc = (acc & 0xffffu) + (acc >> 16);
    return static_cast<uint16_t>(~acc & 0xffffu);
}

int check_header(const uint8_t* pkt, size_t len)
{
    if (len < kMinHeader) return EINVAL;
    if ((pkt[0] >> 4) != 4) return EINVAL;
    const size_t ihl = (pkt[0] & 0x0f) * 4u;
    if (ihl < kMinHeader || ihl > len) return EINVAL;
    return 0;
}

void fix_header(uint8_t* hdr, size_t len, uint16_t next_id)
{
    auto* ip = reinterpret_cast<struct iphdr*>(hdr);
    ip->tot_len = htons(static_cast<uint16_t>(len));
    if (ip->id == 0) ip->id = htons(next_id);
    ip->check = 0;
    ip->check = fold(sum16(hdr, ip->ihl * 4u));
}

void finish_l4_checksum(uint8_t* pkt, size_t len)
{
    if (check_header(pkt, len) != 0) return;
    const auto* ip = reinterpret_cast<const struct iphdr*>(pkt);
    if ((ntohs(ip->frag_off) & 0x3fff) != 0) return;  // fragments carry no complete L4
    const size_t ihl = ip->ihl * 4u;
    size_t tot = ntohs(ip->tot_len);
    if (tot > len || tot < ihl) return;
    size_t off;
    if (ip->protocol == IPPROTO_TCP && tot - ihl >= 20) off = 16;
    else if (ip->protocol == IPPROTO_UDP && tot - ihl >= 8) off = 6;
    else return;
    uint8_t* l4 = pkt + ihl;
    const size_t l4len = tot - ihl;
    l4[off] = l4[off + 1] = 0;
    uint32_t acc = sum16(&ip->saddr, 8);
    uint16_t proto_len[2] = {htons(ip->protocol), htons(static_cast<uint16_t>(l4len))};
    acc = sum16(proto_len, 4, acc);
    acc = sum16(l4, l4len, acc);
    uint16_t c = fold(acc);
    if (c == 0 && ip->protocol == IPPROTO_UDP) c = 0xffff;
    std::memcpy(l4 + off, &c, 2);
}

uint64_t content_hash(const void* data, size_t len)
{
    // Multiply-xor over 8-byte words: not cryptographic, only "did the program change it".
    // Four independent lanes over 32-byte blocks, so the multiplies overlap instead of each
    // waiting for the last one. Every step is a bijection of its state, so a change confined
    // to one word always changes the result.
    constexpr uint64_t k = 0xff51afd7ed558ccdull;
    const uint8_t* p = static_cast<const uint8_t*>(data);
    uint64_t lane[4] = {0x9e3779b97f4a7c15ull ^ len, 0x6a09e667f3bcc908ull,
                        0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull};
    for (; len >= 32; p += 32, len -= 32) {
        for (int i = 0; i < 4; ++i) {
            uint64_t w;
            std::memcpy(&w, p + 8 * i, 8);
            lane[i] = (lane[i] ^ w) * k;
            lane[i] ^= lane[i] >> 29;
        }
    }
    uint64_t h = lane[0];
    for (int i = 1; i < 4; ++i) {
        h = (h ^ lane[i]) * k;
        h ^= h >> 29;
    }
    for (; len >= 8; p += 8, len -= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    std::memcpy(&w, p, len);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 32);
}

}  // namespace divert::ipv4
