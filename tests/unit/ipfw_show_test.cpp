// ipfw's placement by number and its listing of the shared ruleset (docs/ipfw.md).
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "format/format.h"
#include "ipfw/edit.h"
#include "ipfw/grammar.h"
#include "ipfw/show.h"
#include "parse/parser.h"

using namespace ipchains;

namespace {

ipfw::Command cmd(const std::string& line)
{
    ipfw::GrammarOptions o;
    o.resolve_names = false;
    auto r = ipfw::parse(parse::split_words(line), o);
    EXPECT_TRUE(r.ok()) << line;
    return *r;
}

void run(model::Ruleset& rs, const std::string& line)
{
    auto c = cmd(line);
    auto n = ipfw::number_for_add(rs, c);
    ASSERT_TRUE(n.ok());
    auto r = ipfw::apply(rs, c, c.verb == ipfw::Verb::Add ? *n : 0);
    ASSERT_TRUE(r.ok()) << line << ": " << r.error().message;
}

void ipchains_cmd(model::Ruleset& rs, const std::string& line)
{
    parse::ParseOptions o;
    o.resolve_names = false;
    auto c = parse::parse_command(parse::split_words(line), o);
    ASSERT_TRUE(c.ok()) << line;
    ASSERT_TRUE(engine::apply(rs, *c).ok());
}

std::string list(const model::Ruleset& rs, bool counters = false)
{
    return ipfw::listing(ipfw::entries(rs), counters);
}

// `line`, read back as a restore line (the save form's own reader), gives `want` again.
void expect_reads_back(const std::string& line, const model::Rule& want)
{
    parse::ParseOptions o;
    o.restore_line = true;
    o.resolve_names = false;
    auto back = parse::parse_command(parse::split_words(line), o);
    ASSERT_TRUE(back.ok()) << back.error().message;
    ASSERT_EQ(back->rules.size(), 1u);
    EXPECT_EQ(back->rules[0], want);
}

}  // namespace

TEST(IpfwShow, NumbersPlaceRulesAndListOnceForBothDirections)
{
    auto rs = model::Ruleset::initial();
    run(rs, "add 200 deny tcp from 10.0.0.0/8 to any 22 in");
    run(rs, "add 100 divert 5000 udp from any to any");
    run(rs, "add allow ip from any to 192.168.1.0:255.255.255.128 via eth0");
    run(rs, "add 150 tee 6000 tcp from any 80 to any setup out xmit ppp*");
    EXPECT_EQ(list(rs),
              "00100 divert 5000 udp from any to any\n"
              "00150 tee 6000 tcp from any 80 to any setup out xmit ppp*\n"
              "00200 deny tcp from 10.0.0.0/8 to any 22 in\n"
              "00300 allow ip from any to 192.168.1.0/25 via eth0\n"
              "65535 allow ip from any to any\n");
    // In the chains: number order, a rule for both directions in each.
    const auto& in = rs.find("input")->rules;
    ASSERT_EQ(in.size(), 3u);
    EXPECT_EQ(in[0].number, 100);
    EXPECT_EQ(in[1].number, 200);
    EXPECT_EQ(in[2].number, 300);
    const auto& out = rs.find("output")->rules;
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[1].number, 150);
    EXPECT_EQ(out[1].iface, "ppp");
}

TEST(IpfwShow, CountersSumBothDirectionsInFreeBsdWidths)
{
    auto rs = model::Ruleset::initial();
    run(rs, "add 100 divert 5000 udp from any to any");
    run(rs, "add 200 deny ip from any to any in");
    rs.find("input")->rules[0].counters = {3, 300};
    rs.find("output")->rules[0].counters = {9, 1000};
    EXPECT_EQ(list(rs, true),
              "00100 12 1300 divert 5000 udp from any to any\n"
              "00200  0    0 deny ip from any to any in\n"
              "65535  0    0 allow ip from any to any\n");
}

TEST(IpfwShow, IpchainsRulesGetTheNumberBeforeThem)
{
    auto rs = model::Ruleset::initial();
    ipchains_cmd(rs, "-A input -p udp -j DIVERT 4000");
    run(rs, "add 100 deny ip from any to any in");
    ipchains_cmd(rs, "-A input -s 10.0.0.0/8 -j ACCEPT");
    ipchains_cmd(rs, "-A output -p tcp -m 5");
    run(rs, "add 50 count ip from any to any in");
    EXPECT_EQ(list(rs),
              "00000 divert 4000 udp from any to any in\n"
              "00000 ipchains -A output -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -p 6 -m 5\n"
              "00050 count ip from any to any in\n"
              "00100 deny ip from any to any in\n"
              "00100 allow ip from 10.0.0.0/8 to any in\n"
              "65535 allow ip from any to any\n");
    // add without a number: the highest + 100.
    run(rs, "add allow ip from any to any out");
    EXPECT_EQ(rs.find("output")->rules.back().number, 200);
}

