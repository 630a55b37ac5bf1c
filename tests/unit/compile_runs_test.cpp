// compile/runs: which adjacent rules become one set lookup, which split, and why; and the
// diff of two tables with runs (one more member is one element).
#include <gtest/gtest.h>

#include "compile/diff.h"
#include "compile/runs.h"
#include "compile/steps.h"
#include "compile_fixtures.h"

using namespace ipchains;
using model::TargetKind;
using F = ir::SetField;

namespace {

uint32_t ip(int a, int b, int c, int d)
{
    return static_cast<uint32_t>(a) << 24 | static_cast<uint32_t>(b) << 16 |
           static_cast<uint32_t>(c) << 8 | static_cast<uint32_t>(d);
}

uint32_t prefix(int bits)
{
    return bits == 0 ? 0 : ~0u << (32 - bits);
}

model::Rule from(uint32_t addr, int bits = 32, TargetKind t = TargetKind::Deny)
{
    model::Rule r = fx::rule(t);
    r.src = addr & prefix(bits);
    r.src_mask = prefix(bits);
    return r;
}

model::Rule to(uint32_t addr, int bits = 32, TargetKind t = TargetKind::Deny)
{
    model::Rule r = fx::rule(t);
    r.dst = addr & prefix(bits);
    r.dst_mask = prefix(bits);
    return r;
}

ir::Table with_runs(const model::Ruleset& rs)
{
    compile::Options opt;
    opt.rule_runs = true;
    auto t = compile::compile(rs, opt);
    if (!t) throw std::runtime_error(t.error().message);
    return *t;
}

std::vector<compile::Run> runs_of(const std::vector<model::Rule>& rules)
{
    model::Ruleset rs = fx::ruleset();
    for (const auto& r : rules) fx::append(rs, "input", r);
    return compile::find_runs(fx::find(fx::compiled(rs), "input")->rules);
}

std::vector<model::Rule> hosts(int n, int first = 1)
{
    std::vector<model::Rule> out;
    for (int i = 0; i < n; ++i) out.push_back(from(ip(192, 0, 2, first + i)));
    return out;
}

}  // namespace

TEST(CompileRuns, HostsWithTheSameTargetAreOneRun)
{
    EXPECT_EQ(runs_of(hosts(5)), (std::vector<compile::Run>{{0, 5, {F::SourceAddr}}}));
}

TEST(CompileRuns, ShorterThanTheMinimumStaysLinear)
{
    EXPECT_TRUE(runs_of(hosts(compile::kMinRunLength - 1)).empty());
    EXPECT_EQ(runs_of(hosts(compile::kMinRunLength)).size(), 1u);
}

TEST(CompileRuns, DestinationAddressesMergeToo)
{
    std::vector<model::Rule> rules;
    for (int i = 1; i <= 4; ++i) rules.push_back(to(ip(198, 51, 100, i)));
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 4, {F::DestAddr}}}));
}

TEST(CompileRuns, ANetworkThatCoversAnEarlierMemberSplitsTheRun)
{
    // 10.0.0.0/8 then 10.1.0.0/16: in one set the /16's packets would count for the /8.
    std::vector<model::Rule> rules = {from(ip(10, 0, 0, 0), 8), from(ip(11, 0, 0, 0), 8),
                                      from(ip(12, 0, 0, 0), 8), from(ip(13, 0, 0, 0), 8),
                                      from(ip(10, 1, 0, 0), 16), from(ip(14, 0, 0, 0), 8),
                                      from(ip(15, 0, 0, 0), 8), from(ip(16, 0, 0, 0), 8)};
    EXPECT_EQ(runs_of(rules),
              (std::vector<compile::Run>{{0, 4, {F::SourceAddr}}, {4, 4, {F::SourceAddr}}}));
}

TEST(CompileRuns, ARepeatedHostSplitsTheRun)
{
    auto rules = hosts(4);
    auto more = hosts(4);
    rules.insert(rules.end(), more.begin(), more.end());
    EXPECT_EQ(runs_of(rules),
              (std::vector<compile::Run>{{0, 4, {F::SourceAddr}}, {4, 4, {F::SourceAddr}}}));
}

TEST(CompileRuns, ADifferentTargetSplitsTheRun)
{
    auto rules = hosts(4);
    // RETURN: no verdict a map can give (ACCEPT would make one verdict map of all nine).
    rules.push_back(from(ip(192, 0, 2, 9), 32, TargetKind::Return));
    auto more = hosts(4, 20);
    rules.insert(rules.end(), more.begin(), more.end());
    EXPECT_EQ(runs_of(rules),
              (std::vector<compile::Run>{{0, 4, {F::SourceAddr}}, {5, 4, {F::SourceAddr}}}));
}

