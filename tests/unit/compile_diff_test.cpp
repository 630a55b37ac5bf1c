// compile::diff: what a backend must change to go from one table to the next.
#include <gtest/gtest.h>

#include <stdexcept>

#include "compile/compile.h"
#include "compile/diff.h"
#include "compile_fixtures.h"

using namespace ipchains;
using model::TargetKind;
using Names = std::vector<std::string>;

TEST(CompileDiff, IdenticalTablesAreEmpty)
{
    ir::Table a = fx::compiled(fx::rich_ruleset());
    compile::TableDiff d = compile::diff(a, a);
    EXPECT_TRUE(d.empty());
    EXPECT_TRUE(d.flush.empty());
    EXPECT_TRUE(d.create.empty());
    EXPECT_TRUE(d.fill.empty());
}

TEST(CompileDiff, CounterValuesAreNotChanges)
{
    model::Ruleset rs = fx::rich_ruleset();
    ir::Table a = fx::compiled(rs);
    rs.find("input")->rules[1].counters = {99, 9999};
    rs.find("input")->policy_counters = {1, 1};
    EXPECT_TRUE(compile::diff(a, fx::compiled(rs)).empty());
}

TEST(CompileDiff, FromNothingCreatesEverything)
{
    ir::Table empty;
    ir::Table a = fx::compiled(fx::rich_ruleset());
    compile::TableDiff d = compile::diff(empty, a);
    EXPECT_EQ(d.add, fx::chain_names(a));
    EXPECT_EQ(d.create, fx::chain_names(a));
    EXPECT_EQ(d.fill, fx::chain_names(a));
    EXPECT_EQ(d.add_counters, (Names{"input-policy", "forward-policy", "output-policy"}));
    EXPECT_TRUE(d.flush.empty());
}

TEST(CompileDiff, AppendIsAnAppend)
{
    model::Ruleset rs = fx::ruleset();
    fx::append(rs, "forward", fx::rule(TargetKind::Accept));
    ir::Table a = fx::compiled(rs);
    fx::append(rs, "forward", fx::rule(TargetKind::Deny));
    compile::TableDiff d = compile::diff(a, fx::compiled(rs));
    ASSERT_EQ(d.append.size(), 1u);
    EXPECT_EQ(d.append[0], (compile::TableDiff::Append{"forward", 1}));
    EXPECT_TRUE(d.refill.empty());
    EXPECT_TRUE(d.add.empty());
}

// docs/design.md "Chain layout": a hook chain jumps into its built-in chain only while that
// holds rules. The first rule brings the jump, the last takes it away, each in the diff of
// the rule.
TEST(CompileDiff, FirstRuleOfABuiltinChainBringsTheJump)
{
    model::Ruleset rs = fx::ruleset();
    ir::Table a = fx::compiled(rs);
    fx::append(rs, "forward", fx::rule(TargetKind::Deny));
    ir::Table b = fx::compiled(rs);
    compile::TableDiff d = compile::diff(a, b);
    EXPECT_EQ(d.refill, (Names{"~fwd-hook"}));
    EXPECT_EQ(d.append, (std::vector<compile::TableDiff::Append>{{"forward", 0}}));
    EXPECT_TRUE(d.add.empty() && d.remove.empty() && d.recreate.empty());
    compile::TableDiff back = compile::diff(b, a);
    EXPECT_EQ(back.refill, (Names{"forward", "~fwd-hook"}));
}

// docs/design.md "Chain layout": between ACCEPT and DENY only the base chain's own policy
// changes, in place; REJECT is a rule, so the policy changes form and the chain is recreated.
TEST(CompileDiff, PolicyBetweenAcceptAndDenyChangesInPlace)
{
    compile::Options opt;
    opt.base_chain_policy = true;
    auto with_policy = [&](model::Policy p) {
        model::Ruleset rs = fx::ruleset();
        fx::append(rs, "forward", fx::rule(TargetKind::Accept));
        rs.find("forward")->policy = p;
        auto t = compile::compile(rs, opt);
        if (!t) throw std::runtime_error(t.error().message);
        return *t;
    };
    const ir::Table accept = with_policy(model::Policy::Accept);
    const ir::Table deny = with_policy(model::Policy::Deny);
    for (const auto& [from, to] : {std::pair{&accept, &deny}, std::pair{&deny, &accept}}) {
        compile::TableDiff d = compile::diff(*from, *to);
        EXPECT_EQ(d.repolicy, (Names{"forward"}));
        EXPECT_TRUE(d.recreate.empty() && d.refill.empty() && d.append.empty());
        EXPECT_TRUE(d.flush.empty() && d.create.empty() && d.fill.empty());
    }
    compile::TableDiff reject = compile::diff(accept, with_policy(model::Policy::Reject));
    EXPECT_TRUE(reject.repolicy.empty());
    EXPECT_EQ(reject.recreate, (Names{"forward"}));
}

