// ipchains --dump-proc: 2.2's /proc/net/ip_fwnames and /proc/net/ip_fwchains
// (docs/reference/ipchains-commands.md section 11), compared byte for byte with its examples.
#include <gtest/gtest.h>

#include "format/format.h"
#include "parse/parser.h"

using namespace ipchains;

namespace {

Result<model::Command> parse(const std::string& line)
{
    parse::ParseOptions o;
    o.resolve_names = false;
    o.forward_warning = 0;
    return parse::parse_command(parse::split_words(line), o);
}

model::Rule rule(const std::string& line, uint64_t packets = 0, uint64_t bytes = 0)
{
    auto c = parse(line);
    EXPECT_TRUE(c.ok()) << line << ": " << (c.ok() ? "" : c.error().message);
    model::Rule r = c.ok() && !c->rules.empty() ? c->rules[0] : model::Rule{};
    r.counters.packets = packets;
    r.counters.bytes = bytes;
    return r;
}

// The rule set behind the examples of docs/reference/ipchains-commands.md 11.1 and 11.2 (that
// of 9.2 without input's REDIRECT and UDP rules).
model::Ruleset spec_ruleset()
{
    model::Ruleset rs = model::Ruleset::initial();
    rs.find("input")->policy_counters = {1234567, 987654321};
    rs.find("forward")->policy = model::Policy::Deny;
    rs.find("output")->policy_counters = {42, 3360};
    model::Chain ppp;
    ppp.name = "ppp-in";
    ppp.rules.push_back(
        rule("-A ppp-in -p udp -s 203.29.16.1 53 -i ppp0 -o 128 -j ACCEPT", 10, 840));
    rs.chains.push_back(ppp);
    auto& in = rs.find("input")->rules;
    in.push_back(rule("-A input -p icmp -j DIVERT 1234", 10, 840));
    in.push_back(rule("-A input -p tcp -y -l -s 192.168.1.0/24 -d 0/0 80 -j DENY", 123456,
                      98765432));
    in.push_back(rule("-A input -i ppp+ -j ppp-in", 5, 300));
    in.push_back(rule("-A input -s 10.1.1.1"));
    return rs;
}

TEST(ProcNames, SpecExample)
{
    EXPECT_EQ(format::proc_names(spec_ruleset()),
              "input ACCEPT 1 0 1234567 0 987654321\n"
              "forward DENY 1 0 0 0 0\n"
              "output ACCEPT 1 0 42 0 3360\n"
              "ppp-in - 1 0 0 0 0\n");
}

TEST(ProcNames, RefcountAndSplitCounters)
{
    model::Ruleset rs = model::Ruleset::initial();
    rs.find("forward")->policy = model::Policy::Masq;
    rs.find("output")->policy = model::Policy::Reject;
    rs.find("input")->policy_counters = {(uint64_t{3} << 32) | 7, (uint64_t{1} << 32)};
    model::Chain u;
    u.name = "u";
    rs.chains.push_back(u);
    rs.find("input")->rules.push_back(rule("-A input -j u"));
    rs.find("output")->rules.push_back(rule("-A output -j u"));
    model::Chain unused;
    unused.name = "unused";
    rs.chains.push_back(unused);
    EXPECT_EQ(format::proc_names(rs),
              "input ACCEPT 1 3 7 1 0\n"
              "forward MASQ 1 0 0 0 0\n"
              "output REJECT 1 0 0 0 0\n"
              "u - 2 0 0 0 0\n"
              "unused - 0 0 0 0 0\n");
}

TEST(ProcChains, SpecExample)
{
    EXPECT_EQ(
        format::proc_chains(spec_ruleset()),
        "    input 00000000/00000000->00000000/00000000 - 10 0 1 0         10        0         "
        "840       0-65535 0-65535 AFF X00 000004D2 0 0    DIVERT\n"
        "    input C0A80100/FFFFFF00->00000000/00000000 - 13 0 6 0         123456    0         "
        "98765432  0-65535 80-80 AFF X00 00000000 0 0      DENY\n"
        "    input 00000000/00000000->00000000/00000000 ppp 10 0 0 0         5         0         "
        "300       0-65535 0-65535 AFF X00 00000000 0 0    ppp-in\n"
        "    input 0A010101/FFFFFFFF->00000000/00000000 - 10 0 0 0         0         0         "
        "0         0-65535 0-65535 AFF X00 00000000 0 0         -\n"
        "   ppp-in CB1D1001/FFFFFFFF->00000000/00000000 ppp0 20 0 17 0         10        0         "
        "840       53-53 0-65535 AFF X00 00000000 0 128    ACCEPT\n");
}

TEST(ProcChains, EmptyRulesetPrintsNothing)
{
    EXPECT_EQ(format::proc_chains(model::Ruleset::initial()), "");
}

TEST(ProcChains, OtherFields)
{
    // Inverted destination, mark (MARKABS), TOS, REDIRECT port in hex.
    EXPECT_EQ(format::proc_rule_line(
                  "input", rule("-A input -p tcp -d ! 10.0.0.1 80 -j REDIRECT 8080 -m 5 -t 01 10")),
              "    input 00000000/00000000->0A000001/FFFFFFFF - 18 2 6 0         0         0  "
              "       0         0-65535 80-80 A01 X10 00001F90 5 0  REDIRECT\n");
    // An inverted wildcard interface; -o without a size; 64-bit counters split high/low.
    EXPECT_EQ(format::proc_rule_line("forward", rule("-A forward -i ! eth+ -o -j MASQ -p ! udp",
                                                    (uint64_t{2} << 32) | 9,
                                                    (uint64_t{0xFFFFFFFF} << 32) | 0xFFFFFFFF)),
              "  forward 00000000/00000000->00000000/00000000 eth 30 24 17 2         9         "
              "4294967295 4294967295 0-65535 0-65535 AFF X00 00000000 0 65535      MASQ\n");
    // A port on a target that does not use it, and a size without -o, were never in the
    // kernel's struct: both print as 0.
    model::Rule r = rule("-A forward -j ACCEPT");
    r.redirect_port = 99;
    r.output_size = 0xFFFF;
    r.flags &= ~model::kFlagWildIf;  // WILDIF comes from the empty interface, not the model
    EXPECT_EQ(format::proc_rule_line("forward", r),
              "  forward 00000000/00000000->00000000/00000000 - 10 0 0 0         0         0    "
              "     0         0-65535 0-65535 AFF X00 00000000 0 0    ACCEPT\n");
}

TEST(DumpProcParse, Views)
{
    auto names = parse("--dump-proc names");
    ASSERT_TRUE(names.ok());
    EXPECT_EQ(names->op, model::Op::DumpProc);
    EXPECT_EQ(names->proc_view, model::ProcView::Names);
    auto chains = parse("--dump-proc chains -v");
    ASSERT_TRUE(chains.ok());
    EXPECT_EQ(chains->op, model::Op::DumpProc);
    EXPECT_EQ(chains->proc_view, model::ProcView::Chains);
    auto abbreviated = parse("--dump chains");
    ASSERT_TRUE(abbreviated.ok());
    EXPECT_EQ(abbreviated->op, model::Op::DumpProc);
}

TEST(DumpProcParse, Errors)
{
    const std::pair<const char*, const char*> cases[] = {
        {"--dump-proc rules", "--dump-proc takes `names' or `chains', not `rules'"},
        {"--dump-proc names -n", "Illegal option `-n' with this command\n"},
        {"--dump-proc chains -x", "Illegal option `-x' with this command\n"},
        {"--dump-proc chains --line-numbers", "Illegal option `-3' with this command\n"},
        {"-L --dump-proc names", "Can't use --dump-proc with -L\n"},
        {"--dump-proc names --status", "Can't use --status with --dump-proc\n"},
        {"--dump-proc names --dump-proc chains", "Can't use --dump-proc with --dump-proc\n"},
        {"--dump-proc names input", "unknown arguments found on commandline"},
        {"! --dump-proc names", "unexpected ! flag"},
    };
    for (const auto& [line, message] : cases) {
        auto r = parse(line);
        ASSERT_FALSE(r.ok()) << line;
        EXPECT_EQ(r.error().message, message) << line;
        EXPECT_EQ(r.error().exit_status, 2) << line;
    }
    auto missing = parse("--dump-proc");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().message, "option '--dump-proc' requires an argument");
}

}  // namespace