TEST(CompileRuns, AnInvertedAddressStopsTheRun)
{
    auto rules = hosts(4);
    model::Rule inverted = from(ip(192, 0, 2, 50));
    inverted.invflags |= model::kInvSrcIp;
    rules.insert(rules.begin() + 2, inverted);
    // 2 + inverted + 2: no run is long enough.
    EXPECT_TRUE(runs_of(rules).empty());
}

TEST(CompileRuns, SideEffectsThatDifferSplitTheRun)
{
    auto rules = hosts(8);
    rules[4].flags |= model::kFlagLog;  // the log prefix carries the rule's number
    rules[5].flags |= model::kFlagMarkAbs;
    rules[5].mark = 7;
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 4, {F::SourceAddr}}}));
}

TEST(CompileRuns, OtherMatchesMustBeEqual)
{
    auto rules = hosts(8);
    for (int i = 4; i < 8; ++i) {
        rules[i].proto = 6;
        rules[i].dport = {80, 80};
    }
    rules[7].dport = {443, 443};
    // Rules 4-7 differ in source and port: a concatenation, not a source run.
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 4, {F::SourceAddr}},
                                                         {4, 4, {F::SourceAddr, F::DestPort}}}));
    rules[7].dport = {443, 444};
    rules[7].proto = 17;  // another protocol: another shape
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 4, {F::SourceAddr}}}));
    rules[7].proto = 6;
    for (int i = 4; i < 8; ++i) rules[i].dport = {80, 80};
    EXPECT_EQ(runs_of(rules),
              (std::vector<compile::Run>{{0, 4, {F::SourceAddr}}, {4, 4, {F::SourceAddr}}}));
}

TEST(CompileRuns, TheLongerFieldWins)
{
    // Same source, destinations differ: a destination run.
    std::vector<model::Rule> rules;
    for (int i = 1; i <= 5; ++i) {
        model::Rule r = to(ip(198, 51, 100, i));
        r.src = ip(10, 0, 0, 1);
        r.src_mask = prefix(32);
        rules.push_back(r);
    }
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 5, {F::DestAddr}}}));
}

TEST(CompileRuns, TheRunIsOneLookupRuleAndASet)
{
    model::Ruleset rs = fx::ruleset();
    fx::append(rs, "input", from(ip(10, 0, 0, 0), 8, TargetKind::Return));
    for (auto& r : hosts(4)) fx::append(rs, "input", r);
    fx::append(rs, "input", from(ip(172, 16, 0, 0), 12));
    rs.find("input")->rules[2].counters = {3, 300};
    ir::Table t = with_runs(rs);
    const ir::Chain* input = fx::find(t, "input");
    ASSERT_EQ(input->rules.size(), 2u);
    const ir::Rule& lookup = input->rules[1];
    EXPECT_EQ(lookup.comment, "ipchains-run:input-saddr-1");
    ASSERT_FALSE(lookup.matches.empty());
    EXPECT_EQ(std::get<ir::SetLookup>(lookup.matches.back()),
              (ir::SetLookup{{F::SourceAddr}, "input-saddr-1"}));
    EXPECT_EQ(fx::verdicts(*input), (std::vector<std::string>{"return", "drop"}));
    for (const auto& s : lookup.statements)
        EXPECT_FALSE(std::holds_alternative<ir::Counter>(s)) << "elements count, not the rule";

    ASSERT_EQ(t.sets.size(), 1u);
    const ir::Set& set = t.sets[0];
    EXPECT_EQ(set.name, "input-saddr-1");
    EXPECT_EQ(set.chain, "input");
    EXPECT_TRUE(set.interval);  // 172.16.0.0/12
    ASSERT_EQ(set.elements.size(), 5u);
    EXPECT_EQ(set.elements[0].comment,
              "#1 " + compile::rule_comment("input", rs.find("input")->rules[1]));
    EXPECT_EQ(set.elements[1].counter.packets, 3u);
    EXPECT_EQ(set.elements[1].counter.bytes, 300u);
    ASSERT_EQ(set.elements[4].key.size(), 1u);
    EXPECT_EQ(set.elements[4].key[0], (ir::SetKey{F::SourceAddr, ip(172, 16, 0, 0),
                                                  ip(172, 31, 255, 255), ""}));
}

TEST(CompileRuns, HostsOnlyNeedNoIntervals)
{
    model::Ruleset rs = fx::ruleset();
    for (auto& r : hosts(6)) fx::append(rs, "input", r);
    ir::Table t = with_runs(rs);
    ASSERT_EQ(t.sets.size(), 1u);
    EXPECT_FALSE(t.sets[0].interval);
}