TEST(CompileDiff, DeleteIsARefill)
{
    model::Ruleset rs = fx::ruleset();
    fx::append(rs, "input", fx::rule(TargetKind::Deny));
    fx::append(rs, "input", fx::rule(TargetKind::Accept));
    ir::Table a = fx::compiled(rs);
    rs.find("input")->rules.erase(rs.find("input")->rules.begin());
    compile::TableDiff d = compile::diff(a, fx::compiled(rs));
    EXPECT_EQ(d.refill, (Names{"input"}));
    EXPECT_EQ(d.flush, (Names{"input"}));
    EXPECT_EQ(d.fill, (Names{"input"}));
}

TEST(CompileDiff, NewDivertAddsSegmentsAndPostChain)
{
    model::Ruleset rs = fx::ruleset();
    ir::Table a = fx::compiled(rs);
    fx::append(rs, "input", fx::divert(1234));
    ir::Table b = fx::compiled(rs);
    compile::TableDiff d = compile::diff(a, b);
    // No post chain before: the DIVERT brings all three of the input hook, and the policy
    // chain its continuation ends in.
    EXPECT_EQ(d.add, (Names{"~input-policy", "input~1", "~cont-1", "~in-post-1", "~in-post-2",
                            "~in-post-3"}));
    EXPECT_TRUE(d.refill.empty());
    // The first DIVERT rule puts the late write-back check first in every hook chain, under
    // a new comment: they are recreated (docs/design.md "Chain layout").
    EXPECT_EQ(d.recreate, (Names{"~in-hook", "~fwd-hook", "~out-hook"}));
    // input gets the DIVERT rule and its goto.
    ASSERT_EQ(d.append.size(), 1u);
    EXPECT_EQ(d.append[0], (compile::TableDiff::Append{"input", 0}));
    // The added chains are created in `after` order: segments before the jumps to them.
    EXPECT_EQ(d.create, (Names{"~input-policy", "input~1", "~cont-1", "~in-hook", "~fwd-hook",
                               "~out-hook", "~in-post-1", "~in-post-2", "~in-post-3"}));
}

// docs/design.md "Chain layout": a post chain exists only while something needs it, and it
// comes and goes in the same diff as the rule that needs it.
TEST(CompileDiff, FirstRejectBringsItsPostChainLastTakesItAway)
{
    model::Ruleset rs = fx::ruleset();
    fx::append(rs, "forward", fx::rule(TargetKind::Accept));
    ir::Table a = fx::compiled(rs);
    fx::append(rs, "forward", fx::rule(TargetKind::Reject));
    ir::Table b = fx::compiled(rs);
    compile::TableDiff d = compile::diff(a, b);
    EXPECT_EQ(d.add, (Names{"~fwd-post-1"}));
    EXPECT_TRUE(d.recreate.empty());
    EXPECT_TRUE(d.refill.empty());
    EXPECT_EQ(d.append, (std::vector<compile::TableDiff::Append>{{"forward", 1}}));

    compile::TableDiff back = compile::diff(b, a);
    EXPECT_EQ(back.remove, (Names{"~fwd-post-1"}));
    EXPECT_EQ(back.refill, (Names{"forward"}));
}

