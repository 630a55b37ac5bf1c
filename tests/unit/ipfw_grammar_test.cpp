// The ipfw command line (docs/ipfw.md "Grammar"): what each accepted line becomes, and every
// refusal as its exact one-line message naming the word, with EX_USAGE.
#include <gtest/gtest.h>

#include "ipfw/grammar.h"
#include "model/prefix6.h"
#include "parse/parser.h"

using namespace ipchains;

namespace {

ipfw::GrammarOptions numeric()
{
    ipfw::GrammarOptions o;
    o.resolve_names = false;
    return o;
}

ipfw::Command ok(const std::string& line, const ipfw::GrammarOptions& o = numeric())
{
    auto r = ipfw::parse(parse::split_words(line), o);
    EXPECT_TRUE(r.ok()) << line << ": " << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : ipfw::Command{};
}

std::string error_of(const std::string& line, const ipfw::GrammarOptions& o = numeric())
{
    auto r = ipfw::parse(parse::split_words(line), o);
    if (r.ok()) return "<parsed>";
    EXPECT_EQ(r.error().exit_status, ipfw::kExitUsage) << line;
    return r.error().message;
}

}  // namespace

TEST(IpfwGrammar, DivertRuleForInput)
{
    auto c = ok("add 100 divert 5000 udp from any to any in");
    EXPECT_EQ(c.verb, ipfw::Verb::Add);
    ASSERT_EQ(c.numbers.size(), 1u);
    EXPECT_EQ(c.numbers[0], 100);
    EXPECT_EQ(c.direction, ipfw::Direction::In);
    EXPECT_EQ(c.rule.target, model::TargetKind::Divert);
    EXPECT_EQ(c.rule.redirect_port, 5000);
    EXPECT_EQ(c.rule.proto, 17);
    EXPECT_EQ(c.rule.src_mask, 0u);
    EXPECT_EQ(c.rule.dst_mask, 0u);
    EXPECT_EQ(c.rule.number, 0);  // the number is set when the rule is placed
    EXPECT_TRUE(c.rule.flags & model::kFlagWildIf);
}

TEST(IpfwGrammar, TeeAddressesPortsAndInterface)
{
    auto c = ok("-q add tee 7000 tcp from 10.1.2.3/8 1024-2047 to not 192.168.1.1 80 setup via eth0");
    EXPECT_TRUE(c.quiet);
    EXPECT_TRUE(c.numbers.empty());
    EXPECT_EQ(c.direction, ipfw::Direction::Both);
    EXPECT_EQ(c.rule.target, model::TargetKind::Tee);
    EXPECT_EQ(c.rule.redirect_port, 7000);
    EXPECT_EQ(c.rule.src, 0x0A000000u);
    EXPECT_EQ(c.rule.src_mask, 0xFF000000u);
    EXPECT_EQ(c.rule.sport.lo, 1024);
    EXPECT_EQ(c.rule.sport.hi, 2047);
    EXPECT_EQ(c.rule.dst, 0xC0A80101u);
    EXPECT_EQ(c.rule.dst_mask, 0xFFFFFFFFu);
    EXPECT_EQ(c.rule.invflags, model::kInvDstIp);
    EXPECT_EQ(c.rule.dport.lo, 80);
    EXPECT_EQ(c.rule.dport.hi, 80);
    EXPECT_TRUE(c.rule.flags & model::kFlagSyn);
    EXPECT_EQ(c.rule.iface, "eth0");
    EXPECT_FALSE(c.rule.flags & model::kFlagWildIf);
}