TEST(CompileRuns, OffByDefault)
{
    model::Ruleset rs = fx::ruleset();
    for (auto& r : hosts(6)) fx::append(rs, "input", r);
    ir::Table t = fx::compiled(rs);
    EXPECT_TRUE(t.sets.empty());
    EXPECT_EQ(fx::find(t, "input")->rules.size(), 6u);
}

TEST(CompileRuns, MemberCommentsRoundTrip)
{
    size_t k = 0;
    std::string line;
    ASSERT_TRUE(compile::parse_run_member_comment(compile::run_member_comment(12, "-A x -j DENY"),
                                                  k, line));
    EXPECT_EQ(k, 12u);
    EXPECT_EQ(line, "-A x -j DENY");
    EXPECT_FALSE(compile::parse_run_member_comment("-A x -j DENY", k, line));
    EXPECT_FALSE(compile::parse_run_member_comment("#x -A", k, line));
}

// What a commit writes is 1..n in any order (the kernel lists a set in key order); a dump
// that repeated one member and skipped another, or lost one, is not.
TEST(CompileRuns, MemberNumbersMustBeOneToCountEachOnce)
{
    EXPECT_TRUE(compile::run_numbers_complete({}));
    EXPECT_TRUE(compile::run_numbers_complete({3, 1, 2}));
    EXPECT_FALSE(compile::run_numbers_complete({1, 2, 2, 4}));
    EXPECT_FALSE(compile::run_numbers_complete({1, 2, 4}));
    EXPECT_FALSE(compile::run_numbers_complete({0, 1, 2}));
    EXPECT_FALSE(compile::run_numbers_complete({2, 2}));
}

TEST(CompileRunsDiff, OneMoreMemberIsOneElement)
{
    model::Ruleset rs = fx::ruleset();
    for (auto& r : hosts(100)) fx::append(rs, "input", r);
    ir::Table before = with_runs(rs);
    fx::append(rs, "input", from(ip(192, 0, 2, 200)));
    compile::TableDiff d = compile::diff(before, with_runs(rs));
    EXPECT_TRUE(d.flush.empty());
    EXPECT_TRUE(d.fill.empty());
    EXPECT_TRUE(d.append.empty());
    EXPECT_TRUE(d.create_sets.empty());
    EXPECT_TRUE(d.remove_elements.empty());
    ASSERT_EQ(d.add_elements.size(), 1u);
    EXPECT_EQ(d.add_elements[0], (compile::TableDiff::Elements{"input-saddr-1", {100}}));
}

TEST(CompileRunsDiff, DeletingTheLastMemberIsOneElement)
{
    model::Ruleset rs = fx::ruleset();
    for (auto& r : hosts(10)) fx::append(rs, "input", r);
    ir::Table before = with_runs(rs);
    rs.find("input")->rules.pop_back();
    compile::TableDiff d = compile::diff(before, with_runs(rs));
    EXPECT_TRUE(d.flush.empty());
    EXPECT_TRUE(d.add_elements.empty());
    ASSERT_EQ(d.remove_elements.size(), 1u);
    EXPECT_EQ(d.remove_elements[0], (compile::TableDiff::Elements{"input-saddr-1", {9}}));
}

TEST(CompileRunsDiff, DeletingAMiddleMemberRenumbersTheRest)
{
    model::Ruleset rs = fx::ruleset();
    for (auto& r : hosts(6)) fx::append(rs, "input", r);
    ir::Table before = with_runs(rs);
    auto& rules = rs.find("input")->rules;
    rules.erase(rules.begin() + 3);
    compile::TableDiff d = compile::diff(before, with_runs(rs));
    EXPECT_TRUE(d.flush.empty());
    ASSERT_EQ(d.remove_elements.size(), 1u);
    EXPECT_EQ(d.remove_elements[0].index, (std::vector<size_t>{3, 4, 5}));
    ASSERT_EQ(d.add_elements.size(), 1u);
    EXPECT_EQ(d.add_elements[0].index, (std::vector<size_t>{3, 4}));
}

TEST(CompileRunsDiff, ARunThatEndsRemovesItsSetAfterItsRule)
{
    model::Ruleset rs = fx::ruleset();
    for (auto& r : hosts(4)) fx::append(rs, "input", r);
    ir::Table before = with_runs(rs);
    rs.find("input")->rules.pop_back();
    compile::TableDiff d = compile::diff(before, with_runs(rs));
    EXPECT_EQ(d.remove_sets, (std::vector<std::string>{"input-saddr-1"}));
    EXPECT_EQ(d.refill, (std::vector<std::string>{"input"}));
    EXPECT_EQ(d.flush, (std::vector<std::string>{"input"}));
}