TEST(IpfwShow, DeleteFlushZero)
{
    auto rs = model::Ruleset::initial();
    run(rs, "add 100 divert 5000 udp from any to any");
    run(rs, "add 100 deny tcp from any to any in");
    run(rs, "add 200 deny tcp from any to any in");
    ipchains_cmd(rs, "-A output -j ACCEPT");
    rs.find("input")->rules[2].counters = {1, 2};
    run(rs, "delete 100");
    EXPECT_EQ(list(rs), "00000 allow ip from any to any out\n00200 deny tcp from any to any in\n"
              "65535 allow ip from any to any\n");
    auto missing = ipfw::apply(rs, cmd("delete 100 200"), 0);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().message, "rule 100 does not exist");
    EXPECT_EQ(missing.error().exit_status, ipfw::kExitUnavailable);
    EXPECT_EQ(rs.find("input")->rules.size(), 1u);  // nothing changed, 200 still there
    run(rs, "zero");
    EXPECT_EQ(rs.find("input")->rules[0].counters.packets, 0u);

    // zero N: the rules numbered N in both chains, the others keep their counts; a number no
    // rule has is FreeBSD's error, EX_UNAVAILABLE, and zeroes nothing.
    run(rs, "add 300 count ip from any to any");
    rs.find("input")->rules[0].counters = {1, 2};   // 200 in
    rs.find("input")->rules[1].counters = {3, 4};   // 300 in
    rs.find("output")->rules[1].counters = {5, 6};  // 300 out
    auto unknown = ipfw::apply(rs, cmd("zero 300 4242"), 0);
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().message, "rule 4242: setsockopt(IP_FW_ZERO): Invalid argument");
    EXPECT_EQ(unknown.error().exit_status, ipfw::kExitUnavailable);
    EXPECT_EQ(rs.find("input")->rules[1].counters.packets, 3u);
    std::vector<model::Command> ran;
    ASSERT_TRUE(ipfw::apply(rs, cmd("zero 300"), 0, &ran).ok());
    EXPECT_EQ(rs.find("input")->rules[0].counters.packets, 1u);
    EXPECT_EQ(rs.find("input")->rules[1].counters.packets, 0u);
    EXPECT_EQ(rs.find("output")->rules[1].counters.packets, 0u);
    ASSERT_EQ(ran.size(), 2u);
    EXPECT_EQ(ran[0].op, model::Op::Zero);
    EXPECT_EQ(ran[0].rulenum, 2u);
    run(rs, "flush");
    EXPECT_EQ(list(rs), ""
              "65535 allow ip from any to any\n");
}

TEST(IpfwShow, NumberRoundTripsThroughTheSaveLine)
{
    auto rs = model::Ruleset::initial();
    run(rs, "add 100 tee 5000 udp from any to any in");
    const model::Rule& r = rs.find("input")->rules[0];
    const std::string line = format::save_line("input", r);
    EXPECT_EQ(line,
              "-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -p 17 -j TEE 5000 --ipfw-number 100");
    expect_reads_back(line, r);
}

// docs/ipfw.md "IPv6": ip6 rules share the chains and the numbering, list in the input
// syntax, and save as --ipfw-ip6, which only a restore line reads back.
TEST(IpfwShow, Ip6RulesListAndRoundTrip)
{
    auto rs = model::Ruleset::initial();
    run(rs, "add 200 allow ip from any to 10.0.0.0/8");
    run(rs, "add 100 divert 8000 ip6 from any to 2001:db8::/32 in");
    run(rs, "add 300 deny ip6 from not fe80::/10 to ::1 via lo");
    run(rs, "add 400 reject ip6 from any to fd00::1 in");
    run(rs, "add 500 allow log ip6 from any to 2001:db8::1");
    EXPECT_EQ(list(rs),
              "00100 divert 8000 ip6 from any to 2001:db8::/32 in\n"
              "00200 allow ip from any to 10.0.0.0/8\n"
              "00300 deny ip6 from not fe80::/10 to ::1 via lo\n"
              "00400 reject ip6 from any to fd00::1 in\n"
              "00500 allow log ip6 from any to 2001:db8::1\n"
              "65535 allow ip from any to any\n");
    // log: -l beside --ipfw-ip6, read back as the same rule.
    const model::Rule& logged = rs.find("input")->rules.back();
    const std::string logged_line = format::save_line("input", logged);
    EXPECT_EQ(logged_line, "-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -j ACCEPT -l "
                           "--ipfw-number 500 --ipfw-ip6 ::/0,2001:db8::1/128");
    expect_reads_back(logged_line, logged);
    run(rs, "delete 500");
    EXPECT_EQ(format::save_line("input", rs.find("input")->rules.back()),
              "-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -j REJECT --ipfw-number 400 "
              "--ipfw-ip6 ::/0,fd00::1/128");
    const model::Rule& r = rs.find("output")->rules[1];
    ASSERT_TRUE(r.ip6);
    const std::string line = format::save_line("output", r);
    EXPECT_EQ(line, "-A output -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -i lo -j DENY "
                    "--ipfw-number 300 --ipfw-ip6 !fe80::/10,::1/128");
    expect_reads_back(line, r);

    // ipchains' own command line does not take the save form.
    parse::ParseOptions cli;
    cli.resolve_names = false;
    auto refused = parse::parse_command(parse::split_words(line), cli);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().message,
              "--ipfw-ip6 is only read by ipchains-restore (use ipfw add ... ip6)");

    run(rs, "delete 100 300 400");
    EXPECT_EQ(list(rs), "00200 allow ip from any to 10.0.0.0/8\n"
              "65535 allow ip from any to any\n");
}