TEST(IpfwGrammar, ActionsAndProtocols)
{
    EXPECT_EQ(ok("add allow ip from any to any").rule.target, model::TargetKind::Accept);
    EXPECT_EQ(ok("add pass all from any to any").rule.target, model::TargetKind::Accept);
    EXPECT_EQ(ok("add deny icmp from any to any").rule.target, model::TargetKind::Deny);
    EXPECT_EQ(ok("add reject tcp from any to any").rule.target, model::TargetKind::Reject);
    EXPECT_EQ(ok("add count 47 from any to any").rule.target, model::TargetKind::None);
    EXPECT_EQ(ok("add count 47 from any to any").rule.proto, 47);
    EXPECT_TRUE(ok("add allow log ip from any to any").rule.flags & model::kFlagLog);
    EXPECT_EQ(ok("add deny ip from 10.0.0.0:255.0.255.0 to any").rule.src_mask, 0xFF00FF00u);
    EXPECT_EQ(ok("add divert 8668 ip4 from any to any").rule.proto, 0);
    auto modern = ok("add divert 5000 udp from any to any src-port 1-2 dst-port 53");
    EXPECT_EQ(modern.rule.sport.hi, 2);
    EXPECT_EQ(modern.rule.dport.lo, 53);
}

TEST(IpfwGrammar, InterfacesChooseTheDirection)
{
    EXPECT_EQ(ok("add allow ip from any to any recv eth0").direction, ipfw::Direction::In);
    EXPECT_EQ(ok("add allow ip from any to any xmit eth0").direction, ipfw::Direction::Out);
    EXPECT_EQ(ok("add allow ip from any to any in recv eth0").direction, ipfw::Direction::In);
    auto wild = ok("add allow ip from any to any via ppp*");
    EXPECT_EQ(wild.rule.iface, "ppp");
    EXPECT_TRUE(wild.rule.flags & model::kFlagWildIf);
    EXPECT_EQ(wild.direction, ipfw::Direction::Both);
}

TEST(IpfwGrammar, PortNames)
{
    ipfw::GrammarOptions names;  // /etc/services: domain is 53 on every Debian system
    EXPECT_EQ(ok("add divert natd ip from any to any", names).rule.redirect_port, 8668);
    EXPECT_EQ(ok("add divert domain ip from any to any", names).rule.redirect_port, 53);
    EXPECT_EQ(ok("add allow udp from any to any domain", names).rule.dport.lo, 53);
}

TEST(IpfwGrammar, OtherVerbs)
{
    auto d = ok("delete 100 200");
    EXPECT_EQ(d.verb, ipfw::Verb::Delete);
    EXPECT_EQ(d.numbers, (std::vector<uint16_t>{100, 200}));
    EXPECT_EQ(ok("show").verb, ipfw::Verb::Show);
    EXPECT_EQ(ok("list 100").numbers, (std::vector<uint16_t>{100}));
    EXPECT_EQ(ok("-f flush").verb, ipfw::Verb::Flush);
    EXPECT_EQ(ok("-q zero").verb, ipfw::Verb::Zero);
    EXPECT_EQ(ok("zero 100 200").numbers, (std::vector<uint16_t>{100, 200}));
    EXPECT_TRUE(ok("-n add deny ip from any to any").syntax_only);
}

TEST(IpfwGrammar, Ip6RuleHasPrefixesAndNoProtocol)
{
    auto c = ok("add 100 divert 8000 ip6 from 2001:db8::1:2/112 to not fd00::1 out via eth0");
    EXPECT_EQ(c.direction, ipfw::Direction::Out);
    EXPECT_TRUE(c.rule.ip6);
    EXPECT_EQ(c.rule.proto, 0);
    EXPECT_EQ(c.rule.target, model::TargetKind::Divert);
    EXPECT_EQ(c.rule.src_mask, 0u);
    EXPECT_EQ(c.rule.dst_mask, 0u);
    EXPECT_EQ(c.rule.src6.len, 112);
    EXPECT_EQ(model::prefix6_text(c.rule.src6), "2001:db8::1:0/112");  // host bits cleared
    EXPECT_EQ(c.rule.dst6.len, 128);
    EXPECT_EQ(model::prefix6_text(c.rule.dst6), "fd00::1/128");
    EXPECT_EQ(c.rule.invflags, model::kInvDstIp);
    EXPECT_EQ(c.rule.iface, "eth0");

    auto any = ok("add tee 9000 ipv6 from any to any");
    EXPECT_TRUE(any.rule.ip6);
    EXPECT_EQ(any.rule.target, model::TargetKind::Tee);
    EXPECT_EQ(any.rule.src6, model::Prefix6{});
    EXPECT_EQ(any.rule.dst6, model::Prefix6{});
    EXPECT_EQ(any.direction, ipfw::Direction::Both);
    for (const char* line : {"add allow ip6 from any to any", "add deny ip6 from any to any in",
                             "add count ip6 from ::/0 to ::1"})
        EXPECT_TRUE(ok(line).rule.ip6) << line;
    EXPECT_FALSE(ok("add allow ip from any to any").rule.ip6);
}