TEST(CompileRunsDiff, ANetworkMemberRecreatesAHostSet)
{
    model::Ruleset rs = fx::ruleset();
    for (auto& r : hosts(4)) fx::append(rs, "input", r);
    ir::Table before = with_runs(rs);
    fx::append(rs, "input", from(ip(10, 0, 0, 0), 8));
    compile::TableDiff d = compile::diff(before, with_runs(rs));
    EXPECT_EQ(d.recreate_sets, (std::vector<std::string>{"input-saddr-1"}));
    EXPECT_EQ(d.create_sets, (std::vector<std::string>{"input-saddr-1"}));
    EXPECT_EQ(d.flush, (std::vector<std::string>{"input"}));
}

TEST(CompileRuns, HashSetSizeIsTwiceTheCountRoundedUp)
{
    EXPECT_EQ(compile::run_set_size(0), 64u);
    EXPECT_EQ(compile::run_set_size(4), 64u);
    EXPECT_EQ(compile::run_set_size(32), 64u);
    EXPECT_EQ(compile::run_set_size(33), 128u);
    EXPECT_EQ(compile::run_set_size(64), 128u);
    EXPECT_EQ(compile::run_set_size(65), 256u);
    EXPECT_EQ(compile::run_set_size(10000), 32768u);
    for (size_t n : {1u, 31u, 32u, 33u, 100u, 5000u, 70000u}) {
        uint32_t size = compile::run_set_size(n);
        EXPECT_GE(size, 2 * n) << n;
        EXPECT_EQ(size & (size - 1), 0u) << n;  // a power of two
        EXPECT_GE(compile::run_set_size(n + 1), size) << n;
    }
}

TEST(CompileRuns, OnlyHashSetsHaveASize)
{
    model::Ruleset rs = fx::ruleset();
    for (auto& r : hosts(40)) fx::append(rs, "input", r);
    for (auto& r : hosts(4, 100)) {
        r.dst = r.src;
        r.dst_mask = r.src_mask;
        r.src = r.src_mask = 0;
        r.target = TargetKind::Accept;
        fx::append(rs, "output", r);
    }
    fx::append(rs, "output", to(ip(10, 0, 0, 0), 8, TargetKind::Accept));
    ir::Table t = with_runs(rs);
    ASSERT_EQ(t.sets.size(), 2u);
    EXPECT_FALSE(t.sets[0].interval);
    EXPECT_EQ(t.sets[0].size, 128u);  // 40 hosts
    EXPECT_TRUE(t.sets[1].interval);  // 10.0.0.0/8
    EXPECT_EQ(t.sets[1].size, 0u);
}

TEST(CompileRunsDiff, OutgrowingHalfTheSizeRecreatesTheSetWithItsCounters)
{
    model::Ruleset rs = fx::ruleset();
    for (auto& r : hosts(32)) fx::append(rs, "input", r);
    rs.find("input")->rules[7].counters = {7, 700};
    ir::Table before = with_runs(rs);
    ASSERT_EQ(before.sets.size(), 1u);
    EXPECT_EQ(before.sets[0].size, 64u);
    fx::append(rs, "input", from(ip(192, 0, 2, 200)));
    ir::Table after = with_runs(rs);
    ASSERT_EQ(after.sets.size(), 1u);
    EXPECT_EQ(after.sets[0].size, 128u);
    compile::TableDiff d = compile::diff(before, after);
    EXPECT_EQ(d.recreate_sets, (std::vector<std::string>{"input-saddr-1"}));
    EXPECT_EQ(d.create_sets, (std::vector<std::string>{"input-saddr-1"}));
    EXPECT_EQ(d.refill, (std::vector<std::string>{"input"}));
    EXPECT_TRUE(d.add_elements.empty());  // the new set gets all 33 (commit_steps)
    // Every member goes into the new set, with the counter its rule had.
    std::vector<size_t> all(33);
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    bool added = false;
    for (const auto& step : compile::commit_steps(&before, after))
        if (const auto* a = std::get_if<compile::AddElements>(&step)) {
            EXPECT_EQ(*a, (compile::AddElements{"input-saddr-1", all}));
            added = true;
        }
    EXPECT_TRUE(added);
    EXPECT_EQ(after.sets[0].elements[7].counter.packets, 7u);
    EXPECT_EQ(after.sets[0].elements[7].counter.bytes, 700u);

    // Back to 32 members: the smaller size again, one more rebuild.
    d = compile::diff(after, before);
    EXPECT_EQ(d.recreate_sets, (std::vector<std::string>{"input-saddr-1"}));
}

