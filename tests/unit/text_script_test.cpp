// backend/text: IR as nft syntax (the kernel-free part; text_nftcheck feeds it to `nft -c`).
#include <gtest/gtest.h>

#include <stdexcept>

#include "backend/text/nft_text.h"
#include "compile_fixtures.h"

using namespace ipchains;
using backend::text::nft_identifier;
using backend::text::to_nft_commands;
using backend::text::to_nft_script;

namespace {

// The text of one rule, as the script prints it (without the leading tabs).
std::string rule_line(ir::Rule r)
{
    ir::Table t;
    t.name = "t";
    ir::Chain c;
    c.name = "c";
    r.comment = r.comment.empty() ? "" : r.comment;
    c.rules.push_back(r);
    t.chains.push_back(c);
    std::string s = to_nft_script(t);
    size_t start = s.find("\tchain c {\n");
    EXPECT_NE(start, std::string::npos);
    start += 11;
    size_t end = s.find("\t}\n", start);
    std::string body = s.substr(start, end - start);
    std::string out;
    size_t pos = 0;
    while (pos < body.size()) {  // strip the two leading tabs of each line
        size_t nl = body.find('\n', pos);
        std::string line = body.substr(pos, nl - pos);
        out += (out.empty() ? "" : "\n") + line.substr(line.find_first_not_of('\t'));
        pos = nl + 1;
    }
    return out;
}

ir::Rule with(std::vector<ir::Match> m, std::vector<ir::Statement> s = {})
{
    ir::Rule r;
    r.matches = std::move(m);
    r.statements = std::move(s);
    return r;
}

// `ipfw add 100 divert 8000 ip6 from any to 2001:db8::5 in`: its table, as a script block and
// as the commands that create it.
const char* const kIp6DivertScript =
    "table ip6 ipchains\n"
    "delete table ip6 ipchains\n"
    "table ip6 ipchains {\n"
    "\tcomment \"ipchains-divert\"\n"
    "\tcounter input-policy {\n"
    "\t\tpackets 0 bytes 0\n"
    "\t}\n"
    "\tcounter forward-policy {\n"
    "\t\tpackets 0 bytes 0\n"
    "\t}\n"
    "\tcounter output-policy {\n"
    "\t\tpackets 0 bytes 0\n"
    "\t}\n"
    "\n"
    "\tchain .input-policy {\n"
    "\t\tcomment \"ipchains-layout:policy\"\n"
    "\t\tcounter name \"input-policy\" accept\n"
    "\t}\n"
    "\n"
    "\tchain input.1 {\n"
    "\t\tcomment \"ipchains:0:0:1:in:ACCEPT:input\"\n"
    "\t}\n"
    "\n"
    "\tchain input {\n"
    "\t\tcomment \"ipchains:0:0:0:in:ACCEPT:input\"\n"
    "\t\tip6 daddr 2001:db8::5/128 meta mark & 0x7fff0000 != 0x3f400000 counter packets 0 bytes 0 meta mark set meta mark & 0x8000ffff | 0x18010000 queue num 8000 comment \"-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -j DIVERT 8000 --ipfw-number 100 --ipfw-ip6 ::/0,2001:db8::5/128\"\n"
    "\t\tgoto input.1\n"
    "\t}\n"
    "\n"
    "\tchain forward {\n"
    "\t\tcomment \"ipchains:1:0:0:fwd:ACCEPT:forward\"\n"
    "\t}\n"
    "\n"
    "\tchain output {\n"
    "\t\tcomment \"ipchains:2:0:0:out:ACCEPT:output\"\n"
    "\t}\n"
    "\n"
    "\tchain .cont-2049 {\n"
    "\t\tcomment \"ipchains-layout:cont:2049:238b9b4dae85b4a6\"\n"
    "\t\tmeta mark set meta mark & 0x8000ffff\n"
    "\t\tjump input.1\n"
    "\t\tjump .input-policy\n"
    "\t}\n"
    "\n"
    "\tchain .in-hook {\n"
    "\t\ttype filter hook prerouting priority -150; policy accept;\n"
    "\t\tcomment \"ipchains-layout:hook:policy:resume\"\n"
    "\t\tmeta mark & 0x70000000 == 0x10000000 accept\n"
    "\t\tjump input\n"
    "\t\tjump .input-policy\n"
    "\t}\n"
    "\n"
    "\tchain .fwd-hook {\n"
    "\t\ttype filter hook forward priority 0; policy accept;\n"
    "\t\tcomment \"ipchains-layout:hook:policy:resume\"\n"
    "\t\tmeta mark & 0x70000000 == 0x10000000 accept\n"
    "\t\tcounter name \"forward-policy\" accept\n"
    "\t}\n"
    "\n"
    "\tchain .out-hook {\n"
    "\t\ttype filter hook postrouting priority 0; policy accept;\n"
    "\t\tcomment \"ipchains-layout:hook:policy:resume\"\n"
    "\t\tmeta mark & 0x70000000 == 0x10000000 accept\n"
    "\t\tcounter name \"output-policy\" accept\n"
    "\t}\n"
    "\n"
    "\tchain .in-post-1 {\n"
    "\t\ttype filter hook prerouting priority -149; policy accept;\n"
    "\t\tcomment \"ipchains-layout:post\"\n"
    "\t\tmeta mark & 0x70000000 == 0x40000000 reject with icmpv6 type port-unreachable\n"
    "\t\tmeta mark & 0x70000000 != 0x10000000 accept\n"
    "\t\tmeta mark & 0x7fff0000 == 0x18010000 jump .cont-2049\n"
    "\t}\n"
    "\n"
    "\tchain .in-post-2 {\n"
    "\t\ttype filter hook prerouting priority -148; policy accept;\n"
    "\t\tcomment \"ipchains-layout:post\"\n"
    "\t\tmeta mark & 0x70000000 == 0x40000000 reject with icmpv6 type port-unreachable\n"
    "\t\tmeta mark & 0x70000000 != 0x10000000 accept\n"
    "\t\tmeta mark & 0x7fff0000 == 0x18010000 jump .cont-2049\n"
    "\t}\n"
    "\n"
    "\tchain .in-post-3 {\n"
    "\t\ttype filter hook prerouting priority -147; policy accept;\n"
    "\t\tcomment \"ipchains-layout:post\"\n"
    "\t\tmeta mark & 0x70000000 == 0x40000000 reject with icmpv6 type port-unreachable\n"
    "\t\tmeta mark & 0x70000000 != 0x10000000 accept\n"
    "\t\tmeta mark & 0x7fff0000 == 0x18010000 jump .cont-2049\n"
    "\t\tmeta mark & 0x70000000 == 0x10000000 meta mark set meta mark & 0x8000ffff\n"
    "\t}\n"
    "}\n";

const char* const kIp6DivertCommands =
    "nft 'add table ip6 ipchains { comment \"ipchains-divert\" ; }'\n"
    "nft 'add counter ip6 ipchains input-policy { packets 0 bytes 0 ; }'\n"
    "nft 'add counter ip6 ipchains forward-policy { packets 0 bytes 0 ; }'\n"
    "nft 'add counter ip6 ipchains output-policy { packets 0 bytes 0 ; }'\n"
    "nft 'add chain ip6 ipchains .input-policy { comment \"ipchains-layout:policy\" ; }'\n"
    "nft 'add chain ip6 ipchains input.1 { comment \"ipchains:0:0:1:in:ACCEPT:input\" ; }'\n"
    "nft 'add chain ip6 ipchains input { comment \"ipchains:0:0:0:in:ACCEPT:input\" ; }'\n"
    "nft 'add chain ip6 ipchains forward { comment \"ipchains:1:0:0:fwd:ACCEPT:forward\" ; }'\n"
    "nft 'add chain ip6 ipchains output { comment \"ipchains:2:0:0:out:ACCEPT:output\" ; }'\n"
    "nft 'add chain ip6 ipchains .cont-2049 { comment \"ipchains-layout:cont:2049:238b9b4dae85b4a6\" ; }'\n"
    "nft 'add chain ip6 ipchains .in-hook { type filter hook prerouting priority -150 ; policy accept ; comment \"ipchains-layout:hook:policy:resume\" ; }'\n"
    "nft 'add chain ip6 ipchains .fwd-hook { type filter hook forward priority 0 ; policy accept ; comment \"ipchains-layout:hook:policy:resume\" ; }'\n"
    "nft 'add chain ip6 ipchains .out-hook { type filter hook postrouting priority 0 ; policy accept ; comment \"ipchains-layout:hook:policy:resume\" ; }'\n"
    "nft 'add chain ip6 ipchains .in-post-1 { type filter hook prerouting priority -149 ; policy accept ; comment \"ipchains-layout:post\" ; }'\n"
    "nft 'add chain ip6 ipchains .in-post-2 { type filter hook prerouting priority -148 ; policy accept ; comment \"ipchains-layout:post\" ; }'\n"
    "nft 'add chain ip6 ipchains .in-post-3 { type filter hook prerouting priority -147 ; policy accept ; comment \"ipchains-layout:post\" ; }'\n"
    "nft 'add rule ip6 ipchains .input-policy counter name \"input-policy\" accept'\n"
    "nft 'add rule ip6 ipchains input ip6 daddr 2001:db8::5/128 meta mark & 0x7fff0000 != 0x3f400000 counter packets 0 bytes 0 meta mark set meta mark & 0x8000ffff | 0x18010000 queue num 8000 comment \"-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -j DIVERT 8000 --ipfw-number 100 --ipfw-ip6 ::/0,2001:db8::5/128\"'\n"
    "nft 'add rule ip6 ipchains input goto input.1'\n"
    "nft 'add rule ip6 ipchains .cont-2049 meta mark set meta mark & 0x8000ffff'\n"
    "nft 'add rule ip6 ipchains .cont-2049 jump input.1'\n"
    "nft 'add rule ip6 ipchains .cont-2049 jump .input-policy'\n"
    "nft 'add rule ip6 ipchains .in-hook meta mark & 0x70000000 == 0x10000000 accept'\n"
    "nft 'add rule ip6 ipchains .in-hook jump input'\n"
    "nft 'add rule ip6 ipchains .in-hook jump .input-policy'\n"
    "nft 'add rule ip6 ipchains .fwd-hook meta mark & 0x70000000 == 0x10000000 accept'\n"
    "nft 'add rule ip6 ipchains .fwd-hook counter name \"forward-policy\" accept'\n"
    "nft 'add rule ip6 ipchains .out-hook meta mark & 0x70000000 == 0x10000000 accept'\n"
    "nft 'add rule ip6 ipchains .out-hook counter name \"output-policy\" accept'\n"
    "nft 'add rule ip6 ipchains .in-post-1 meta mark & 0x70000000 == 0x40000000 reject with icmpv6 type port-unreachable'\n"
    "nft 'add rule ip6 ipchains .in-post-1 meta mark & 0x70000000 != 0x10000000 accept'\n"
    "nft 'add rule ip6 ipchains .in-post-1 meta mark & 0x7fff0000 == 0x18010000 jump .cont-2049'\n"
    "nft 'add rule ip6 ipchains .in-post-2 meta mark & 0x70000000 == 0x40000000 reject with icmpv6 type port-unreachable'\n"
    "nft 'add rule ip6 ipchains .in-post-2 meta mark & 0x70000000 != 0x10000000 accept'\n"
    "nft 'add rule ip6 ipchains .in-post-2 meta mark & 0x7fff0000 == 0x18010000 jump .cont-2049'\n"
    "nft 'add rule ip6 ipchains .in-post-3 meta mark & 0x70000000 == 0x40000000 reject with icmpv6 type port-unreachable'\n"
    "nft 'add rule ip6 ipchains .in-post-3 meta mark & 0x70000000 != 0x10000000 accept'\n"
    "nft 'add rule ip6 ipchains .in-post-3 meta mark & 0x7fff0000 == 0x18010000 jump .cont-2049'\n"
    "nft 'add rule ip6 ipchains .in-post-3 meta mark & 0x70000000 == 0x10000000 meta mark set meta mark & 0x8000ffff'\n";

}  // namespace

