// divert_site_positions(): resume site id -> position of the DIVERT rule in its chain, and
// agreement with the site ids compile() writes into the table.
#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <set>
#include <string>

#include "compile/compile.h"
#include "compile_fixtures.h"

using namespace ipchains;
using model::TargetKind;
using Positions = std::map<uint32_t, uint16_t>;

namespace {

Positions positions(const model::Ruleset& rs)
{
    auto p = compile::divert_site_positions(rs);
    if (!p) throw std::runtime_error("divert_site_positions: " + p.error().message);
    return *p;
}

struct TableSites {
    Positions stamped;               // site id -> position, read off the carriers
    std::set<uint32_t> continuations;  // ids of the `~cont-<id>` chains
};

// What the compiled table itself says: each DIVERT carrier's resume stamp, and its position
// counted over the carriers (rules with a comment) of its instance's segments, in order.
TableSites table_sites(const ir::Table& t)
{
    std::map<std::pair<std::string, int>, std::map<int, const ir::Chain*>> instances;
    TableSites out;
    for (const auto& c : t.chains) {
        if (c.name.rfind("~cont-", 0) == 0)
            out.continuations.insert(static_cast<uint32_t>(std::stoul(c.name.substr(6))));
        if (auto tag = compile::parse_chain_comment(c.comment))
            instances[{tag->name, tag->instance}][tag->segment] = &c;
    }
    for (const auto& [key, segments] : instances) {
        int position = 0;
        for (const auto& [seg, chain] : segments) {
            for (const auto& r : chain->rules) {
                if (r.comment.empty()) continue;  // the layout's `goto <next segment>`
                ++position;
                for (const auto& s : r.statements) {
                    const auto* m = std::get_if<ir::SetMark>(&s);
                    if (m == nullptr ||
                        (m->xor_value & compile::kKindMask) !=
                            compile::mark_stamp(compile::MarkKind::Resume, 0))
                        continue;
                    uint32_t id = (m->xor_value & compile::kIdMask) >> compile::kIdShift;
                    EXPECT_FALSE(out.stamped.count(id)) << "site " << id << " stamped twice";
                    out.stamped[id] = static_cast<uint16_t>(position);
                }
            }
        }
    }
    return out;
}

void expect_agreement(const model::Ruleset& rs, bool all_reached = true)
{
    Positions p = positions(rs);
    TableSites ts = table_sites(fx::compiled(rs));
    EXPECT_EQ(p, ts.stamped);
    std::set<uint32_t> ids;
    for (const auto& [id, pos] : p) ids.insert(id);
    if (all_reached) {
        EXPECT_EQ(ids, ts.continuations);
    } else {
        for (uint32_t id : ts.continuations) EXPECT_TRUE(ids.count(id)) << id;
    }
}

}  // namespace

TEST(CompileSitePositions, NoDivertIsEmpty)
{
    EXPECT_TRUE(positions(model::Ruleset::initial()).empty());
    auto rs = fx::ruleset({"c"});
    fx::append(rs, "c", fx::rule(TargetKind::Accept));
    fx::append(rs, "input", fx::jump("c"));
    fx::append(rs, "output", fx::rule(TargetKind::Deny));
    EXPECT_TRUE(positions(rs).empty());
    expect_agreement(rs);
}

TEST(CompileSitePositions, BuiltinChainsAtSeveralPositions)
{
    auto rs = fx::ruleset();
    fx::append(rs, "input", fx::rule(TargetKind::Accept));
    fx::append(rs, "input", fx::divert(1000));
    fx::append(rs, "input", fx::rule(TargetKind::Deny));
    fx::append(rs, "input", fx::divert(1001));
    fx::append(rs, "forward", fx::rule());
    fx::append(rs, "forward", fx::rule());
    fx::append(rs, "forward", fx::divert(1002));
    fx::append(rs, "output", fx::divert(1003));
    fx::append(rs, "output", fx::rule(TargetKind::Accept));
    // Ids in plan order: input's sites, then forward's, then output's.
    EXPECT_EQ(positions(rs), (Positions{{1, 2}, {2, 4}, {3, 3}, {4, 1}}));
    expect_agreement(rs);
}

TEST(CompileSitePositions, UserChainReachedFromTwoBuiltinsIsTwoSitesOnePosition)
{
    auto rs = fx::ruleset({"ppp-in"});
    fx::append(rs, "ppp-in", fx::rule(TargetKind::Return));
    fx::append(rs, "ppp-in", fx::rule());
    fx::append(rs, "ppp-in", fx::divert(7));
    fx::append(rs, "input", fx::rule());
    fx::append(rs, "input", fx::jump("ppp-in"));
    fx::append(rs, "output", fx::jump("ppp-in"));
    // The position is within ppp-in, not of the jump in input/output.
    EXPECT_EQ(positions(rs), (Positions{{1, 3}, {2, 3}}));
    expect_agreement(rs);
}