TEST(CompileRunsDiff, GrowingWithinTheSizeKeepsTheSet)
{
    model::Ruleset rs = fx::ruleset();
    for (auto& r : hosts(33)) fx::append(rs, "input", r);
    ir::Table before = with_runs(rs);
    for (int i = 0; i < 31; ++i) fx::append(rs, "input", from(ip(192, 0, 2, 100 + i)));
    compile::TableDiff d = compile::diff(before, with_runs(rs));  // 64 members: still 128
    EXPECT_TRUE(d.recreate_sets.empty());
    EXPECT_TRUE(d.refill.empty());
    ASSERT_EQ(d.add_elements.size(), 1u);
    EXPECT_EQ(d.add_elements[0].index.size(), 31u);
}

TEST(CompileRuns, MayJoinRun)
{
    EXPECT_TRUE(compile::may_join_run(compile::compile_rule("input", from(ip(1, 2, 3, 4)),
                                                            ir::Hook::Prerouting)));
    EXPECT_FALSE(compile::may_join_run(
        compile::compile_rule("input", fx::rule(TargetKind::Deny), ir::Hook::Prerouting)));
}

TEST(CompileRuns, DivertSitePositionsAreUnaffected)
{
    model::Ruleset rs = fx::ruleset();
    for (auto& r : hosts(6)) fx::append(rs, "input", r);
    fx::append(rs, "input", fx::divert(1234));
    auto positions = compile::divert_site_positions(rs);
    ASSERT_TRUE(positions);
    EXPECT_EQ(*positions, (std::map<uint32_t, uint16_t>{{1, 7}}));
    ir::Table t = with_runs(rs);
    EXPECT_EQ(t.sets.size(), 1u);
    EXPECT_NE(fx::find(t, "~cont-1"), nullptr);
}

namespace {

model::Rule to_port(uint16_t lo, uint16_t hi = 0, uint16_t proto = 6)
{
    model::Rule r = fx::rule(TargetKind::Deny);
    r.proto = proto;
    r.dport = {lo, hi ? hi : lo};
    return r;
}

model::Rule on(const std::string& iface, TargetKind t = TargetKind::Accept)
{
    model::Rule r = fx::rule(t);
    r.iface = iface;
    r.flags &= static_cast<uint16_t>(~model::kFlagWildIf);  // an exact name
    return r;
}

model::Rule proto(uint16_t p)
{
    model::Rule r = fx::rule(TargetKind::Accept);
    r.proto = p;
    return r;
}

}  // namespace

TEST(CompileRuns, PortsAndPortRangesMerge)
{
    std::vector<model::Rule> rules = {to_port(22), to_port(25), to_port(6000, 6063),
                                      to_port(8080)};
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 4, {F::DestPort}}}));
    model::Ruleset rs = fx::ruleset();
    for (auto& r : rules) fx::append(rs, "input", r);
    ir::Table t = with_runs(rs);
    ASSERT_EQ(t.sets.size(), 1u);
    EXPECT_TRUE(t.sets[0].interval);
    EXPECT_EQ(t.sets[0].fields, (std::vector<F>{F::DestPort}));
    EXPECT_EQ(t.sets[0].elements[2].key[0], (ir::SetKey{F::DestPort, 6000, 6063, ""}));
    // The protocol stays a match of the lookup rule: every member has it.
    const ir::Rule& lookup = fx::find(t, "input")->rules[0];
    EXPECT_EQ(lookup.matches.front(), ir::Match(ir::Proto{6, false}));
}

TEST(CompileRuns, OverlappingPortsAndOtherProtocolsSplit)
{
    // 6000-6063 then 6010: the range would take the host's packets.
    std::vector<model::Rule> rules = {to_port(22), to_port(25), to_port(6000, 6063),
                                      to_port(6010), to_port(80), to_port(81), to_port(82)};
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{3, 4, {F::DestPort}}}));
    rules = {to_port(22), to_port(25, 0, 17), to_port(53), to_port(80)};
    EXPECT_TRUE(runs_of(rules).empty());
    model::Rule inverted = to_port(1);
    inverted.invflags |= model::kInvDstPort;
    rules = {to_port(22), inverted, to_port(53), to_port(80)};
    EXPECT_TRUE(runs_of(rules).empty());
}