TEST(TextNames, Identifiers)
{
    EXPECT_EQ(nft_identifier("input"), "input");
    EXPECT_EQ(nft_identifier("forward"), "forward");
    EXPECT_EQ(nft_identifier("ppp-in"), "ppp-in");
    EXPECT_EQ(nft_identifier("ipchains"), "ipchains");
    EXPECT_EQ(nft_identifier("~in-hook"), ".in-hook");
    EXPECT_EQ(nft_identifier("input~1"), "input.1");
    EXPECT_EQ(nft_identifier("ppp-in@1~2"), "ppp-in/1.2");
    EXPECT_EQ(nft_identifier("log"), "log_");
    EXPECT_EQ(nft_identifier("tcp"), "tcp_");
    EXPECT_EQ(nft_identifier("frag-off"), "frag-off_");
    EXPECT_EQ(nft_identifier("a_b"), "a_5fb");
    EXPECT_EQ(nft_identifier("a b"), "a_20b");
    EXPECT_EQ(nft_identifier("1abc"), "_31abc");
    EXPECT_EQ(nft_identifier("-x"), "_2dx");
    EXPECT_EQ(nft_identifier("a.b"), "a_2eb");
    EXPECT_NE(nft_identifier("log_"), nft_identifier("log"));
}

TEST(TextRule, Matches)
{
    EXPECT_EQ(rule_line(with({ir::Proto{6, false}, ir::Addr{true, 0x0A000000, 0xFF000000, true},
                              ir::Addr{false, 0x0A000001, 0xFFFFFFFF, false},
                              ir::Port{false, 80, 80, true}, ir::Port{true, 1024, 65535, false}})),
              "ip protocol tcp ip saddr != 10.0.0.0/8 ip daddr 10.0.0.1 tcp dport != 80 "
              "tcp sport 1024-65535");
    EXPECT_EQ(rule_line(with({ir::Addr{true, 0x0A000100, 0xFF00FF00, false}})),
              "ip saddr & 255.0.255.0 == 10.0.1.0");
    EXPECT_EQ(rule_line(with({ir::Proto{1, true}})), "ip protocol != icmp");
    EXPECT_EQ(rule_line(with({ir::Proto{47, false}})), "ip protocol 47");
    EXPECT_EQ(rule_line(with({ir::Proto{1, false}, ir::Fragment{true},
                              ir::Icmp{ir::Icmp::Type, 3, 5, false},
                              ir::Icmp{ir::Icmp::Code, 0, 0, true}})),
              "ip protocol icmp ip frag-off & 0x1fff == 0 icmp type 3-5 icmp code != 0");
    EXPECT_EQ(rule_line(with({ir::Fragment{false}, ir::Syn{false}, ir::Syn{true}})),
              "ip frag-off & 0x1fff != 0 tcp flags & (syn|ack|rst) == syn "
              "tcp flags & (syn|ack|rst) != syn");
    EXPECT_EQ(rule_line(with({ir::IfName{true, "ppp", true, false},
                              ir::IfName{false, "eth0", false, true}})),
              "iifname \"ppp*\" oifname != \"eth0\"");
    EXPECT_EQ(rule_line(with({ir::Mark{0x7FFF0000, 0x304D2000, true}, ir::Mark{0xFFFFFFFF, 5, false}})),
              "meta mark & 0x7fff0000 != 0x304d2000 meta mark 0x00000005");
    EXPECT_EQ(rule_line(with({ir::Port{false, 1, 2, false}})), "th dport 1-2");
    // The ip6 table's protocol test (docs/ipfw.md "IPv6").
    EXPECT_EQ(rule_line(with({ir::Proto{17, false, true}, ir::Port{false, 53, 53, false}})),
              "meta l4proto udp udp dport 53");
    EXPECT_EQ(rule_line(with({ir::Proto{58, false, true}})), "meta l4proto ipv6-icmp");
    EXPECT_EQ(rule_line(with({ir::CtReply{0x80000000, 0x80000000}}, {ir::Verdict{ir::Verdict::Accept, ""}})),
              "ct direction reply ct mark & 0x80000000 == 0x80000000 accept");
    EXPECT_EQ(rule_line(with({ir::CtReply{0, 0}})), "ct direction reply");
    EXPECT_EQ(rule_line(with({}, {ir::SetCtMark{0x7fffffff, 0x80000000}, ir::Masquerade{}})),
              "ct mark set ct mark & 0x7fffffff | 0x80000000 masquerade");
}

