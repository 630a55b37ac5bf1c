// IPv4 fixes made on write, L4 checksum completion, the change-detecting hash, and which
// setsockopt calls belong to the 2.2 IP_FW_* API.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>

#include "core/fwapi_hook.h"
#include "core/ipv4.h"

namespace ip4 = divert::ipv4;

namespace {

// The header of an ICMP echo request 10.199.1.1 -> 10.199.1.2, checksum field zeroed.
std::vector<uint8_t> sample_header()
{
    return {0x45, 0x00, 0x00, 0x54, 0x12, 0x34, 0x40, 0x00, 0x40, 0x01, 0x00, 0x00,
            0x0a, 0xc7, 0x01, 0x01, 0x0a, 0xc7, 0x01, 0x02};
}

uint16_t header_sum(const uint8_t* p) { return ip4::fold(ip4::sum16(p, (p[0] & 15) * 4u)); }

std::vector<uint8_t> udp_packet(const char* text)
{
    const size_t n = std::strlen(text);
    std::vector<uint8_t> p(28 + n);
    auto* ip = reinterpret_cast<iphdr*>(p.data());
    ip->version = 4;
    ip->ihl = 5;
    ip->ttl = 64;
    ip->protocol = IPPROTO_UDP;
    ip->tot_len = htons(static_cast<uint16_t>(p.size()));
    ip->saddr = inet_addr("10.199.1.1");
    ip->daddr = inet_addr("10.199.1.2");
    auto* udp = reinterpret_cast<udphdr*>(p.data() + 20);
    udp->source = htons(4000);
    udp->dest = htons(5000);
    udp->len = htons(static_cast<uint16_t>(8 + n));
    std::memcpy(p.data() + 28, text, n);
    return p;
}

// Verifying a correct checksum over pseudo header + UDP gives 0.
uint16_t udp_verify(const std::vector<uint8_t>& p)
{
    const auto* ip = reinterpret_cast<const iphdr*>(p.data());
    uint32_t acc = ip4::sum16(&ip->saddr, 8);
    uint16_t pl[2] = {htons(IPPROTO_UDP), htons(static_cast<uint16_t>(p.size() - 20))};
    acc = ip4::sum16(pl, 4, acc);
    acc = ip4::sum16(p.data() + 20, p.size() - 20, acc);
    return ip4::fold(acc);
}

}  // namespace

TEST(DivertIpv4, HeaderChecksumOfAKnownHeader)
{
    auto h = sample_header();
    ip4::fix_header(h.data(), 84, 7);
    EXPECT_EQ(h[10], 0x10);
    EXPECT_EQ(h[11], 0xe5);  // summed by hand
    EXPECT_EQ(header_sum(h.data()), 0);
}

TEST(DivertIpv4, FixSetsTotalLengthAndFillsOnlyAZeroId)
{
    auto h = sample_header();
    ip4::fix_header(h.data(), 100, 7);
    EXPECT_EQ(ntohs(reinterpret_cast<iphdr*>(h.data())->tot_len), 100);
    EXPECT_EQ(ntohs(reinterpret_cast<iphdr*>(h.data())->id), 0x1234);
    h[4] = h[5] = 0;
    ip4::fix_header(h.data(), 100, 7);
    EXPECT_EQ(ntohs(reinterpret_cast<iphdr*>(h.data())->id), 7);
    EXPECT_EQ(header_sum(h.data()), 0);
}

TEST(DivertIpv4, CheckHeader)
{
    auto h = sample_header();
    EXPECT_EQ(ip4::check_header(h.data(), 20), 0);
    EXPECT_EQ(ip4::check_header(h.data(), 19), EINVAL);
    h[0] = 0x65;  // version 6
    EXPECT_EQ(ip4::check_header(h.data(), 20), EINVAL);
    h[0] = 0x46;  // IHL 6 = 24 bytes, only 20 written
    EXPECT_EQ(ip4::check_header(h.data(), 20), EINVAL);
    h[0] = 0x44;  // IHL below 5
    EXPECT_EQ(ip4::check_header(h.data(), 20), EINVAL);
}

TEST(DivertIpv4, FinishesAPartialUdpChecksum)
{
    for (const char* text : {"probe\n", "odd", ""}) {
        auto p = udp_packet(text);
        ip4::finish_l4_checksum(p.data(), p.size());
        EXPECT_EQ(udp_verify(p), 0) << text;
        EXPECT_NE(reinterpret_cast<udphdr*>(p.data() + 20)->check, 0) << text;
    }
}

TEST(DivertIpv4, LeavesFragmentsAlone)
{
    auto p = udp_packet("frag");
    reinterpret_cast<iphdr*>(p.data())->frag_off = htons(IP_MF);
    const auto before = p;
    ip4::finish_l4_checksum(p.data(), p.size());
    EXPECT_EQ(p, before);
}

TEST(DivertIpv4, HashSeesAnyChange)
{
    auto p = udp_packet("some payload of a packet");
    const uint64_t h = ip4::content_hash(p.data(), p.size());
    EXPECT_EQ(ip4::content_hash(p.data(), p.size()), h);
    for (size_t i = 0; i < p.size(); ++i) {
        p[i] ^= 1;
        EXPECT_NE(ip4::content_hash(p.data(), p.size()), h) << "byte " << i;
        p[i] ^= 1;
    }
    EXPECT_NE(ip4::content_hash(p.data(), p.size() - 1), h);
}

TEST(DivertFwapiRouting, OnlyThe22SizesAndNumbers)
{
    for (socklen_t len : {9, 12, 16, 18, 72, 80, 84}) {
        EXPECT_TRUE(divert::is_ipfw_call(IPPROTO_IP, 64, len)) << len;
        EXPECT_TRUE(divert::is_ipfw_call(IPPROTO_IP, 76, len)) << len;
    }
    EXPECT_FALSE(divert::is_ipfw_call(IPPROTO_IP, 63, 84));
    EXPECT_FALSE(divert::is_ipfw_call(IPPROTO_IP, 77, 84));
    EXPECT_FALSE(divert::is_ipfw_call(SOL_SOCKET, 64, 84));
    EXPECT_FALSE(divert::is_ipfw_call(IPPROTO_IP, 64, 4096));  // libiptc's IPT_SO_SET_REPLACE
    EXPECT_FALSE(divert::is_ipfw_call(IPPROTO_IP, 64, 0));
}