TEST(CompileRuns, InterfacesAndWildcardsThatOverlapNoneMerge)
{
    std::vector<model::Rule> rules = {on("eth0"), on("eth1"), on("dummy0"), on("lo")};
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 4, {F::InIface}}}));
    auto wild = [](const std::string& prefix) {
        model::Rule r = on(prefix);
        r.flags |= model::kFlagWildIf;  // -i ppp+
        return r;
    };
    // ppp+ overlaps no member: it joins, as a range of names.
    rules.insert(rules.begin() + 2, wild("ppp"));
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 5, {F::InIface}}}));
    model::Ruleset rs = fx::ruleset();
    for (auto& r : rules) fx::append(rs, "input", r);
    ir::Table t = with_runs(rs);
    ASSERT_EQ(t.sets.size(), 1u);
    EXPECT_TRUE(t.sets[0].interval);
    EXPECT_EQ(t.sets[0].elements[2].key[0], (ir::SetKey{F::InIface, 0, 0, "ppp", true}));
    // eth+ takes eth0's and eth1's packets (and ppp0 ppp+'s): each ends the run before it.
    rules[2] = wild("eth");
    EXPECT_TRUE(runs_of(rules).empty());
    // ppp0 cannot join ppp+'s run, but eth0 .. eth3 with ppp0 among them overlap none: the
    // longest run starts after ppp+, whose rule still comes first.
    rules = {wild("ppp"), on("eth0"), on("ppp0"), on("eth1"), on("eth2"), on("eth3")};
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{1, 5, {F::InIface}}}));
    // The same name twice: first match.
    rules = {on("eth0"), on("eth1"), on("eth0"), on("eth2"), on("eth3")};
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{1, 4, {F::InIface}}}));
}

TEST(CompileRuns, OutputInterfacesOnOutput)
{
    model::Ruleset rs = fx::ruleset();
    for (const char* n : {"eth0", "eth1", "eth2", "eth3"}) fx::append(rs, "output", on(n));
    ir::Table t = with_runs(rs);
    ASSERT_EQ(t.sets.size(), 1u);
    EXPECT_EQ(t.sets[0].fields, (std::vector<F>{F::OutIface}));
    EXPECT_EQ(t.sets[0].elements[3].key[0].name, "eth3");
}

TEST(CompileRuns, ProtocolsMergeWithoutPortMatches)
{
    std::vector<model::Rule> rules = {proto(6), proto(17), proto(47), proto(50)};
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 4, {F::Proto}}}));
    rules[1].dport = {53, 53};  // a port depends on its protocol
    EXPECT_TRUE(runs_of(rules).empty());
}

TEST(CompileRuns, SourceNetworkAndPortConcatenate)
{
    // A blocklist of "UDP from net N to port P".
    std::vector<model::Rule> rules;
    for (int i = 0; i < 3; ++i)
        for (uint16_t port : {53, 123}) {
            model::Rule r = to_port(port, 0, 17);
            r.src = ip(10, i, 0, 0);
            r.src_mask = prefix(16);
            rules.push_back(r);
        }
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 6, {F::SourceAddr, F::DestPort}}}));
    model::Ruleset rs = fx::ruleset();
    for (auto& r : rules) fx::append(rs, "input", r);
    ir::Table t = with_runs(rs);
    ASSERT_EQ(t.sets.size(), 1u);
    EXPECT_TRUE(t.sets[0].interval);
    EXPECT_EQ(t.sets[0].elements[1].key,
              (std::vector<ir::SetKey>{{F::SourceAddr, ip(10, 0, 0, 0), ip(10, 0, 255, 255), ""},
                                       {F::DestPort, 123, 123, ""}}));
    // 10.0.0.0/8 port 53 covers 10.1.0.0/16 port 53, an earlier member: the run ends.
    model::Rule wide = to_port(53, 0, 17);
    wide.src = ip(10, 0, 0, 0);
    wide.src_mask = prefix(8);
    rules.push_back(wide);
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 6, {F::SourceAddr, F::DestPort}}}));
    // Port 54 does not: a member.
    rules.back().dport = {54, 54};
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 7, {F::SourceAddr, F::DestPort}}}));
}

TEST(CompileRuns, AHostInsideAnEarlierNetworkOfTheConcatenationSplits)
{
    // 10.0.0.0/8 port 53 first, then hosts of 10.1.0.0/16 on other ports: members; one host
    // on port 53 would take the network's packets, so the run ends before it.
    auto udp = [](uint32_t addr, int bits, uint16_t port) {
        model::Rule r = to_port(port, 0, 17);
        r.src = addr & prefix(bits);
        r.src_mask = prefix(bits);
        return r;
    };
    std::vector<model::Rule> rules = {udp(ip(10, 0, 0, 0), 8, 53)};
    for (int i = 1; i <= 4; ++i) rules.push_back(udp(ip(10, 1, 0, i), 32, 123));
    rules.push_back(udp(ip(10, 1, 0, 9), 32, 53));
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 5, {F::SourceAddr, F::DestPort}}}));
    // A /16 between them holds those hosts but not the /8's port: still a member.
    rules.insert(rules.begin() + 1, udp(ip(10, 1, 0, 0), 16, 80));
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 6, {F::SourceAddr, F::DestPort}}}));
    // A host of another network on port 53 overlaps nothing.
    rules.back() = udp(ip(192, 0, 2, 1), 32, 53);
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 7, {F::SourceAddr, F::DestPort}}}));
}