TEST(TextRule, Statements)
{
    ir::Rule r = with({}, {ir::Counter{3, 400}, ir::NamedCounter{"input-policy"},
                           ir::Log{"input DENY ", std::nullopt, 0}, ir::Log{"", uint16_t{0}, 128},
                           ir::SetMark{0xFFFF0000, 0x12}, ir::SetMark{0x8000FFFF, 0},
                           ir::SetMark{0, 7}, ir::SetMark{0xFFFF00FF, 0x101},
                           ir::Queue{1234, true}, ir::Queue{1, false}});
    EXPECT_EQ(rule_line(r),
              "counter packets 3 bytes 400 counter name \"input-policy\" log prefix \"input DENY \" "
              "log group 0 snaplen 128 meta mark set meta mark & 0xffff0000 | 0x00000012 "
              "meta mark set meta mark & 0x8000ffff meta mark set 0x00000007 "
              "meta mark set meta mark & 0xffff00ff ^ 0x00000101 queue num 1234 bypass "
              "queue num 1");
    r = with({}, {ir::Reject{ir::Reject::PortUnreach}, ir::Reject{ir::Reject::HostUnreach},
                  ir::Masquerade{}, ir::Redirect{8080}, ir::Redirect{0},
                  ir::Verdict{ir::Verdict::Jump, "ppp-in@1~2"}, ir::Verdict{ir::Verdict::Goto, "log"},
                  ir::Verdict{ir::Verdict::Accept, ""}, ir::Verdict{ir::Verdict::Drop, ""},
                  ir::Verdict{ir::Verdict::Return, ""}});
    EXPECT_EQ(rule_line(r),
              "reject with icmp type port-unreachable reject with icmp type host-unreachable "
              "masquerade redirect to :8080 redirect jump ppp-in/1.2 goto log_ accept drop return");
}