// The nft backend hands the diff the post chains an older version left (every hook had two),
// as chains without base or rules (NftBackend::reconcile_with_kernel): they are flushed and
// deleted, and one the new layout keeps under another comment is recreated.
TEST(CompileDiff, PostChainsOfAnOlderVersionGo)
{
    model::Ruleset rs = fx::ruleset();
    fx::append(rs, "output", fx::rule(TargetKind::Reject));
    ir::Table after = fx::compiled(rs);
    ir::Table before = after;
    for (auto& c : before.chains)
        if (c.name == "~out-post-1") c.comment = "ipchains-layout:post";
    for (const char* n : {"~in-post-1", "~in-post-2", "~out-post-2"}) {
        ir::Chain stale;
        stale.name = n;
        stale.comment = "ipchains-layout:post";
        before.chains.push_back(stale);
    }
    compile::TableDiff d = compile::diff(before, after);
    EXPECT_EQ(d.remove, (Names{"~in-post-1", "~in-post-2", "~out-post-2"}));
    EXPECT_EQ(d.recreate, (Names{"~out-post-1"}));
    EXPECT_EQ(d.flush, (Names{"~out-post-1", "~in-post-1", "~in-post-2", "~out-post-2"}));
    EXPECT_TRUE(d.add.empty());
}

TEST(CompileDiff, LastDivertTakesTheLateWriteBackCheckAway)
{
    model::Ruleset rs = fx::ruleset();
    fx::append(rs, "output", fx::divert(1234));
    ir::Table a = fx::compiled(rs);
    rs.find("output")->rules.clear();
    ir::Table b = fx::compiled(rs);
    for (const ir::Chain& c : b.chains)
        if (c.base && c.comment.rfind("ipchains-layout:hook", 0) == 0)
            EXPECT_EQ(c.comment.find(":resume"), std::string::npos) << c.name;
    EXPECT_EQ(compile::diff(a, b).recreate, (Names{"~in-hook", "~fwd-hook", "~out-hook"}));
}

TEST(CompileDiff, ReachingAChainFromAnotherHookRecreatesIt)
{
    model::Ruleset rs = fx::ruleset({"u"});
    fx::append(rs, "u", fx::rule(TargetKind::Accept));
    fx::append(rs, "forward", fx::rule(TargetKind::None));
    ir::Table a = fx::compiled(rs);  // u unreached: input side
    fx::append(rs, "forward", fx::jump("u"));
    ir::Table b = fx::compiled(rs);  // u now forward side: other comment, other rules
    compile::TableDiff d = compile::diff(a, b);
    EXPECT_EQ(d.recreate, (Names{"u"}));
    EXPECT_EQ(d.flush, (Names{"u"}));
    EXPECT_EQ(d.create, (Names{"u"}));
    EXPECT_EQ(d.fill, (Names{"u"}));
    ASSERT_EQ(d.append.size(), 1u);
    EXPECT_EQ(d.append[0].chain, "forward");
}

TEST(CompileDiff, ReferrersOfRecreatedChainsAreRefilled)
{
    model::Ruleset rs = fx::ruleset({"a", "b"});
    fx::append(rs, "a", fx::rule(TargetKind::Accept));
    fx::append(rs, "input", fx::jump("a"));
    ir::Table before = fx::compiled(rs);
    rs.find("input")->rules.clear();
    rs.find("a")->rules.clear();
    rs.chains.erase(rs.chains.begin() + 3);  // b moves to position 3: its comment changes
    fx::append(rs, "output", fx::jump("b"));
    ir::Table after = fx::compiled(rs);
    compile::TableDiff d = compile::diff(before, after);
    EXPECT_EQ(d.remove, (Names{"a"}));
    EXPECT_EQ(d.recreate, (Names{"b"}));
    // The hook chains skip input once it is empty and enter output with its first rule.
    EXPECT_EQ(d.refill, (Names{"input", "~in-hook", "~out-hook"}));
    EXPECT_EQ(d.flush, (Names{"a", "input", "b", "~in-hook", "~out-hook"}));  // `before` order
    EXPECT_EQ(d.append.size(), 1u);
}

TEST(CompileDiff, PassthroughToggle)
{
    model::Ruleset rs = fx::ruleset();
    fx::append(rs, "input", fx::divert(1));
    ir::Table a = fx::compiled(rs);
    rs.divert_passthrough = true;
    ir::Table b = fx::compiled(rs);
    compile::TableDiff d = compile::diff(a, b);
    EXPECT_EQ(d.add, (Names{"~passthrough"}));
    EXPECT_EQ(d.refill, (Names{"input"}));  // queue bypass flag
    d = compile::diff(b, a);
    EXPECT_EQ(d.remove, (Names{"~passthrough"}));
}