TEST(CompileRuns, OneFieldWinsATieWithAConcatenation)
{
    std::vector<model::Rule> rules;
    for (int i = 1; i <= 4; ++i) {
        model::Rule r = to_port(53, 0, 17);
        r.src = ip(192, 0, 2, i);
        r.src_mask = prefix(32);
        rules.push_back(r);
    }
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 4, {F::SourceAddr}}}));
}

TEST(CompileRuns, MemberKeysForTheAppendPath)
{
    auto c = [](const model::Rule& r) {
        return compile::compile_rule("input", r, ir::Hook::Prerouting);
    };
    auto e = compile::run_member(c(to_port(22)), c(to_port(8000, 8010)), {F::DestPort}, false);
    ASSERT_TRUE(e);
    const auto& key = e->key;
    EXPECT_EQ(key, (std::vector<ir::SetKey>{{F::DestPort, 8000, 8010, ""}}));
    EXPECT_FALSE(e->verdict);
    EXPECT_TRUE(compile::needs_interval({F::DestPort}, key));
    EXPECT_FALSE(compile::run_member(c(to_port(22)), c(to_port(80, 0, 17)), {F::DestPort}, false));
    EXPECT_TRUE(compile::keys_overlap(key, {{F::DestPort, 8010, 8010, ""}}));
    EXPECT_FALSE(compile::keys_overlap(key, {{F::DestPort, 8011, 9000, ""}}));
    // In a verdict map the verdict may differ and goes into the element.
    model::Rule accept = to_port(443);
    accept.target = TargetKind::Accept;
    EXPECT_FALSE(compile::run_member(c(to_port(22)), c(accept), {F::DestPort}, false));
    auto v = compile::run_member(c(to_port(22)), c(accept), {F::DestPort}, true);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->verdict, (ir::Verdict{ir::Verdict::Accept, ""}));
    EXPECT_TRUE(compile::may_join_run(c(on("eth0"))));
    EXPECT_TRUE(compile::may_join_run(c(proto(47))));
}

TEST(CompileRuns, SetNamesOfDifferentChainsDiffer)
{
    const std::vector<F> saddr = {F::SourceAddr};
    // A user chain `a-1` and the second segment `a~1` of chain `a`.
    EXPECT_EQ(compile::run_set_name("a~1", saddr, false, 1), "a-1-saddr-1");
    EXPECT_EQ(compile::run_set_name("a-1", saddr, false, 1), "a--1-saddr-1");
    EXPECT_NE(compile::run_set_name("a-i1", saddr, false, 1),
              compile::run_set_name("a@1", saddr, false, 1));
    EXPECT_EQ(compile::run_set_name("ppp-in@1", {F::SourceAddr, F::DestPort}, false, 2),
              "ppp--in-i1-saddr-dport-2");
    EXPECT_EQ(compile::run_set_name("input", {F::InIface}, false, 1), "input-iif-1");
    EXPECT_EQ(compile::run_set_name("input", {F::SourceAddr}, true, 1), "input-saddr-vmap-1");
}

TEST(CompileRuns, SetsAreNumberedPerKey)
{
    model::Ruleset rs = fx::ruleset();
    for (auto& r : hosts(4)) fx::append(rs, "input", r);
    for (uint16_t p : {22, 25, 80, 443}) fx::append(rs, "input", to_port(p));
    for (auto& r : hosts(4, 100)) fx::append(rs, "input", from(ip(198, 51, 100, 1 + r.src % 256)));
    ir::Table t = with_runs(rs);
    std::vector<std::string> names;
    for (const auto& s : t.sets) names.push_back(s.name);
    EXPECT_EQ(names, (std::vector<std::string>{"input-saddr-1", "input-dport-1", "input-saddr-2"}));
}

