// What the parser builds: commands, rules, defaults, `!` placement, expansion and -b.
#include <gtest/gtest.h>

#include "model/command.h"
#include "parse/parser.h"

using namespace ipchains;
using model::Op;
using model::Rule;
using model::TargetKind;
using parse::ParseOptions;

namespace {

ParseOptions numeric_opts()
{
    ParseOptions o;
    o.resolve_names = false;
    o.forward_warning = 0;
    return o;
}

model::Command parse_ok(const std::vector<std::string>& args,
                        const ParseOptions& o = numeric_opts())
{
    auto r = parse::parse_command(args, o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : model::Command{};
}

model::Command parse_ok(const std::string& line, const ParseOptions& o = numeric_opts())
{
    return parse_ok(parse::split_words(line), o);
}

Rule only_rule(const std::string& line, const ParseOptions& o = numeric_opts())
{
    auto c = parse_ok(line, o);
    EXPECT_EQ(c.rules.size(), 1u) << line;
    return c.rules.empty() ? Rule{} : c.rules[0];
}

constexpr uint32_t ip(unsigned a, unsigned b, unsigned c, unsigned d)
{
    return (a << 24) | (b << 16) | (c << 8) | d;
}

TEST(ParseRules, HowtoDivertExamples)
{
    auto c = parse_ok("-A input -p ICMP -j DIVERT 1234");
    EXPECT_EQ(c.op, Op::Append);
    EXPECT_EQ(c.chain, "input");
    ASSERT_EQ(c.rules.size(), 1u);
    const Rule& r = c.rules[0];
    EXPECT_EQ(r.proto, 1);
    EXPECT_EQ(r.target, TargetKind::Divert);
    EXPECT_EQ(r.redirect_port, 1234);
    EXPECT_EQ(r.src, 0u);
    EXPECT_EQ(r.src_mask, 0u);
    EXPECT_EQ(r.dst_mask, 0u);
    EXPECT_TRUE(r.sport.any());
    EXPECT_TRUE(r.dport.any());
    EXPECT_EQ(r.flags, model::kFlagWildIf);
    EXPECT_EQ(r.invflags, 0);
    EXPECT_EQ(r.tos_and, 0xFF);
    EXPECT_EQ(r.tos_xor, 0x00);
    EXPECT_EQ(r.output_size, 0xFFFF);

    Rule o = only_rule("-A output -p TCP -s 172.16.128.10 -j DIVERT 4321");
    EXPECT_EQ(o.proto, 6);
    EXPECT_EQ(o.src, ip(172, 16, 128, 10));
    EXPECT_EQ(o.src_mask, 0xFFFFFFFFu);
    EXPECT_EQ(o.redirect_port, 4321);

    // Any protocol, any chain.
    EXPECT_EQ(only_rule("-A forward -j DIVERT 65535").redirect_port, 65535);
    EXPECT_EQ(only_rule("-A ppp-in -p all -j DIVERT 1").redirect_port, 1);
}

TEST(ParseRules, Commands)
{
    EXPECT_EQ(parse_ok("-I input").rulenum, 1u);
    EXPECT_EQ(parse_ok("-I input 3 -p tcp").rulenum, 3u);
    EXPECT_EQ(parse_ok("-I input").op, Op::Insert);
    auto d = parse_ok("-D input 2");
    EXPECT_EQ(d.op, Op::DeleteNum);
    EXPECT_EQ(d.rulenum, 2u);
    EXPECT_TRUE(d.rules.empty());
    EXPECT_EQ(parse_ok("-D input -p tcp").op, Op::DeleteSpec);
    EXPECT_EQ(parse_ok("-D input ! -f").op, Op::DeleteSpec);
    auto rep = parse_ok("-R input 4 -j ACCEPT");
    EXPECT_EQ(rep.op, Op::Replace);
    EXPECT_EQ(rep.rulenum, 4u);
    EXPECT_EQ(rep.rules.size(), 1u);

    auto l = parse_ok("-L");
    EXPECT_EQ(l.op, Op::List);
    EXPECT_EQ(l.chain, "");
    EXPECT_EQ(parse_ok("-Linput").chain, "input");
    EXPECT_EQ(parse_ok("-L input").chain, "input");
    EXPECT_EQ(parse_ok("--list=input").chain, "input");
    EXPECT_EQ(parse_ok("--list input").chain, "input");
    auto nvl = parse_ok("-nvL");
    EXPECT_EQ(nvl.op, Op::List);
    EXPECT_TRUE(nvl.options.numeric);
    EXPECT_TRUE(nvl.options.verbose);
    // An optional argument glued in a cluster is the chain: "-Ln" lists chain "n" (getopt).
    EXPECT_EQ(parse_ok("-Ln").chain, "n");
    auto lx = parse_ok("-L -v -n -x --line-numbers");
    EXPECT_TRUE(lx.options.exact);
    EXPECT_TRUE(lx.options.line_numbers);
    EXPECT_EQ(parse_ok("-L -Z").op, Op::ListZero);
    EXPECT_EQ(parse_ok("-Z -L").op, Op::ListZero);
    EXPECT_EQ(parse_ok("-M -L").op, Op::MasqList);
    EXPECT_EQ(parse_ok("-L -M -n").op, Op::MasqList);

    auto s = parse_ok("-S 7200 10 300");
    EXPECT_EQ(s.op, Op::MasqSet);
    EXPECT_EQ(s.masq_timeouts[0], 7200);
    EXPECT_EQ(s.masq_timeouts[1], 10);
    EXPECT_EQ(s.masq_timeouts[2], 300);
    EXPECT_EQ(parse_ok("-M -S 1 2 3").op, Op::MasqSet);

    EXPECT_EQ(parse_ok("-F").op, Op::Flush);
    EXPECT_EQ(parse_ok("-F ppp -v").chain, "ppp");
    EXPECT_EQ(parse_ok("-Z forward").op, Op::Zero);
    EXPECT_EQ(parse_ok("-N ppp-in").op, Op::NewChain);
    EXPECT_EQ(parse_ok("-X").op, Op::DeleteChain);
    EXPECT_EQ(parse_ok("-X ppp-in").chain, "ppp-in");

    auto p = parse_ok("-P forward MASQ");
    EXPECT_EQ(p.op, Op::SetPolicy);
    EXPECT_EQ(p.policy, model::Policy::Masq);
    EXPECT_EQ(parse_ok("-P input DENY").policy, model::Policy::Deny);
    EXPECT_EQ(parse_ok("-P output REJECT").policy, model::Policy::Reject);

    EXPECT_EQ(parse_ok("-h").op, Op::Help);
    EXPECT_FALSE(parse_ok("-h").help_icmp);
    EXPECT_TRUE(parse_ok("-h icmp").help_icmp);
    EXPECT_TRUE(parse_ok("-hicmp").help_icmp);
    EXPECT_TRUE(parse_ok("-h ICMP").help_icmp);
    EXPECT_TRUE(parse_ok("--help icmp").help_icmp);
    // -h ends the command line at once, as 1.3.9 exited there.
    EXPECT_EQ(parse_ok("-A input -h bogus -q").op, Op::Help);
    EXPECT_EQ(parse_ok("-V").op, Op::Version);
    EXPECT_EQ(parse_ok("--version").op, Op::Version);
    EXPECT_EQ(parse_ok("! -V").op, Op::NotVersion);

    EXPECT_EQ(parse_ok("--status").op, Op::Status);
    auto on = parse_ok("--divert-passthrough on");
    EXPECT_EQ(on.op, Op::SetPassthrough);
    EXPECT_TRUE(on.passthrough);
    EXPECT_FALSE(parse_ok("--divert-passthrough=off").passthrough);
}

TEST(ParseRules, LongOptionPrefixes)
{
    EXPECT_EQ(parse_ok("--app input --proto tcp --syn").rules[0].flags & model::kFlagSyn,
              model::kFlagSyn);
    EXPECT_EQ(parse_ok("--new ppp").op, Op::NewChain);
    EXPECT_EQ(parse_ok("--app input --fragment").rules[0].flags & model::kFlagFrag,
              model::kFlagFrag);
    EXPECT_EQ(parse_ok("--append input --src 1.2.3.4 --dst 5.6.7.8").rules[0].dst,
              ip(5, 6, 7, 8));
    EXPECT_EQ(parse_ok("--ins input --jump ACCEPT").op, Op::Insert);
    EXPECT_EQ(parse_ok("--list --numeric --verb --exact --line").options.line_numbers, true);
    EXPECT_EQ(parse_ok("--masq --list").op, Op::MasqList);
    EXPECT_EQ(parse_ok("-A input --int eth0").rules[0].iface, "eth0");
    EXPECT_EQ(parse_ok("-A input --TOS 01 10").rules[0].tos_xor, 0x10);
}

TEST(ParseRules, AddressesAndMasks)
{
    Rule r = only_rule("-A input -s 10.1.2.3/8 -d 192.168.1.7/255.255.255.0");
    EXPECT_EQ(r.src, ip(10, 0, 0, 0));
    EXPECT_EQ(r.src_mask, ip(255, 0, 0, 0));
    EXPECT_EQ(r.dst, ip(192, 168, 1, 0));
    EXPECT_EQ(r.dst_mask, ip(255, 255, 255, 0));

    r = only_rule("-A input -s 10.1.2.3/0");
    EXPECT_EQ(r.src, 0u);
    EXPECT_EQ(r.src_mask, 0u);
    // A zero mask ignores the name, resolvable or not.
    r = only_rule("-A input -s any/0 -d whatever/0.0.0.0");
    EXPECT_EQ(r.src_mask, 0u);
    EXPECT_EQ(r.dst_mask, 0u);

    r = only_rule("-A input -s 1.2.3.4/32");
    EXPECT_EQ(r.src_mask, 0xFFFFFFFFu);
    r = only_rule("-A input -s 1.2.3.4/255.0.255.0");  // non-contiguous masks are kept
    EXPECT_EQ(r.src, ip(1, 0, 3, 0));
    EXPECT_EQ(r.src_mask, ip(255, 0, 255, 0));
}

TEST(ParseRules, InversionPlacement)
{
    Rule r = only_rule("-A input -p tcp -s ! 10.0.0.0/8 ! 80 -d 1.2.3.4 ! 1024:");
    EXPECT_EQ(r.invflags, model::kInvSrcIp | model::kInvSrcPort | model::kInvDstPort);
    EXPECT_EQ(r.sport, (model::PortRange{80, 80}));
    EXPECT_EQ(r.dport, (model::PortRange{1024, 65535}));

    EXPECT_EQ(only_rule("-A input ! -s 1.2.3.4 -p tcp").invflags, model::kInvSrcIp);
    EXPECT_EQ(only_rule("-A input -p tcp --sport ! 53").invflags, model::kInvSrcPort);
    EXPECT_EQ(only_rule("-A input -p tcp ! --sport 53").invflags, model::kInvSrcPort);
    EXPECT_EQ(only_rule("-A input -p tcp ! --dport 53").invflags, model::kInvDstPort);
    EXPECT_EQ(only_rule("-A input -p ! tcp").invflags, model::kInvProto);
    EXPECT_EQ(only_rule("-A input ! -p udp").invflags, model::kInvProto);
    EXPECT_EQ(only_rule("-A input -i ! eth0").invflags, model::kInvVia);
    EXPECT_EQ(only_rule("-A input ! -i eth0").invflags, model::kInvVia);
    Rule y = only_rule("-A input -p tcp ! -y");
    EXPECT_EQ(y.invflags, model::kInvSyn);
    EXPECT_TRUE(y.flags & model::kFlagSyn);
    Rule f = only_rule("-A input ! -f");
    EXPECT_EQ(f.invflags, model::kInvFrag);
    EXPECT_TRUE(f.flags & model::kFlagFrag);
    // `! -f` allows ports and -y; only a plain -f refuses them.
    EXPECT_EQ(only_rule("-A input -p tcp ! -f -y --dport 80").dport.lo, 80);
    // `-d addr ! -y`: the `!` that no port word follows applies to the next option.
    Rule d = only_rule("-A input -p tcp -d 1.2.3.4 ! -y");
    EXPECT_EQ(d.invflags, model::kInvSyn);
    // A `!` glued onto -s's own argument slot ("-s!" in a cluster) is the same `!`.
    EXPECT_EQ(only_rule("-A input -s! 1.2.3.4").invflags, model::kInvSrcIp);
}

TEST(ParseRules, Ports)
{
    EXPECT_EQ(only_rule("-A input -p tcp -d 0/0 :1023").dport, (model::PortRange{0, 1023}));
    EXPECT_EQ(only_rule("-A input -p tcp -d 0/0 1024:").dport, (model::PortRange{1024, 65535}));
    EXPECT_EQ(only_rule("-A input -p tcp -d 0/0 :").dport, (model::PortRange{0, 65535}));
    EXPECT_EQ(only_rule("-A input -p udp --sport 53").sport, (model::PortRange{53, 53}));
    EXPECT_EQ(only_rule("-A input -p udp --source-port 10:5").sport, (model::PortRange{10, 5}));
    EXPECT_EQ(only_rule("-A input -p 6 --destination-port 22").dport, (model::PortRange{22, 22}));
}

TEST(ParseRules, IcmpNamesAndNumbers)
{
    Rule r = only_rule("-A input -p icmp --icmp-type echo-request");
    EXPECT_EQ(r.sport, (model::PortRange{8, 8}));
    EXPECT_EQ(r.dport, (model::PortRange{0, 0xFFFF}));
    r = only_rule("-A input -p icmp --icmp-type PORT-UNR");
    EXPECT_EQ(r.sport, (model::PortRange{3, 3}));
    EXPECT_EQ(r.dport, (model::PortRange{3, 3}));
    r = only_rule("-A input -p icmp -s 0/0 ping");
    EXPECT_EQ(r.sport, (model::PortRange{8, 8}));
    r = only_rule("-A input -p icmp -s 0/0 3 -d 0/0 1:2");
    EXPECT_EQ(r.sport, (model::PortRange{3, 3}));
    EXPECT_EQ(r.dport, (model::PortRange{1, 2}));
    r = only_rule("-A input -p icmp --dport 4");
    EXPECT_TRUE(r.sport.any());
    EXPECT_EQ(r.dport, (model::PortRange{4, 4}));

    // -C tests a name with its lowest code.
    auto c = parse_ok("-C input -p icmp -s 1.2.3.4 -d 5.6.7.8 -i eth0 --icmp-type echo-request");
    EXPECT_EQ(c.op, Op::Check);
    ASSERT_EQ(c.rules.size(), 1u);
    EXPECT_EQ(c.rules[0].dport, (model::PortRange{0, 0}));
    EXPECT_EQ(c.rules[0].iface, "eth0");
}

TEST(ParseRules, CheckPackets)
{
    auto c = parse_ok("-C input -p tcp -y -i eth0 -s 192.168.1.1 60000 -d 192.168.1.2 80 -b");
    ASSERT_EQ(c.rules.size(), 2u);
    EXPECT_EQ(c.rules[0].sport.lo, 60000);
    EXPECT_EQ(c.rules[1].src, ip(192, 168, 1, 2));
    EXPECT_EQ(c.rules[1].sport.lo, 80);
    EXPECT_EQ(c.rules[1].dport.lo, 60000);
    // -f needs no ports.
    EXPECT_EQ(parse_ok("-C input -p udp -f -i lo -s 1.1.1.1 -d 2.2.2.2").rules.size(), 1u);
}

TEST(ParseRules, InterfaceAndFlags)
{
    Rule r = only_rule("-A input -i ppp+");
    EXPECT_EQ(r.iface, "ppp");
    EXPECT_EQ(r.flags, model::kFlagWildIf);
    r = only_rule("-A input -i eth0");
    EXPECT_EQ(r.iface, "eth0");
    EXPECT_EQ(r.flags, 0);
    r = only_rule("-A input -i abcdefghijklmnop");  // 16 characters are accepted
    EXPECT_EQ(r.iface, "abcdefghijklmnop");
    r = only_rule("-A input -i +");
    EXPECT_EQ(r.iface, "");
    EXPECT_EQ(r.flags, model::kFlagWildIf);

    r = only_rule("-A input -l -o");
    EXPECT_EQ(r.flags, model::kFlagLog | model::kFlagNetlink | model::kFlagWildIf);
    EXPECT_EQ(r.output_size, 0xFFFF);
    EXPECT_EQ(only_rule("-A input -o 128").output_size, 128);
    EXPECT_EQ(only_rule("-A input -o128").output_size, 128);
    EXPECT_EQ(only_rule("-A input --output=0").output_size, 0);
    // -o takes the next word only when it does not look like an option.
    EXPECT_EQ(only_rule("-A input -o -l").output_size, 0xFFFF);
}

TEST(ParseRules, Marks)
{
    Rule r = only_rule("-A input -m 5");
    EXPECT_EQ(r.mark, 5u);
    EXPECT_TRUE(r.flags & model::kFlagMarkAbs);
    r = only_rule("-A input -m 0xffff");
    EXPECT_EQ(r.mark, 0xFFFFu);
    r = only_rule("-A input -m 010");  // strtoul base 0: octal
    EXPECT_EQ(r.mark, 8u);
    r = only_rule("-A input -m +5");
    EXPECT_EQ(r.mark, 5u);
    EXPECT_FALSE(r.flags & model::kFlagMarkAbs);
    r = only_rule("-A input -m -5");
    EXPECT_EQ(r.mark, 0xFFFFFFFBu);
    EXPECT_FALSE(r.flags & model::kFlagMarkAbs);
    r = only_rule("-A input -m +0x12345678");  // relative marks keep all 32 bits
    EXPECT_EQ(r.mark, 0x12345678u);
    r = only_rule("-A input -m 0");
    EXPECT_EQ(r.mark, 0u);
    EXPECT_TRUE(r.flags & model::kFlagMarkAbs);
}

TEST(ParseRules, TosAndWarnings)
{
    auto c = parse_ok("-A input -t 01 10");
    EXPECT_EQ(c.rules[0].tos_and, 0x01);
    EXPECT_EQ(c.rules[0].tos_xor, 0x10);
    EXPECT_TRUE(c.warnings.empty());

    c = parse_ok("-A input -t 0xFF 0x06");
    EXPECT_EQ(c.rules[0].tos_xor, 0x06);
    std::vector<std::string> expected = {
        "Warning: TOS manipulation may set multiple TOS bits for Minimize Delay TOS (0x10)",
        "Warning: TOS manipulation may set multiple TOS bits for Minimize Throughput TOS (0x08)",
        "Warning: TOS manipulation may set multiple TOS bits for Normal Service TOS (0x00)",
    };
    EXPECT_EQ(c.warnings, expected);
    EXPECT_TRUE(parse_ok("-A input -t 0xFF 0x06 --no-warnings").warnings.empty());
    EXPECT_TRUE(parse_ok("-A input --no-warnings").options.no_warnings);
    // Only bits 0x0E are counted (1.3.9 quirk): setting 0x10 and 0x02 together passes.
    EXPECT_EQ(parse_ok("-A input -t 0x01 0x12").rules[0].tos_xor, 0x12);
}

TEST(ParseRules, ForwardingWarning)
{
    ParseOptions o = numeric_opts();
    o.forward_warning = 1;
    auto c = parse_ok("-A forward -j ACCEPT", o);
    ASSERT_EQ(c.warnings.size(), 1u);
    EXPECT_EQ(c.warnings[0],
              "Warning: you must enable IP forwarding for packets to be forwarded at all:\n"
              " Use `echo 1 > /proc/sys/net/ipv4/ip_forward'");
    EXPECT_EQ(parse_ok("-I forward", o).warnings.size(), 1u);
    EXPECT_TRUE(parse_ok("-A forward --no-warnings", o).warnings.empty());
    EXPECT_TRUE(parse_ok("-A input", o).warnings.empty());
    EXPECT_TRUE(parse_ok("-D forward 1", o).warnings.empty());
}

TEST(ParseRules, Targets)
{
    EXPECT_EQ(only_rule("-A input").target, TargetKind::None);
    EXPECT_EQ(only_rule("-A input -j ACCEPT").target, TargetKind::Accept);
    EXPECT_EQ(only_rule("-A input -j DENY").target, TargetKind::Deny);
    EXPECT_EQ(only_rule("-A input -j REJECT").target, TargetKind::Reject);
    EXPECT_EQ(only_rule("-A forward -j MASQ").target, TargetKind::Masq);
    EXPECT_EQ(only_rule("-A input -j RETURN").target, TargetKind::Return);
    Rule r = only_rule("-A input -p tcp -j REDIRECT 8080");
    EXPECT_EQ(r.target, TargetKind::Redirect);
    EXPECT_EQ(r.redirect_port, 8080);
    EXPECT_EQ(only_rule("-A input -p udp -j REDIRECT").redirect_port, 0);
    r = only_rule("-A input -j ppp-in");
    EXPECT_EQ(r.target, TargetKind::Chain);
    EXPECT_EQ(r.target_chain, "ppp-in");
    r = only_rule("-A input -j return");  // case matters
    EXPECT_EQ(r.target, TargetKind::Chain);
    EXPECT_EQ(r.target_chain, "return");
}

TEST(ParseRules, Bidirectional)
{
    auto c = parse_ok("-A input -b -p tcp -s 1.2.3.4/24 80 -d ! 5.6.7.8 ! 1024:");
    ASSERT_EQ(c.rules.size(), 2u);
    const Rule& a = c.rules[0];
    const Rule& b = c.rules[1];
    EXPECT_EQ(a.src, ip(1, 2, 3, 0));
    EXPECT_EQ(b.src, ip(5, 6, 7, 8));
    EXPECT_EQ(b.src_mask, 0xFFFFFFFFu);
    EXPECT_EQ(b.dst, ip(1, 2, 3, 0));
    EXPECT_EQ(b.dst_mask, ip(255, 255, 255, 0));
    EXPECT_EQ(b.invflags, model::kInvSrcIp | model::kInvSrcPort);
    EXPECT_EQ(b.sport, (model::PortRange{1024, 65535}));
    EXPECT_EQ(b.dport, (model::PortRange{80, 80}));

    // ICMP keeps its type and code in place.
    c = parse_ok("-A input -b -p icmp -s 1.1.1.1 8 -d 2.2.2.2 0");
    ASSERT_EQ(c.rules.size(), 2u);
    EXPECT_EQ(c.rules[1].src, ip(2, 2, 2, 2));
    EXPECT_EQ(c.rules[1].sport, (model::PortRange{8, 8}));
    EXPECT_EQ(c.rules[1].dport, (model::PortRange{0, 0}));
}

TEST(ParseRules, RestoreLinesAreLenientLikeTheKernel)
{
    ParseOptions o = numeric_opts();
    o.restore_line = true;
    Rule r = only_rule("-A input -s 0.0.0.0/0.0.0.0 0:0 -d 0.0.0.0/0.0.0.0 -p 17 -y", o);
    EXPECT_EQ(r.sport, (model::PortRange{0, 0}));
    EXPECT_TRUE(r.flags & model::kFlagSyn);
    r = only_rule("-A input -p ! 0", o);
    EXPECT_EQ(r.invflags, model::kInvProto);
    r = only_rule("-A input -t 0x00 0x07", o);
    EXPECT_EQ(r.tos_and, 0);
    r = only_rule("-A output -p 1 -j REDIRECT 5", o);
    EXPECT_EQ(r.redirect_port, 5);
}

TEST(ParseRules, ResolvesLocalhostAndNetworks)
{
    ParseOptions o;
    o.forward_warning = 0;  // resolve_names stays on: /etc/hosts and /etc/networks only
    Rule r = only_rule("-A input -s localhost -d 127.0.0.1", o);
    EXPECT_EQ(r.src, ip(127, 0, 0, 1));
    EXPECT_EQ(r.src_mask, 0xFFFFFFFFu);
    r = only_rule("-A input -s loopback/8", o);  // getnetbyname
    EXPECT_EQ(r.src, ip(127, 0, 0, 0));
    EXPECT_EQ(r.src_mask, ip(255, 0, 0, 0));
    r = only_rule("-A input -p tcp -d 0/0 http -j REDIRECT http-alt", o);
    EXPECT_EQ(r.dport, (model::PortRange{80, 80}));
    EXPECT_EQ(r.redirect_port, 8080);
}

TEST(SplitWords, Blanks)
{
    EXPECT_EQ(parse::split_words("  -A\tinput  -j ACCEPT \n"),
              (std::vector<std::string>{"-A", "input", "-j", "ACCEPT"}));
    EXPECT_TRUE(parse::split_words("").empty());
    EXPECT_TRUE(parse::split_words("   ").empty());
}

}  // namespace