TEST(TextRule, TosBecomesDscpAndEcnWithNotes)
{
    EXPECT_EQ(rule_line(with({}, {ir::SetTos{0x00, 0x00}})), "ip dscp set 0x00 ip ecn set not-ect");
    EXPECT_EQ(rule_line(with({}, {ir::SetTos{0x03, 0x10}})), "ip dscp set 0x04");
    EXPECT_EQ(rule_line(with({}, {ir::SetTos{0xFC, 0x02}})), "ip ecn set ect0");
    EXPECT_EQ(rule_line(with({}, {ir::SetTos{0x01, 0x10}, ir::Verdict{ir::Verdict::Accept, ""}})),
              "# ipchains -t 0x01 0x10: nft syntax has no and/xor on the TOS byte; the ECN bits "
              "are not rewritten by the rule below\nip dscp set 0x04 accept");
    EXPECT_EQ(rule_line(with({}, {ir::SetTos{0xFF, 0x10}, ir::Verdict{ir::Verdict::Accept, ""}})),
              "# ipchains -t 0xff 0x10: nft syntax has no and/xor on the TOS byte; the DSCP bits "
              "are not rewritten by the rule below\naccept");
}

TEST(TextRule, Comments)
{
    ir::Rule r = with({}, {ir::Verdict{ir::Verdict::Accept, ""}});
    r.comment = "-A input -i \"x\" -j ACCEPT";
    EXPECT_EQ(rule_line(r), "accept comment \"-A input -i 'x' -j ACCEPT\"");
    r.comment = "-A input " + std::string(130, 'x');
    EXPECT_EQ(rule_line(r), "# " + r.comment + "\naccept");
}