// docs/ipfw.md "IPv6": a protocol's rule is IPv6 when SRC or DST is an IPv6 address, or the
// protocol is icmp6; FreeBSD's `ip6 ... proto P` form says the same.
TEST(IpfwGrammar, Ip6ProtocolsAndPorts)
{
    auto udp = ok("add 100 divert 8000 udp from any to 2001:db8::5 7000 in");
    EXPECT_TRUE(udp.rule.ip6);
    EXPECT_EQ(udp.rule.proto, 17);
    EXPECT_EQ(udp.rule.dport.lo, 7000);
    EXPECT_EQ(udp.rule.dport.hi, 7000);
    EXPECT_TRUE(udp.rule.sport.any());
    EXPECT_EQ(model::prefix6_text(udp.rule.dst6), "2001:db8::5/128");

    auto tcp = ok("add allow tcp from not fd00::/8 1024-2000 to any setup");
    EXPECT_TRUE(tcp.rule.ip6);
    EXPECT_EQ(tcp.rule.proto, 6);
    EXPECT_EQ(tcp.rule.sport.lo, 1024);
    EXPECT_EQ(tcp.rule.sport.hi, 2000);
    EXPECT_EQ(tcp.rule.invflags, model::kInvSrcIp);
    EXPECT_TRUE(tcp.rule.flags & model::kFlagSyn);

    for (const char* line : {"add deny icmp6 from any to any", "add deny ipv6-icmp from any to any",
                             "add deny ip6 from any to any proto icmp6",
                             "add deny 58 from ::1 to any"}) {
        auto c = ok(line);
        EXPECT_TRUE(c.rule.ip6) << line;
        EXPECT_EQ(c.rule.proto, 58) << line;
    }
    auto opt = ok("add divert 8000 ip6 from any to any proto udp dst-port 53");
    EXPECT_TRUE(opt.rule.ip6);
    EXPECT_EQ(opt.rule.proto, 17);
    EXPECT_EQ(opt.rule.dport.lo, 53);

    // reject: the ip6 table answers with ICMPv6 (docs/ipfw.md "IPv6").
    auto rej = ok("add 400 reject ip6 from any to fd00::1 in");
    EXPECT_TRUE(rej.rule.ip6);
    EXPECT_EQ(rej.rule.target, model::TargetKind::Reject);

    // log: the kernel line and ipchains-logd's IPv6 line (docs/ipfw.md "IPv6").
    auto logged = ok("add 500 allow log ip6 from any to 2001:db8::1");
    EXPECT_TRUE(logged.rule.ip6);
    EXPECT_TRUE(logged.rule.flags & model::kFlagLog);

    // IPv4 stays IPv4: `any' on both sides, and a:b:c:d's mask form is not IPv6.
    EXPECT_FALSE(ok("add deny udp from any to any 53").rule.ip6);
    EXPECT_FALSE(ok("add deny udp from 10.0.0.0:255.0.0.0 to any").rule.ip6);
}