// IPv4 protocol 58 lists as its number: the name ipv6-icmp would read back as an IPv6 rule.
TEST(IpfwShow, Ipv4Protocol58ListsAsANumberThatReadsBack)
{
    auto rs = model::Ruleset::initial();
    run(rs, "add 100 allow 58 from 1.2.3.4 to any");
    EXPECT_EQ(list(rs), "00100 allow 58 from 1.2.3.4 to any\n"
                        "65535 allow ip from any to any\n");
    auto again = model::Ruleset::initial();
    run(again, "add 100 allow 58 from 1.2.3.4 to any");
    EXPECT_EQ(again, rs);
}

// docs/ipfw.md "IPv6": an ip6 rule with a protocol lists in the option form (`proto`,
// `src-port`, `dst-port`), which reads back as the same rule, and saves with -p and ports.
TEST(IpfwShow, Ip6ProtocolAndPortsListAndRoundTrip)
{
    auto rs = model::Ruleset::initial();
    run(rs, "add 100 divert 8000 udp from any to 2001:db8::5 7000-7001 in");
    run(rs, "add 200 allow tcp from fd00::/8 22 to any setup out");
    run(rs, "add 300 count icmp6 from any to any in");
    const std::string listed = "00100 divert 8000 ip6 from any to 2001:db8::5 proto udp dst-port 7000-7001 in\n"
                               "00200 allow ip6 from fd00::/8 to any proto tcp src-port 22 setup out\n"
                               "00300 count ip6 from any to any proto ipv6-icmp in\n"
                               "65535 allow ip from any to any\n";
    EXPECT_EQ(list(rs), listed);
    auto again = model::Ruleset::initial();
    run(again, "add 100 divert 8000 ip6 from any to 2001:db8::5 proto udp dst-port 7000-7001 in");
    run(again, "add 200 allow ip6 from fd00::/8 to any proto tcp src-port 22 setup out");
    run(again, "add 300 count ip6 from any to any proto ipv6-icmp in");
    EXPECT_EQ(again, rs);

    const model::Rule& r = rs.find("input")->rules[0];
    const std::string line = format::save_line("input", r);
    EXPECT_EQ(line, "-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 7000:7001 -p 17 -j DIVERT 8000 "
                    "--ipfw-number 100 --ipfw-ip6 ::/0,2001:db8::5/128");
    expect_reads_back(line, r);
}

// docs/ipfw.md "Listing": the policies of input and output are FreeBSD's default rule 65535,
// one line when they agree (counters summed), one per direction when not; `add 65535` is
// refused as FreeBSD's kernel refuses it.
TEST(IpfwShow, PoliciesAreTheDefaultRule)
{
    auto rs = model::Ruleset::initial();
    run(rs, "add 100 count ip from any to any in");
    rs.find("input")->policy_counters = {2, 200};
    rs.find("output")->policy_counters = {1, 50};
    EXPECT_EQ(list(rs, true),
              "00100 0   0 count ip from any to any in\n"
              "65535 3 250 allow ip from any to any\n");
    rs.find("input")->policy = model::Policy::Deny;
    rs.find("output")->policy = model::Policy::Reject;
    EXPECT_EQ(list(rs, true),
              "00100 0   0 count ip from any to any in\n"
              "65535 2 200 deny ip from any to any in\n"
              "65535 1  50 reject ip from any to any out\n");
    EXPECT_EQ(ipfw::listing(ipfw::entries(rs), false, {65535}),
              "65535 deny ip from any to any in\n"
              "65535 reject ip from any to any out\n");
    auto reserved = ipfw::parse(parse::split_words("add 65535 allow ip from any to any"));
    ASSERT_FALSE(reserved.ok());
    EXPECT_EQ(reserved.error().message,
              "rule 65535 is the default rule (the policies of input and output): give 1-65534");
    EXPECT_EQ(reserved.error().exit_status, ipfw::kExitUsage);
}