TEST(CompileSitePositions, NestedUserChainsAndSamePathTwice)
{
    auto rs = fx::ruleset({"a", "b"});
    fx::append(rs, "b", fx::rule(TargetKind::Return));
    fx::append(rs, "b", fx::rule());
    fx::append(rs, "b", fx::divert(5));
    fx::append(rs, "a", fx::jump("b"));
    fx::append(rs, "a", fx::divert(6));
    fx::append(rs, "forward", fx::jump("a"));
    fx::append(rs, "forward", fx::divert(8));
    fx::append(rs, "forward", fx::jump("a"));
    Positions p = positions(rs);
    ASSERT_EQ(p.size(), 5u);  // two paths through a (b's DIVERT and a's) plus forward's own
    std::multiset<uint16_t> got;
    for (const auto& [id, pos] : p) got.insert(pos);
    EXPECT_EQ(got, (std::multiset<uint16_t>{2, 2, 2, 3, 3}));
    expect_agreement(rs);
}

TEST(CompileSitePositions, UnreachedChainStillHasItsSites)
{
    auto rs = fx::ruleset({"lonely"});
    fx::append(rs, "lonely", fx::rule());
    fx::append(rs, "lonely", fx::divert(3));
    fx::append(rs, "input", fx::divert(4));
    // Stamped but never dispatched: no continuation for site 2.
    EXPECT_EQ(positions(rs), (Positions{{1, 1}, {2, 2}}));
    expect_agreement(rs, /*all_reached=*/false);
    EXPECT_EQ(table_sites(fx::compiled(rs)).continuations, (std::set<uint32_t>{1}));
}

TEST(CompileSitePositions, AgreesWithCompileOnTheRichRuleset)
{
    model::Ruleset rs = fx::rich_ruleset();
    Positions p = positions(rs);
    // input rule 1, and ppp-in rule 2 once per path (input, forward, output).
    std::multiset<uint16_t> got;
    for (const auto& [id, pos] : p) got.insert(pos);
    EXPECT_EQ(got, (std::multiset<uint16_t>{1, 2, 2, 2}));
    expect_agreement(rs);
}

TEST(CompileSitePositions, PositionIsClampedTo16Bits)
{
    auto rs = fx::ruleset();
    rs.find("input")->rules.assign(70000, fx::rule());
    rs.find("input")->rules.push_back(fx::divert(9));
    rs.find("input")->rules[10] = fx::divert(9);
    EXPECT_EQ(positions(rs), (Positions{{1, 11}, {2, 65535}}));
}

TEST(CompileSitePositions, FailsAsCompileDoes)
{
    auto rs = fx::ruleset({"a", "b"});
    rs.find("a")->rules = {fx::jump("b"), fx::divert(1)};
    rs.find("b")->rules = {fx::jump("a")};
    rs.find("input")->rules = {fx::jump("a")};
    auto p = compile::divert_site_positions(rs);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code, ELOOP);
    EXPECT_EQ(p.error().code, compile::compile(rs).error().code);
}

// A rule added by ipfw reports its number (docs/ipfw.md "Rule numbers"), DIVERT and TEE alike.
TEST(CompileSitePositions, IpfwNumberWins)
{
    auto rs = fx::ruleset();
    model::Rule numbered = fx::divert(1000);
    numbered.number = 100;
    model::Rule tee = fx::divert(1001);
    tee.target = TargetKind::Tee;
    tee.number = 250;
    fx::append(rs, "input", fx::rule(TargetKind::Accept));
    fx::append(rs, "input", numbered);
    fx::append(rs, "input", fx::divert(1002));
    fx::append(rs, "output", tee);
    EXPECT_EQ(positions(rs), (Positions{{1, 100}, {2, 3}, {3, 250}}));
}