TEST(TextScript, WholeTable)
{
    model::Ruleset rs = fx::ruleset();
    rs.find("input")->policy_counters = {5, 600};
    std::string s = to_nft_script(fx::compiled(rs));
    EXPECT_EQ(s.find("#!/usr/sbin/nft -f\n"), 0u);
    EXPECT_NE(s.find("\ntable ip ipchains\ndelete table ip ipchains\ntable ip ipchains {\n"
                     "\tcomment \"ipchains-divert\"\n"
                     "\tcounter input-policy {\n\t\tpackets 5 bytes 600\n\t}\n"),
              std::string::npos);
    EXPECT_NE(s.find("\tchain .in-hook {\n"
                     "\t\ttype filter hook prerouting priority -150; policy accept;\n"
                     "\t\tcomment \"ipchains-layout:hook:policy\"\n"
                     "\t\tcounter name \"input-policy\" accept\n\t}\n"),
              std::string::npos);
    EXPECT_NE(s.find("\tchain input {\n\t\tcomment \"ipchains:0:0:0:in:ACCEPT:input\"\n\t}\n"),
              std::string::npos);
    // No DIVERT: no policy chain, the hook chain holds the policy.
    EXPECT_EQ(s.find("chain .input-policy"), std::string::npos);
    // Neither MASQ nor REDIRECT: no nat chain, no ct expression (docs/differences.md 1.1).
    EXPECT_EQ(s.find("type nat"), std::string::npos);
    EXPECT_EQ(s.find("\tct "), std::string::npos);
    EXPECT_EQ(s.find(" ct "), std::string::npos);
    EXPECT_EQ(s.substr(s.size() - 5), "\t}\n}\n");
    fx::append(rs, "forward", fx::rule(model::TargetKind::Masq));
    s = to_nft_script(fx::compiled(rs));
    EXPECT_NE(s.find("\tchain .nat-out {\n\t\ttype nat hook postrouting priority 100; policy accept;\n"),
              std::string::npos);
    EXPECT_NE(s.find("\t\tct direction reply ct mark & 0x80000000 == 0x80000000 accept\n"),
              std::string::npos);
}

