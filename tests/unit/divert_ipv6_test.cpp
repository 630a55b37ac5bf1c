// IPv6 fixes of written packets (core/ipv6.h): payload length, upper-layer checksum.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <netinet/in.h>

#include "core/ipv4.h"
#include "core/ipv6.h"

namespace {

// fd00::1 -> fd00::2, UDP 1000 -> 2000, payload "abc", checksum and payload length zeroed.
std::vector<uint8_t> udp6()
{
    std::vector<uint8_t> p(40 + 8 + 3, 0);
    p[0] = 0x60;
    p[6] = IPPROTO_UDP;
    p[7] = 64;
    p[8] = 0xfd, p[23] = 1;
    p[24] = 0xfd, p[39] = 2;
    p[40] = 1000 >> 8, p[41] = 1000 & 0xff, p[42] = 2000 >> 8, p[43] = 2000 & 0xff;
    p[45] = 11;  // UDP length
    std::memcpy(&p[48], "abc", 3);
    return p;
}

// The ones'-complement sum over pseudo-header and UDP datagram: 0xffff when the checksum is right.
uint16_t verify(const std::vector<uint8_t>& p)
{
    uint32_t acc = divert::ipv4::sum16(&p[8], 32);
    const uint32_t w[2] = {htonl(static_cast<uint32_t>(p.size() - 40)), htonl(p[6])};
    acc = divert::ipv4::sum16(w, 8, acc);
    acc = divert::ipv4::sum16(&p[40], p.size() - 40, acc);
    return static_cast<uint16_t>(~divert::ipv4::fold(acc));
}

}  // namespace

TEST(DivertIpv6, HeaderCheck)
{
    auto p = udp6();
    EXPECT_EQ(divert::ipv6::check_header(p.data(), p.size()), 0);
    EXPECT_EQ(divert::ipv6::check_header(p.data(), 39), EINVAL);
    p[0] = 0x45;
    EXPECT_FALSE(divert::ipv6::is_v6(p.data(), p.size()));
    EXPECT_EQ(divert::ipv6::check_header(p.data(), p.size()), EINVAL);
}

TEST(DivertIpv6, FixSetsPayloadLengthAndUdpChecksum)
{
    auto p = udp6();
    divert::ipv6::fix_packet(p.data(), p.size());
    EXPECT_EQ(p[4], 0);
    EXPECT_EQ(p[5], 11);
    EXPECT_NE(p[46] | p[47], 0);  // never 0 for UDP over IPv6
    EXPECT_EQ(verify(p), 0xffff);
}

TEST(DivertIpv6, ChecksumFoundBehindADestinationOptionsHeader)
{
    auto base = udp6();
    std::vector<uint8_t> p(base.begin(), base.begin() + 40);
    p[6] = IPPROTO_DSTOPTS;
    const uint8_t opts[8] = {IPPROTO_UDP, 0, 1, 4, 0, 0, 0, 0};  // PadN
    p.insert(p.end(), opts, opts + 8);
    p.insert(p.end(), base.begin() + 40, base.end());
    divert::ipv6::fix_packet(p.data(), p.size());
    EXPECT_EQ(p[5], 19);
    std::vector<uint8_t> udp_only(base);
    divert::ipv6::fix_packet(udp_only.data(), udp_only.size());
    EXPECT_EQ(p[48 + 6], udp_only[46]);  // the same checksum: options are not in it
    EXPECT_EQ(p[48 + 7], udp_only[47]);
}