// docs/ipfw.md "IPv6": the ip6 table is compiled from the ip6 rules alone, its sites numbered
// after compile::kSite6Base, and the map covers both tables' sites.
TEST(SitePositions, Ip6RulesHaveTheirOwnTableAndSiteIds)
{
    auto rs = model::Ruleset::initial();
    model::Rule v4;
    v4.target = TargetKind::Divert;
    v4.redirect_port = 7000;
    v4.number = 200;
    v4.flags = model::kFlagWildIf;  // no interface: every one
    model::Rule v6 = v4;
    v6.ip6 = true;
    v6.number = 100;
    v6.redirect_port = 8000;
    v6.dst6.len = 16;
    v6.dst6.addr[0] = 0x20;
    v6.dst6.addr[1] = 0x01;
    rs.find("input")->rules = {v6, v4};
    rs.find("output")->rules = {v6};
    rs.find("input")->policy = model::Policy::Deny;

    const Positions want{{1, 200}, {compile::kSite6Base + 1, 100}, {compile::kSite6Base + 2, 100}};
    EXPECT_EQ(positions(rs), want);

    auto t4 = compile::compile(rs);
    ASSERT_TRUE(t4.ok()) << t4.error().message;
    compile::Options o6;
    o6.ip6 = true;
    auto t6 = compile::compile(rs, o6);
    ASSERT_TRUE(t6.ok()) << t6.error().message;
    auto count_addr6 = [](const ir::Table& t) {
        int n = 0;
        for (const auto& c : t.chains)
            for (const auto& r : c.rules)
                for (const auto& m : r.matches) n += std::holds_alternative<ir::Addr6>(m);
        return n;
    };
    EXPECT_EQ(count_addr6(*t4), 0);
    EXPECT_EQ(count_addr6(*t6), 2);
    EXPECT_EQ(table_sites(*t4).continuations, (std::set<uint32_t>{1}));
    EXPECT_EQ(table_sites(*t6).continuations,
              (std::set<uint32_t>{compile::kSite6Base + 1, compile::kSite6Base + 2}));
    // The IPv6 table's policies accept: ipchains' policies are IPv4's.
    for (const auto& c : t6->chains)
        if (c.name == "~input-policy")
            EXPECT_TRUE(std::holds_alternative<ir::Verdict>(c.rules.back().statements.back()) &&
                        std::get<ir::Verdict>(c.rules.back().statements.back()).kind ==
                            ir::Verdict::Accept);
}

// docs/ipfw.md "IPv6": an ip6 rule's protocol is the upper layer (meta l4proto) and its ports
// need no fragment test (the transport-header load fails on a later IPv6 fragment).
TEST(SitePositions, Ip6ProtocolAndPortsCompileWithoutFragmentTest)
{
    auto rs = model::Ruleset::initial();
    model::Rule v6;
    v6.target = TargetKind::Divert;
    v6.redirect_port = 8000;
    v6.number = 100;
    v6.flags = model::kFlagWildIf;
    v6.ip6 = true;
    v6.proto = 17;
    v6.dport.lo = v6.dport.hi = 7000;
    rs.find("input")->rules = {v6};
    compile::Options o6;
    o6.ip6 = true;
    auto t6 = compile::compile(rs, o6);
    ASSERT_TRUE(t6.ok()) << t6.error().message;
    int carriers = 0;
    for (const auto& c : t6->chains)
        for (const auto& r : c.rules) {
            bool port = false;
            for (const auto& m : r.matches) port = port || std::holds_alternative<ir::Port>(m);
            if (!port) continue;
            ++carriers;
            // Then the layout's own mark test, never a fragment test.
            ASSERT_GE(r.matches.size(), 2u);
            EXPECT_EQ(r.matches[0], ir::Match(ir::Proto{17, false, true}));
            EXPECT_EQ(r.matches[1], ir::Match(ir::Port{false, 7000, 7000, false}));
            for (const auto& m : r.matches) EXPECT_FALSE(std::holds_alternative<ir::Fragment>(m));
        }
    EXPECT_EQ(carriers, 1);
}

// docs/ipfw.md "IPv6": an ip6 `reject` is deferred like IPv4's, and the ip6 table's post chain
// answers with ICMPv6 port-unreachable; the ip table gets no post chain for it.
TEST(SitePositions, Ip6RejectAnswersWithIcmp6)
{
    auto rs = model::Ruleset::initial();
    model::Rule v6;
    v6.target = TargetKind::Reject;
    v6.number = 100;
    v6.flags = model::kFlagWildIf;
    v6.ip6 = true;
    rs.find("input")->rules = {v6};
    rs.find("output")->rules = {v6};
    auto t4 = compile::compile(rs);
    ASSERT_TRUE(t4.ok()) << t4.error().message;
    compile::Options o6;
    o6.ip6 = true;
    auto t6 = compile::compile(rs, o6);
    ASSERT_TRUE(t6.ok()) << t6.error().message;
    auto rejects = [](const ir::Table& t, const std::string& chain) {
        std::vector<ir::Statement> out;
        for (const auto& c : t.chains)
            if (c.name == chain)
                for (const auto& r : c.rules)
                    for (const auto& s : r.statements)
                        if (std::holds_alternative<ir::Reject>(s) ||
                            std::holds_alternative<ir::Verdict>(s))
                            out.push_back(s);
        return out;
    };
    EXPECT_TRUE(rejects(*t4, compile::post_chain_name(ir::Hook::Prerouting, 1)).empty());
    EXPECT_EQ(rejects(*t6, compile::post_chain_name(ir::Hook::Prerouting, 1)),
              (std::vector<ir::Statement>{ir::Reject{ir::Reject::Port6Unreach}}));
    // Output: nft cannot reject in postrouting; the local sender gets EPERM, as for IPv4.
    EXPECT_EQ(rejects(*t6, compile::post_chain_name(ir::Hook::Postrouting, 1)),
              (std::vector<ir::Statement>{ir::Verdict{ir::Verdict::Drop, ""}}));
}
