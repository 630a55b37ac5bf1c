// The -v rule echo (docs/reference/ipchains-commands.md 9.3), -h icmp (9.5), -V and -h.
#include <gtest/gtest.h>

#include "format/format.h"
#include "parse/parser.h"

using namespace ipchains;

namespace {

model::Rule rule(const std::string& line)
{
    parse::ParseOptions o;
    o.resolve_names = false;
    o.forward_warning = 0;
    auto c = parse::parse_command(parse::split_words(line), o);
    EXPECT_TRUE(c.ok()) << line << ": " << (c.ok() ? "" : c.error().message);
    return c.ok() && !c->rules.empty() ? c->rules[0] : model::Rule{};
}

TEST(RuleEcho, SpecExamples)
{
    EXPECT_EQ(format::rule_echo(rule("-A input -p icmp -j DIVERT 1234")),
              "DIVERT  icmp opt    ------ tos 0xFF 0x00  via *    0.0.0.0/0 -> 0.0.0.0/0    * ->   "
              "* => 1234\n");
    EXPECT_EQ(format::rule_echo(rule("-A input -p tcp -y -l -s 192.168.1.0/24 -d 0/0 80 -j DENY")),
              "DENY  tcp opt    -y--l- tos 0xFF 0x00  via *    192.168.1.0/24 -> 0.0.0.0/0    * ->   "
              "80\n");
    // The REDIRECT quirk: no separator, "80" and "8080" run together.
    EXPECT_EQ(format::rule_echo(rule("-A input -p tcp -d 10.0.0.1 80 -j REDIRECT 8080")),
              "REDIRECT  tcp opt    ------ tos 0xFF 0x00  via *    0.0.0.0/0 -> 10.0.0.1    * ->   "
              "808080\n");
    EXPECT_EQ(format::rule_echo(rule(
                  "-A input -p udp -s ! 127.0.0.0/8 -d 0/0 ! 1024:65535 -j ACCEPT -m 5 -t 01 10")),
              "ACCEPT  udp opt    ------ tos 0x01 0x10  via * mark 0x5   !127.0.0.0/8 -> 0.0.0.0/0  "
              "  * ->  !1024:65535\n");
}

TEST(RuleEcho, OtherFields)
{
    EXPECT_EQ(format::rule_echo(rule("-A input -i ! ppp+ -o 128 -m +2 -d ! 1.2.3.4")),
              "-  all opt    -----o tos 0xFF 0x00 !via ppp+ mark 0x2 outsize 128    0.0.0.0/0 -> "
              "!1.2.3.4    n/a\n");
    EXPECT_EQ(format::rule_echo(rule("-A input -p udp -j REDIRECT")),
              "REDIRECT  udp opt    ------ tos 0xFF 0x00  via *    0.0.0.0/0 -> 0.0.0.0/0    * ->   "
              "* *\n");
    EXPECT_EQ(format::rule_echo(rule("-A input -p 200 -j DIVERT 7")),
              "DIVERT  200 opt    ------ tos 0xFF 0x00  via *    0.0.0.0/0 -> 0.0.0.0/0    n/a => 7\n");
}

TEST(HelpTexts, IcmpHelp)
{
    EXPECT_EQ(format::icmp_help_text(),
              "ipchains 1.3.9, 17-Mar-1999\n"
              "\n"
              "Valid ICMP Types:\n"
              "echo-reply (pong)\n"
              "destination-unreachable\n"
              "   network-unreachable\n"
              "   host-unreachable\n"
              "   protocol-unreachable\n"
              "   port-unreachable\n"
              "   fragmentation-needed\n"
              "   source-route-failed\n"
              "   network-unknown\n"
              "   host-unknown\n"
              "   network-prohibited\n"
              "   host-prohibited\n"
              "   TOS-network-unreachable\n"
              "   TOS-host-unreachable\n"
              "   communication-prohibited\n"
              "   host-precedence-violation\n"
              "   precedence-cutoff\n"
              "source-quench\n"
              "redirect\n"
              "   network-redirect\n"
              "   host-redirect\n"
              "   TOS-network-redirect\n"
              "   TOS-host-redirect\n"
              "echo-request (ping)\n"
              "router-advertisement\n"
              "router-solicitation\n"
              "time-exceeded (ttl-exceeded)\n"
              "   ttl-zero-during-transit\n"
              "   ttl-zero-during-reassembly\n"
              "parameter-problem\n"
              "   ip-header-bad\n"
              "   required-option-missing\n"
              "timestamp-request\n"
              "timestamp-reply\n"
              "address-mask-request\n"
              "address-mask-reply\n");
}

TEST(HelpTexts, VersionAndHelp)
{
    EXPECT_EQ(format::version_text(), "ipchains 1.3.9, 17-Mar-1999\n");
    const std::string h = format::help_text("ipchains");
    EXPECT_EQ(h.rfind("ipchains 1.3.9, 17-Mar-1999\n\nUsage: ipchains -[ADC] chain "
                      "rule-specification [options]\n",
                      0),
              0u);
    EXPECT_NE(h.find("       ipchains -h [icmp] (print this help information, or ICMP list)\n"),
              std::string::npos);
    EXPECT_NE(h.find("--divert-passthrough"), std::string::npos);
    EXPECT_EQ(h.back(), '\n');
}

}  // namespace
