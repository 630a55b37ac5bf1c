// ipchains-logd's formatter: exact 2.2 "Packet log:" lines (ip_fw.c dump_packet) for packets
// built byte by byte.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "compile/compile.h"
#include "logd/packet_line.h"
#include "logd/syslog_sink.h"

namespace {

using Bytes = std::vector<uint8_t>;

struct Ip {
    uint8_t proto = 17, tos = 0, ttl = 254;
    uint16_t id = 18, frag = 0;
    uint32_t src = 0xC0A80201, dst = 0xC0A80101;  // 192.168.2.1 -> 192.168.1.1
    Bytes options;
};

// An IPv4 packet with `l4` after the header; tot_len counts `extra` bytes not copied.
Bytes packet(const Ip& h, const Bytes& l4, uint16_t extra = 0)
{
    size_t ihl = 20 + h.options.size();
    uint16_t tot = static_cast<uint16_t>(ihl + l4.size() + extra);
    Bytes p = {static_cast<uint8_t>(0x40 | ihl / 4), h.tos, uint8_t(tot >> 8), uint8_t(tot),
               uint8_t(h.id >> 8), uint8_t(h.id), uint8_t(h.frag >> 8), uint8_t(h.frag),
               h.ttl, h.proto, 0, 0,
               uint8_t(h.src >> 24), uint8_t(h.src >> 16), uint8_t(h.src >> 8), uint8_t(h.src),
               uint8_t(h.dst >> 24), uint8_t(h.dst >> 16), uint8_t(h.dst >> 8), uint8_t(h.dst)};
    p.insert(p.end(), h.options.begin(), h.options.end());
    p.insert(p.end(), l4.begin(), l4.end());
    return p;
}

Bytes udp(uint16_t sport, uint16_t dport, size_t payload = 6)
{
    Bytes u = {uint8_t(sport >> 8), uint8_t(sport), uint8_t(dport >> 8), uint8_t(dport),
               0, uint8_t(8 + payload), 0, 0};
    u.resize(8 + payload, 'x');
    return u;
}

Bytes tcp(uint16_t sport, uint16_t dport, uint8_t flags)
{
    Bytes t(20, 0);
    t[0] = uint8_t(sport >> 8), t[1] = uint8_t(sport), t[2] = uint8_t(dport >> 8);
    t[3] = uint8_t(dport), t[12] = 0x50, t[13] = flags;
    return t;
}

std::string line(const std::string& prefix, const Bytes& p, const std::string& ifname = "eth0")
{
    auto l = ipchains::logd::packet_log_line(prefix, ifname, p.data(), p.size());
    return l ? *l : "<none>";
}

TEST(PacketLine, UdpIsTheHowtoExample)
{
    EXPECT_EQ(line("input DENY #5", packet(Ip{}, udp(53, 1025))),
              "Packet log: input DENY eth0 PROTO=17 192.168.2.1:53 192.168.1.1:1025 L=34 S=0x00 "
              "I=18 F=0x0000 T=254 (#5)");
}

TEST(PacketLine, TcpSynOnlyForConnectionRequests)
{
    Ip h;
    h.proto = 6, h.tos = 0x10, h.ttl = 64, h.id = 4660, h.frag = 0x4000;
    h.src = 0x0A000001, h.dst = 0x0A000002;
    EXPECT_EQ(line("input REJECT #12", packet(h, tcp(1025, 80, 0x02))),
              "Packet log: input REJECT eth0 PROTO=6 10.0.0.1:1025 10.0.0.2:80 L=40 S=0x10 "
              "I=4660 F=0x4000 T=64 SYN (#12)");
    // SYN+ACK and SYN+RST are not connection requests (the -y test), a bare ACK neither.
    for (uint8_t flags : {uint8_t{0x12}, uint8_t{0x06}, uint8_t{0x10}})
        EXPECT_EQ(line("input ACCEPT #1", packet(h, tcp(80, 1025, flags))),
                  "Packet log: input ACCEPT eth0 PROTO=6 10.0.0.1:80 10.0.0.2:1025 L=40 S=0x10 "
                  "I=4660 F=0x4000 T=64 (#1)")
            << int(flags);
}

TEST(PacketLine, IcmpTypeAndCodeInThePortPlaces)
{
    Ip h;
    h.proto = 1, h.ttl = 64, h.id = 0xBEEF;
    Bytes echo = {8, 0, 0, 0, 0, 1, 0, 1};
    echo.resize(64, 0);
    EXPECT_EQ(line("output ACCEPT #3", packet(h, echo), "ppp0"),
              "Packet log: output ACCEPT ppp0 PROTO=1 192.168.2.1:8 192.168.1.1:0 L=84 S=0x00 "
              "I=48879 F=0x0000 T=64 (#3)");
    Bytes unreach = {3, 3, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(line("forward DENY #2", packet(h, unreach)),
              "Packet log: forward DENY eth0 PROTO=1 192.168.2.1:3 192.168.1.1:3 L=28 S=0x00 "
              "I=48879 F=0x0000 T=64 (#2)");
}

TEST(PacketLine, FragmentsHaveNoPorts)
{
    Ip h;
    h.frag = 0x2000;  // first fragment (MF): ports as usual
    EXPECT_EQ(line("input - #1", packet(h, udp(53, 1025, 1472))),
              "Packet log: input - eth0 PROTO=17 192.168.2.1:53 192.168.1.1:1025 L=1500 S=0x00 "
              "I=18 F=0x2000 T=254 (#1)");
    h.frag = 0x00B9;  // a later fragment: 2.2 had no ports, 65535 in their place
    EXPECT_EQ(line("input - #1", packet(h, Bytes(528, 0))),
              "Packet log: input - eth0 PROTO=17 192.168.2.1:65535 192.168.1.1:65535 L=548 "
              "S=0x00 I=18 F=0x00B9 T=254 (#1)");
    // A first TCP fragment too short for the flags word counted as a fragment too.
    Ip t;
    t.proto = 6, t.frag = 0x2000;
    EXPECT_EQ(line("input DENY #4", packet(t, Bytes{0x04, 0x01, 0, 80, 0, 0, 0, 0})),
              "Packet log: input DENY eth0 PROTO=6 192.168.2.1:65535 192.168.1.1:65535 L=28 "
              "S=0x00 I=18 F=0x2000 T=254 (#4)");
}

TEST(PacketLine, OtherProtocolsAndOptions)
{
    Ip h;
    h.proto = 47;
    EXPECT_EQ(line("input ACCEPT #7", packet(h, Bytes(24, 0))),
              "Packet log: input ACCEPT eth0 PROTO=47 192.168.2.1:65535 192.168.1.1:65535 L=44 "
              "S=0x00 I=18 F=0x0000 T=254 (#7)");
    // Router alert option: the word as the i386 kernel printed it (little endian).
    h.proto = 2, h.ttl = 1, h.options = {0x94, 0x04, 0x00, 0x00};
    EXPECT_EQ(line("input ACCEPT #7", packet(h, Bytes(8, 0))),
              "Packet log: input ACCEPT eth0 PROTO=2 192.168.2.1:65535 192.168.1.1:65535 L=32 "
              "S=0x00 I=18 F=0x0000 T=1 O=0x00000494 (#7)");
}

TEST(PacketLine, EveryTargetAsTwoTwoPrintedIt)
{
    Bytes p = packet(Ip{}, udp(53, 1025));
    const std::string tail = " eth0 PROTO=17 192.168.2.1:53 192.168.1.1:1025 L=34 S=0x00 I=18 "
                             "F=0x0000 T=254 (#2)";
    for (const char* head : {"input ACCEPT", "input DENY", "input REJECT", "forward MASQ",
                             "input REDIRECT 8080", "input REDIRECT 0", "input ppp-in",
                             "ppp-in RETURN", "input -", "input DIVERT 1234"})
        EXPECT_EQ(line(std::string(head) + " #2", p), "Packet log: " + std::string(head) + tail);
}

TEST(PacketLine, PrefixFromTheCompiler)
{
    EXPECT_EQ(ipchains::compile::packet_log_prefix("input DENY ", 5), "input DENY #5");
    Bytes p = packet(Ip{}, udp(53, 1025));
    EXPECT_EQ(line(ipchains::compile::packet_log_prefix("acct - ", 65536), p),
              "Packet log: acct - eth0 PROTO=17 192.168.2.1:53 192.168.1.1:1025 L=34 S=0x00 "
              "I=18 F=0x0000 T=254 (#65536)");
}

TEST(PacketLine, NotOursOrNotIp)
{
    Bytes p = packet(Ip{}, udp(53, 1025));
    EXPECT_EQ(line("", p), "<none>");
    EXPECT_EQ(line("input DENY ", p), "<none>");
    EXPECT_EQ(line("input DENY #", p), "<none>");
    EXPECT_EQ(line("input DENY #5x", p), "<none>");
    EXPECT_EQ(line("#5", p), "<none>");
    EXPECT_EQ(line("input DENY #5", Bytes(p.begin(), p.begin() + 19)), "<none>");
    Bytes v5 = p;
    v5[0] = 0x55;
    EXPECT_EQ(line("input DENY #5", v5), "<none>");
    // Truncated copy: ports unknown as for a fragment (the header is whole).
    EXPECT_EQ(line("input DENY #5", Bytes(p.begin(), p.begin() + 22)),
              "Packet log: input DENY eth0 PROTO=17 192.168.2.1:65535 192.168.1.1:65535 L=34 "
              "S=0x00 I=18 F=0x0000 T=254 (#5)");
}

// An IPv6 packet: 2001:db8::1 -> 2001:db8:0:1::2, `next` then `rest` (extension headers and the
// upper-layer header); the payload length counts `extra` bytes not copied.
struct Ip6 {
    uint8_t next = 17, tclass = 0, hop_limit = 64;
};

Bytes packet6(const Ip6& h, const Bytes& rest, uint16_t extra = 0)
{
    uint16_t plen = static_cast<uint16_t>(rest.size() + extra);
    Bytes p = {uint8_t(0x60 | h.tclass >> 4), uint8_t(h.tclass << 4 | 0x0A), 0xBC, 0xDE,
               uint8_t(plen >> 8), uint8_t(plen), h.next, h.hop_limit,
               0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
               0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2};
    p.insert(p.end(), rest.begin(), rest.end());
    return p;
}

Bytes cat(Bytes a, const Bytes& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

TEST(PacketLine6, UdpWithBracketedAddresses)
{
    EXPECT_EQ(line("input ACCEPT #1", packet6(Ip6{}, udp(53, 1025))),
              "Packet log: input ACCEPT eth0 PROTO=17 [2001:db8::1]:53 [2001:db8:0:1::2]:1025 "
              "L=54 S=0x00 T=64 (#1)");
}

TEST(PacketLine6, TcpSynTrafficClassHopLimit)
{
    Ip6 h;
    h.next = 6, h.tclass = 0xB8, h.hop_limit = 255;
    EXPECT_EQ(line("output DENY #12", packet6(h, tcp(1025, 80, 0x02)), "ppp0"),
              "Packet log: output DENY ppp0 PROTO=6 [2001:db8::1]:1025 [2001:db8:0:1::2]:80 L=60 "
              "S=0xB8 T=255 SYN (#12)");
    EXPECT_EQ(line("output DENY #12", packet6(h, tcp(80, 1025, 0x12))),
              "Packet log: output DENY eth0 PROTO=6 [2001:db8::1]:80 [2001:db8:0:1::2]:1025 L=60 "
              "S=0xB8 T=255 (#12)");
}

TEST(PacketLine6, Icmp6TypeAndCodeInThePortPlaces)
{
    Ip6 h;
    h.next = 58;
    Bytes echo = {128, 0, 0, 0, 0, 1, 0, 1};
    echo.resize(64, 0);
    EXPECT_EQ(line("input DIVERT 5000 #3", packet6(h, echo)),
              "Packet log: input DIVERT 5000 eth0 PROTO=58 [2001:db8::1]:128 "
              "[2001:db8:0:1::2]:0 L=104 S=0x00 T=64 (#3)");
    // IPv4's ICMP number means nothing in IPv6: no type and code.
    h.next = 1;
    EXPECT_EQ(line("input - #3", packet6(h, echo)),
              "Packet log: input - eth0 PROTO=1 [2001:db8::1]:65535 [2001:db8:0:1::2]:65535 "
              "L=104 S=0x00 T=64 (#3)");
}

TEST(PacketLine6, ExtensionHeadersAreWalked)
{
    // Hop-by-hop (8 bytes, router alert) before ICMPv6 (an MLD report): PROTO= the
    // upper-layer protocol, as an ip6 rule's protocol tests it.
    Ip6 h;
    h.next = 0, h.hop_limit = 1;
    Bytes hbh = {58, 0, 5, 2, 0, 0, 1, 0};
    Bytes mld = {143, 0, 0, 0, 0, 0, 0, 1};
    mld.resize(28, 0);
    EXPECT_EQ(line("input ACCEPT #2", packet6(h, cat(hbh, mld))),
              "Packet log: input ACCEPT eth0 PROTO=58 [2001:db8::1]:143 [2001:db8:0:1::2]:0 "
              "L=76 S=0x00 T=1 (#2)");
    // A first fragment has the ports, a later one has not (65535 as for IPv4 fragments).
    h.next = 44;
    Bytes first = {17, 0, 0x00, 0x01, 0, 0, 0, 7};
    EXPECT_EQ(line("input ACCEPT #2", packet6(h, cat(first, udp(53, 1025, 16)), 1200)),
              "Packet log: input ACCEPT eth0 PROTO=17 [2001:db8::1]:53 [2001:db8:0:1::2]:1025 "
              "L=1272 S=0x00 T=1 (#2)");
    Bytes later = {17, 0, 0x04, 0xD8, 0, 0, 0, 7};
    EXPECT_EQ(line("input ACCEPT #2", packet6(h, cat(later, Bytes(24, 0)), 1000)),
              "Packet log: input ACCEPT eth0 PROTO=17 [2001:db8::1]:65535 "
              "[2001:db8:0:1::2]:65535 L=1072 S=0x00 T=1 (#2)");
}

TEST(PacketLine6, ShortCopies)
{
    Bytes p = packet6(Ip6{}, udp(53, 1025));
    EXPECT_EQ(line("input DENY #5", Bytes(p.begin(), p.begin() + 39)), "<none>");
    // The header is whole, the ports are cut off.
    EXPECT_EQ(line("input DENY #5", Bytes(p.begin(), p.begin() + 44)),
              "Packet log: input DENY eth0 PROTO=17 [2001:db8::1]:65535 "
              "[2001:db8:0:1::2]:65535 L=54 S=0x00 T=64 (#5)");
    // An extension header cut off: its number is the protocol, no ports.
    Ip6 h;
    h.next = 60;
    Bytes q = packet6(h, cat({17, 0, 1, 4, 0, 0, 0, 0}, udp(53, 1025)));
    EXPECT_EQ(line("input DENY #5", Bytes(q.begin(), q.begin() + 41)),
              "Packet log: input DENY eth0 PROTO=60 [2001:db8::1]:65535 "
              "[2001:db8:0:1::2]:65535 L=62 S=0x00 T=64 (#5)");
    EXPECT_EQ(line("input DENY #5", q),
              "Packet log: input DENY eth0 PROTO=17 [2001:db8::1]:53 [2001:db8:0:1::2]:1025 "
              "L=62 S=0x00 T=64 (#5)");
    EXPECT_EQ(line("input DENY", q), "<none>");
}

TEST(SyslogSink, KernInfoDatagram)
{
    std::string d = ipchains::logd::syslog_datagram("kernel", "Packet log: x", 0);
    EXPECT_EQ(d.substr(0, 3), "<6>");
    EXPECT_EQ(d.size(), 3 + 15 + std::string(" kernel: Packet log: x").size());
    EXPECT_EQ(d.substr(18), " kernel: Packet log: x");
}

}  // namespace