// docs/ipfw.md "IPv6": the ip6 rules' table follows the ip one in the same script, its
// family spelled `ip6`; its commands create it from nothing.
TEST(TextScript, Ip6TableFollowsTheIpTable)
{
    model::Ruleset rs = fx::ruleset();
    fx::append(rs, "input", fx::ip6_divert(100, 8000, "2001:db8::5"));
    std::string s = to_nft_script({fx::compiled(rs), fx::compiled6(rs)});
    EXPECT_EQ(s.find("#!/usr/sbin/nft -f\n"), 0u);
    EXPECT_EQ(s.find("#!", 1), std::string::npos);
    size_t ip = s.find("\ntable ip ipchains\ndelete table ip ipchains\ntable ip ipchains {\n");
    size_t ip6 = s.find("\ntable ip6 ipchains\ndelete table ip6 ipchains\ntable ip6 ipchains {\n");
    ASSERT_NE(ip, std::string::npos);
    ASSERT_NE(ip6, std::string::npos);
    EXPECT_LT(ip, ip6);
    // The IPv4 table does not see the ip6 rule.
    EXPECT_EQ(s.substr(0, ip6).find("2001:db8::5"), std::string::npos);
    EXPECT_EQ(s.substr(ip6 + 1), kIp6DivertScript);

    ir::Table none;
    none.ip6 = true;
    EXPECT_EQ(to_nft_commands(none, fx::compiled6(rs)), kIp6DivertCommands);
}