TEST(CompileRuns, AcceptAndDenyMembersMakeAVerdictMap)
{
    std::vector<model::Rule> rules;
    for (int i = 1; i <= 6; ++i)
        rules.push_back(from(ip(192, 0, 2, i), 32, i % 3 ? TargetKind::Deny : TargetKind::Accept));
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 6, {F::SourceAddr}, true}}));
    model::Ruleset rs = fx::ruleset();
    for (auto& r : rules) fx::append(rs, "input", r);
    ir::Table t = with_runs(rs);
    ASSERT_EQ(t.sets.size(), 1u);
    EXPECT_TRUE(t.sets[0].map);
    EXPECT_EQ(t.sets[0].name, "input-saddr-vmap-1");
    EXPECT_EQ(t.sets[0].elements[2].verdict, (ir::Verdict{ir::Verdict::Accept, ""}));
    EXPECT_EQ(t.sets[0].elements[3].verdict, (ir::Verdict{ir::Verdict::Drop, ""}));
    const ir::Rule& lookup = fx::find(t, "input")->rules[0];
    EXPECT_EQ(lookup.matches.back(),
              ir::Match(ir::SetLookup{{F::SourceAddr}, t.sets[0].name, true}));
    EXPECT_TRUE(lookup.statements.empty()) << "the map gives the verdict";
}

TEST(CompileRuns, OneTargetStaysASetAndSideEffectsStayOutOfMaps)
{
    // Equal length: the plain set.
    EXPECT_EQ(runs_of(hosts(5)), (std::vector<compile::Run>{{0, 5, {F::SourceAddr}, false}}));
    // REJECT (a mark and accept), -l and -m do something besides the verdict.
    auto rules = hosts(6);
    rules[1].target = TargetKind::Accept;
    rules[4].target = TargetKind::Reject;
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 4, {F::SourceAddr}, true}}));
    rules[4].target = TargetKind::Deny;
    rules[2].flags |= model::kFlagMarkAbs;
    rules[2].mark = 3;
    EXPECT_TRUE(runs_of(rules).empty());
    // RETURN and no target are no map verdicts.
    rules = hosts(6);
    rules[3].target = TargetKind::Return;
    EXPECT_TRUE(runs_of(rules).empty());
}

TEST(CompileRuns, AVerdictMapOnlyWhereItOutrunsTheSetRun)
{
    // Another verdict after the set run: the map holds one member more.
    auto rules = hosts(5);
    rules.push_back(from(ip(192, 0, 2, 6), 32, TargetKind::Accept));
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 6, {F::SourceAddr}, true}}));
    // Another verdict on a host already in the run: the map would stop there too.
    rules.back() = from(ip(192, 0, 2, 3), 32, TargetKind::Accept);
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 5, {F::SourceAddr}, false}}));
    // Another key after the set run, or nothing: no map can be longer.
    rules.back() = to(ip(192, 0, 2, 9), 32, TargetKind::Accept);
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 5, {F::SourceAddr}, false}}));
    rules.pop_back();
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 5, {F::SourceAddr}, false}}));
}

TEST(CompileRunsDiff, AnotherVerdictInAMapReplacesOneElement)
{
    model::Ruleset rs = fx::ruleset();
    for (int i = 1; i <= 5; ++i)
        fx::append(rs, "input",
                   from(ip(192, 0, 2, i), 32, i % 2 ? TargetKind::Deny : TargetKind::Accept));
    ir::Table before = with_runs(rs);
    rs.find("input")->rules[2].target = TargetKind::Accept;
    ir::Table after = with_runs(rs);
    compile::TableDiff d = compile::diff(before, after);
    EXPECT_TRUE(d.recreate_sets.empty());
    ASSERT_EQ(d.remove_elements.size(), 1u);
    EXPECT_EQ(d.remove_elements[0], (compile::TableDiff::Elements{"input-saddr-vmap-1", {2}}));
    ASSERT_EQ(d.add_elements.size(), 1u);
    EXPECT_EQ(d.add_elements[0], (compile::TableDiff::Elements{"input-saddr-vmap-1", {2}}));
    EXPECT_EQ(after.sets[0].elements[2].verdict, (ir::Verdict{ir::Verdict::Accept, ""}));
}

TEST(CompileRuns, RedirectsToDifferentPortsSplit)
{
    std::vector<model::Rule> rules;
    for (int i = 1; i <= 8; ++i) {
        model::Rule r = from(ip(192, 0, 2, i), 32, TargetKind::Redirect);
        r.proto = 6;
        r.redirect_port = i <= 4 ? 8080 : 8081;
        rules.push_back(r);
    }
    // Each port is a site of its own (a mark the nat chain redirects by): two runs, no verdict
    // map (REDIRECT marks, then accepts).
    EXPECT_EQ(runs_of(rules), (std::vector<compile::Run>{{0, 4, {F::SourceAddr}, false},
                                                         {4, 4, {F::SourceAddr}, false}}));
}
