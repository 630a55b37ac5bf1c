// Resume site ids across commands (docs/design.md "Resume site ids"): a path keeps the id the
// kernel's table gave it while rules come and go around it, so a packet a program holds
// meanwhile resumes after its own DIVERT rule.
#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <set>
#include <string>

#include "compile/compile.h"
#include "compile/plan.h"
#include "compile_fixtures.h"

using namespace ipchains;
using model::TargetKind;

namespace {

// What the reader gathers from a table, each continuation named after its id.
std::map<std::string, uint32_t> remembered(const ir::Table& t)
{
    auto out = fx::resume_sites(t);
    for (const auto& [key, id] : out) EXPECT_TRUE(fx::find(t, compile::continuation_name(id)));
    return out;
}

// The resume id a DIVERT rule to `port` stamps in the compiled table, 0 when none does.
uint32_t stamp_of(const ir::Table& t, uint16_t port)
{
    for (const auto& c : t.chains)
        for (const auto& r : c.rules) {
            uint32_t stamp = 0;
            bool queues = false;
            for (const auto& st : r.statements) {
                if (const auto* m = std::get_if<ir::SetMark>(&st)) stamp = m->xor_value;
                if (const auto* q = std::get_if<ir::Queue>(&st)) queues = q->num == port;
            }
            if (queues) return (stamp & compile::kIdMask) >> compile::kIdShift;
        }
    return 0;
}

model::Rule divert_proto(uint16_t port, uint16_t proto)
{
    return fx::with_proto(fx::divert(port), proto);
}

}  // namespace

TEST(CompileSiteIds, ARuleInsertedAboveLeavesTheIdAsItWas)
{
    auto before = fx::ruleset();
    fx::append(before, "input", divert_proto(7, 1));
    ir::Table t1 = fx::compiled(before);
    ASSERT_EQ(stamp_of(t1, 7), 1u);

    // -I input 1 ... -j DIVERT 8, against the table just read.
    auto after = fx::ruleset();
    fx::append(after, "input", divert_proto(8, 17));
    fx::append(after, "input", divert_proto(7, 1));
    after.resume_sites = remembered(t1);
    ir::Table t2 = fx::compiled(after);
    EXPECT_EQ(stamp_of(t2, 7), 1u);
    EXPECT_EQ(stamp_of(t2, 8), 2u);
    EXPECT_EQ(fx::verdicts(*fx::find(t2, "~cont-1")),
              (std::vector<std::string>{"jump input~2", "jump ~input-policy"}));
    // libdivert's sin_port follows the rule to its new place.
    auto positions = compile::divert_site_positions(after);
    ASSERT_TRUE(positions);
    EXPECT_EQ(*positions, (std::map<uint32_t, uint16_t>{{1, 2}, {2, 1}}));
}

TEST(CompileSiteIds, ARuleDeletedAboveLeavesTheIdAsItWas)
{
    auto before = fx::ruleset();
    fx::append(before, "input", divert_proto(8, 17));
    fx::append(before, "input", divert_proto(7, 1));
    ir::Table t1 = fx::compiled(before);
    ASSERT_EQ(stamp_of(t1, 7), 2u);

    auto after = fx::ruleset();
    fx::append(after, "input", divert_proto(7, 1));
    after.resume_sites = remembered(t1);
    ir::Table t2 = fx::compiled(after);
    EXPECT_EQ(stamp_of(t2, 7), 2u);
    EXPECT_EQ(fx::find(t2, "~cont-1"), nullptr);
    EXPECT_EQ(remembered(t2).size(), 1u);

    // The id of the path that just went is not given to a new one in the same command.
    fx::append(after, "input", divert_proto(9, 6));
    ir::Table t3 = fx::compiled(after);
    EXPECT_EQ(stamp_of(t3, 7), 2u);
    EXPECT_EQ(stamp_of(t3, 9), 3u);
}

TEST(CompileSiteIds, ThePathThroughUserChainsIsTheKey)
{
    auto before = fx::ruleset({"d"});
    fx::append(before, "d", divert_proto(7, 1));
    fx::append(before, "input", fx::jump("d"));
    fx::append(before, "output", fx::jump("d"));
    ir::Table t1 = fx::compiled(before);
    ASSERT_EQ(remembered(t1).size(), 2u);

    // A rule above the jump from output: both paths keep their ids.
    auto after = fx::ruleset({"d"});
    fx::append(after, "d", divert_proto(7, 1));
    fx::append(after, "input", fx::jump("d"));
    fx::append(after, "output", fx::rule(TargetKind::Accept));
    fx::append(after, "output", fx::jump("d"));
    after.resume_sites = remembered(t1);
    ir::Table t2 = fx::compiled(after);
    EXPECT_EQ(remembered(t2), remembered(t1));
}

TEST(CompileSiteIds, EqualRulesAreToldApartByTheirOrder)
{
    auto rs = fx::ruleset();
    fx::append(rs, "input", divert_proto(7, 1));
    fx::append(rs, "input", divert_proto(7, 1));
    ir::Table t = fx::compiled(rs);
    auto kept = remembered(t);
    ASSERT_EQ(kept.size(), 2u);
    std::set<uint32_t> ids;
    for (const auto& [key, id] : kept) ids.insert(id);
    EXPECT_EQ(ids, (std::set<uint32_t>{1, 2}));
}

TEST(CompileSiteIds, ARememberedIdIsTakenAgainOnlyWhenNoOtherIsFree)
{
    auto rs = fx::ruleset();
    fx::append(rs, "input", divert_proto(7, 1));
    fx::append(rs, "input", divert_proto(8, 17));
    rs.resume_sites = {{"gone-a", 1}, {"gone-b", 2}};
    auto plan = compile::detail::make_plan(rs, {0, 3});
    ASSERT_TRUE(plan);
    ASSERT_EQ(plan->sites.size(), 2u);
    EXPECT_EQ(plan->sites[0].id, 3u);
    EXPECT_EQ(plan->sites[1].id, 1u);
    EXPECT_EQ(plan->instances[plan->sites[1].instance].site[plan->sites[1].rule], 1u);

    // A remembered id outside the range is not kept.
    rs.resume_sites = {{plan->sites[0].key, 2049}};
    plan = compile::detail::make_plan(rs, {0, 3});
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->sites[0].id, 1u);

    fx::append(rs, "input", divert_proto(9, 6));
    fx::append(rs, "input", divert_proto(10, 6));
    plan = compile::detail::make_plan(rs, {0, 3});
    ASSERT_FALSE(plan);
    EXPECT_EQ(plan.error().code, ENOSPC);
}

TEST(CompileSiteIds, ContinuationCommentRoundTrip)
{
    const std::string c = compile::continuation_comment({17, "00ff00ff00ff00ff"});
    EXPECT_EQ(c, "ipchains-layout:cont:17:00ff00ff00ff00ff");
    auto site = compile::parse_continuation_comment(c);
    ASSERT_TRUE(site);
    EXPECT_EQ(site->id, 17u);
    EXPECT_EQ(site->key, "00ff00ff00ff00ff");
    // An older version's comment has no key: its ids are not kept.
    EXPECT_FALSE(compile::parse_continuation_comment("ipchains-layout:cont"));
    EXPECT_FALSE(compile::parse_continuation_comment("ipchains-layout:cont:0:ab"));
    EXPECT_FALSE(compile::parse_continuation_comment("ipchains-layout:cont:x:ab"));
    EXPECT_FALSE(compile::parse_continuation_comment("ipchains-layout:cont:3:"));
    EXPECT_FALSE(compile::parse_continuation_comment("ipchains:0:0:0:in:ACCEPT:input"));
}