TEST(IpfwGrammar, Refusals)
{
    struct Case {
        const char* line;
        const char* message;
    };
    const Case cases[] = {
        {"", "missing command (add, delete, show, list, flush or zero)"},
        {"-x show", "unknown flag `-x'"},
        {"bogus", "bad command `bogus'"},
        {"add 70000 deny ip from any to any", "bad rule number `70000' (1-65535)"},
        {"add", "missing action"},
        {"add 100 frobnicate ip from any to any", "invalid action `frobnicate'"},
        {"add divert", "`divert' needs a port"},
        {"add divert 0 ip from any to any",
         "`divert 0': not a port (1-65535) or service name"},
        {"add tee nosuchservice ip from any to any",
         "`tee nosuchservice': not a port (1-65535) or service name"},
        {"add deny", "missing protocol"},
        {"add deny gre2 from any to any", "invalid protocol `gre2'"},
        {"add deny 256 from any to any", "invalid protocol `256'"},
        {"add deny ip6 from 10.0.0.1 to any", "bad IPv6 address `10.0.0.1'"},
        {"add deny ip6 from 2001:db8::/129 to any", "bad IPv6 address `2001:db8::/129'"},
        {"add deny ip6 from me6 to any", "`me6' is not supported: give the address (docs/ipfw.md)"},
        {"add deny ip6 from any to any 80", "`80': ports need tcp or udp"},
        {"add deny ip6 from any to any dst-port 80", "`80': ports need tcp or udp"},
        {"add deny ip6 from any to any setup", "`setup' needs tcp"},
        {"add deny ip6 from any to any frag", "`frag' is not supported with ip6 (docs/ipfw.md)"},
        {"add deny icmp from any to 2001:db8::1", "`icmp' with IPv6 addresses: use icmp6"},
        {"add deny ip6 from any to any proto icmp", "`icmp' with ip6: use icmp6"},
        {"add deny udp from any to any proto tcp", "`proto': the protocol was given already"},
        {"add deny ip6 from any to any proto", "`proto' needs a protocol"},
        {"add deny ip6 from any to any proto frob", "invalid protocol `frob'"},
        {"add deny udp from 10.0.0.1 to 2001:db8::1", "bad IPv6 address `10.0.0.1'"},
        {"add deny ip any to any", "missing `from' before `any'"},
        {"add deny ip from any", "missing `to'"},
        {"add deny ip from any any", "missing `to' before `any'"},
        {"add deny ip from me to any", "`me' is not supported: give the address (docs/ipfw.md)"},
        {"add deny ip from 10.0.0.300 to any", "bad address `10.0.0.300'"},
        {"add deny ip from 10.0.0.0/33 to any", "bad mask length in `10.0.0.0/33' (0-32)"},
        {"add deny ip from any to any 80", "`80': ports need tcp or udp"},
        {"add deny tcp from any to any 80,443",
         "port list `80,443' is not supported: add one rule per port"},
        {"add deny tcp from any to any 90-80", "bad port `90-80'"},
        {"add deny ip from any to any sideways", "unknown option `sideways'"},
        {"add deny ip from any to any in out", "`out' contradicts the direction given before it"},
        {"add deny ip from any to any out recv eth0", "`recv eth0' cannot go with `out'"},
        {"add deny ip from any to any recv eth0 xmit eth1",
         "`xmit': an ipchains rule matches one interface, `recv' was given already"},
        {"add deny ip from any to any via", "`via' needs an interface name"},
        {"add deny ip from any to any via abcdefghijklmnopq",
         "bad interface name `abcdefghijklmnopq'"},
        {"add deny udp from any to any setup", "`setup' needs tcp"},
        {"add deny udp from any to any 53 dst-port 54", "`dst-port': the ports were given already"},
        {"add deny udp from any to any src-port", "`src-port' needs a port"},
        {"add deny ip from any to any dst-port 53", "`53': ports need tcp or udp"},
        {"delete", "delete needs a rule number"},
        {"delete x", "bad rule number `x' (1-65535)"},
        {"flush now", "unexpected `now'"},
        {"zero x", "bad rule number `x' (1-65535)"},
    };
    for (const auto& c : cases) EXPECT_EQ(error_of(c.line), c.message) << c.line;
}