TEST(TextCommands, AppendingADivertRule)
{
    model::Ruleset rs = fx::ruleset();
    ir::Table before = fx::compiled(rs);
    fx::append(rs, "input", fx::with_proto(fx::divert(1234), 1));
    std::string c = to_nft_commands(before, fx::compiled(rs));
    std::string comment = compile::rule_comment("input", rs.find("input")->rules[0]);
    // The first DIVERT rule also recreates the hook chains with the late write-back check
    // first, and brings the post chains of its hook (docs/design.md "Chain layout").
    std::string expected =
        "nft 'flush chain ip ipchains .in-hook'\n"
        "nft 'flush chain ip ipchains .fwd-hook'\n"
        "nft 'flush chain ip ipchains .out-hook'\n"
        "nft 'delete chain ip ipchains .in-hook'\n"
        "nft 'delete chain ip ipchains .fwd-hook'\n"
        "nft 'delete chain ip ipchains .out-hook'\n"
        "nft 'add chain ip ipchains .input-policy { comment \"ipchains-layout:policy\" ; }'\n"
        "nft 'add chain ip ipchains input.1 { comment \"ipchains:0:0:1:in:ACCEPT:input\" ; }'\n"
        "nft 'add chain ip ipchains .cont-1 { comment \"ipchains-layout:cont:1:8c81a1944970fad8\" ; }'\n"
        "nft 'add chain ip ipchains .in-hook { type filter hook prerouting priority -150 ; "
        "policy accept ; comment \"ipchains-layout:hook:policy:resume\" ; }'\n"
        "nft 'add chain ip ipchains .fwd-hook { type filter hook forward priority 0 ; "
        "policy accept ; comment \"ipchains-layout:hook:policy:resume\" ; }'\n"
        "nft 'add chain ip ipchains .out-hook { type filter hook postrouting priority 0 ; "
        "policy accept ; comment \"ipchains-layout:hook:policy:resume\" ; }'\n"
        "nft 'add chain ip ipchains .in-post-1 { type filter hook prerouting priority -149 ; "
        "policy accept ; comment \"ipchains-layout:post\" ; }'\n"
        "nft 'add chain ip ipchains .in-post-2 { type filter hook prerouting priority -148 ; "
        "policy accept ; comment \"ipchains-layout:post\" ; }'\n"
        "nft 'add chain ip ipchains .in-post-3 { type filter hook prerouting priority -147 ; "
        "policy accept ; comment \"ipchains-layout:post\" ; }'\n"
        "nft 'add rule ip ipchains .input-policy counter name \"input-policy\" accept'\n"
        "nft 'add rule ip ipchains .cont-1 meta mark set meta mark & 0x8000ffff'\n"
        "nft 'add rule ip ipchains .cont-1 jump input.1'\n"
        "nft 'add rule ip ipchains .cont-1 jump .input-policy'\n"
        "nft 'add rule ip ipchains .in-hook meta mark & 0x70000000 == 0x10000000 accept'\n"
        "nft 'add rule ip ipchains .in-hook jump input'\n"
        "nft 'add rule ip ipchains .in-hook jump .input-policy'\n"
        "nft 'add rule ip ipchains .fwd-hook meta mark & 0x70000000 == 0x10000000 accept'\n"
        "nft 'add rule ip ipchains .fwd-hook counter name \"forward-policy\" accept'\n"
        "nft 'add rule ip ipchains .out-hook meta mark & 0x70000000 == 0x10000000 accept'\n"
        "nft 'add rule ip ipchains .out-hook counter name \"output-policy\" accept'\n"
        "nft 'add rule ip ipchains .in-post-1 meta mark & 0x70000000 == 0x40000000 reject with "
        "icmp type port-unreachable'\n"
        "nft 'add rule ip ipchains .in-post-1 meta mark & 0x70000000 != 0x10000000 accept'\n"
        "nft 'add rule ip ipchains .in-post-1 meta mark & 0x7fff0000 == 0x10010000 jump .cont-1'\n"
        "nft 'add rule ip ipchains .in-post-2 meta mark & 0x70000000 == 0x40000000 reject with "
        "icmp type port-unreachable'\n"
        "nft 'add rule ip ipchains .in-post-2 meta mark & 0x70000000 != 0x10000000 accept'\n"
        "nft 'add rule ip ipchains .in-post-2 meta mark & 0x7fff0000 == 0x10010000 jump .cont-1'\n"
        "nft 'add rule ip ipchains .in-post-3 meta mark & 0x70000000 == 0x40000000 reject with "
        "icmp type port-unreachable'\n"
        "nft 'add rule ip ipchains .in-post-3 meta mark & 0x70000000 != 0x10000000 accept'\n"
        "nft 'add rule ip ipchains .in-post-3 meta mark & 0x7fff0000 == 0x10010000 jump .cont-1'\n"
        "nft 'add rule ip ipchains .in-post-3 meta mark & 0x70000000 == 0x10000000 meta mark set "
        "meta mark & 0x8000ffff'\n"
        "nft 'add rule ip ipchains input ip protocol icmp meta mark & 0x7fff0000 != 0x34d20000 "
        "counter packets 0 bytes 0 meta mark set meta mark & 0x8000ffff | 0x10010000 "
        "queue num 1234 comment \"" + comment + "\"'\n"
        "nft 'add rule ip ipchains input goto input.1'\n";
    EXPECT_EQ(c, expected);
}

TEST(TextCommands, FromNothingAndShellQuoting)
{
    model::Ruleset rs = fx::ruleset();
    model::Rule r = fx::rule(model::TargetKind::Accept);
    r.iface = "it's";
    r.flags = 0;
    fx::append(rs, "input", r);
    std::string c = to_nft_commands(ir::Table{}, fx::compiled(rs));
    EXPECT_EQ(c.find("nft 'add table ip ipchains { comment \"ipchains-divert\" ; }'\n"
                     "nft 'add counter ip ipchains input-policy { packets 0 bytes 0 ; }'\n"),
              0u);
    EXPECT_NE(c.find("iifname \"it'\\''s\""), std::string::npos);
    EXPECT_EQ(to_nft_commands(fx::compiled(rs), fx::compiled(rs)), "");
}

TEST(TextCommands, FlushDeleteRecreate)
{
    model::Ruleset rs = fx::ruleset({"u"});
    fx::append(rs, "u", fx::rule(model::TargetKind::Deny));
    fx::append(rs, "input", fx::rule(model::TargetKind::Deny));
    fx::append(rs, "input", fx::rule(model::TargetKind::Accept));
    fx::append(rs, "forward", fx::rule(model::TargetKind::None));
    ir::Table before = fx::compiled(rs);
    rs.find("input")->rules.erase(rs.find("input")->rules.begin());
    fx::append(rs, "forward", fx::jump("u"));
    std::string c = to_nft_commands(before, fx::compiled(rs));
    EXPECT_EQ(c.find("nft 'flush chain ip ipchains input'\n"
                     "nft 'flush chain ip ipchains u'\n"
                     "nft 'delete chain ip ipchains u'\n"
                     "nft 'add chain ip ipchains u { comment \"ipchains:3:0:0:fwd:-:u\" ; }'\n"),
              0u)
        << c;
}

namespace {

ir::Table with_runs(const model::Ruleset& rs)
{
    compile::Options opt;
    opt.rule_runs = true;
    auto t = compile::compile(rs, opt);
    if (!t) throw std::runtime_error(t.error().message);
    return *t;
}

model::Ruleset hosts(int n)
{
    model::Ruleset rs = fx::ruleset();
    for (int i = 1; i <= n; ++i) {
        model::Rule r = fx::rule(model::TargetKind::Deny);
        r.src = 0xC0000200u + static_cast<uint32_t>(i);  // 192.0.2.i
        r.src_mask = 0xFFFFFFFFu;
        fx::append(rs, "input", r);
    }
    return rs;
}

}  // namespace

TEST(TextRuns, ScriptPrintsTheSetAndItsLookup)
{
    model::Ruleset rs = hosts(4);
    rs.find("input")->rules[1].counters = {2, 168};
    std::string s = to_nft_script(with_runs(rs));
    EXPECT_NE(s.find("\tset input-saddr-1 {\n\t\ttype ipv4_addr\n\t\tsize 64\n\t\tcounter\n"
                     "\t\telements = { "
                     "192.0.2.1 counter packets 0 bytes 0 comment \"#1 -A input -s "
                     "192.0.2.1/255.255.255.255 -d 0.0.0.0/0.0.0.0 -j DENY\",\n"
                     "\t\t\t192.0.2.2 counter packets 2 bytes 168 comment \"#2 -A input"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("\t\tip saddr @input-saddr-1 drop comment \"ipchains-run:input-saddr-1\"\n"),
              std::string::npos)
        << s;
}

TEST(TextRuns, OneMoreHostIsOneElementCommand)
{
    ir::Table before = with_runs(hosts(4));
    ir::Table after = with_runs(hosts(5));
    EXPECT_EQ(to_nft_commands(before, after),
              "nft 'add element ip ipchains input-saddr-1 { 192.0.2.5 counter packets 0 bytes 0 "
              "comment \"#5 -A input -s 192.0.2.5/255.255.255.255 -d 0.0.0.0/0.0.0.0 -j DENY\" }'\n");
}

TEST(TextRuns, ARunBelowTheMinimumGoesBackToRules)
{
    std::string c = to_nft_commands(with_runs(hosts(4)), with_runs(hosts(3)));
    EXPECT_EQ(c.find("nft 'flush chain ip ipchains input'\n"
                     "nft 'delete set ip ipchains input-saddr-1'\n"),
              0u)
        << c;
    EXPECT_NE(c.find("nft 'add rule ip ipchains input ip saddr 192.0.2.3 counter"), std::string::npos);
}
