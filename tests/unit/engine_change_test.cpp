// engine::make_change: the commands applied to a snapshot's ruleset, all or nothing, and the
// chains whose counters -Z resets (the one place that is worked out, model/change.h).
#include <gtest/gtest.h>

#include <cerrno>
#include <set>

#include "engine/engine.h"

using namespace ipchains;
using model::Op;

namespace {

model::Command cmd(Op op, const std::string& chain = "")
{
    model::Command c;
    c.op = op;
    c.chain = chain;
    return c;
}

model::Command append(const std::string& chain, uint64_t counted)
{
    model::Command c = cmd(Op::Append, chain);
    model::Rule r;
    r.target = model::TargetKind::Accept;
    r.counters = {counted, counted * 100};
    c.rules = {r};
    return c;
}

// input with one counted rule, output with one rule that never counted.
model::Ruleset counted_input()
{
    model::Ruleset rs = model::Ruleset::initial();
    rs.chains[0].rules.push_back(append("input", 0).rules[0]);
    rs.chains[0].rules[0].counters = {3, 300};
    rs.chains[2].rules.push_back(append("output", 0).rules[0]);
    return rs;
}

TEST(EngineChange, ZeroNamesTheChainsWhoseCountsGo)
{
    const model::Ruleset before = counted_input();
    auto all = engine::make_change(before, {cmd(Op::Zero)});
    ASSERT_TRUE(all.ok());
    // output had nothing to reset; input's counts go, its rules stay.
    EXPECT_EQ(all->zeroed, (std::set<std::string>{"input"}));
    EXPECT_EQ(all->after, before);
    EXPECT_FALSE(engine::changes_nothing(before, *all));

    auto out = engine::make_change(before, {cmd(Op::Zero, "output")});
    ASSERT_TRUE(out.ok());
    EXPECT_TRUE(out->zeroed.empty());
    EXPECT_TRUE(engine::changes_nothing(before, *out));
}

// ipfw zero N (docs/ipfw.md "Listing"): one rule's counts go, the chain's others stay, so
// the chain is recounted from `after`, not zeroed.
TEST(EngineChange, ZeroOfOneRuleRecountsItsChain)
{
    model::Ruleset before = counted_input();
    before.chains[0].rules.push_back(before.chains[0].rules[0]);
    model::Command one = cmd(Op::Zero, "input");
    one.rulenum = 2;
    auto c = engine::make_change(before, {one});
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(c->zeroed.empty());
    EXPECT_EQ(c->recounted, (std::set<std::string>{"input"}));
    EXPECT_EQ(c->after.chains[0].rules[0].counters.packets, 3u);
    EXPECT_EQ(c->after.chains[0].rules[1].counters.packets, 0u);
    EXPECT_FALSE(engine::changes_nothing(before, *c));
    one.rulenum = 3;
    auto past = engine::make_change(before, {one});
    ASSERT_FALSE(past.ok());
}

TEST(EngineChange, EditsAreNotZeroing)
{
    const model::Ruleset before = counted_input();
    auto flushed = engine::make_change(before, {cmd(Op::Flush, "input")});
    ASSERT_TRUE(flushed.ok());
    EXPECT_TRUE(flushed->zeroed.empty());
    EXPECT_FALSE(engine::changes_nothing(before, *flushed));
}

TEST(EngineChange, AFailingCommandNamesItsIndexAndChangesNothing)
{
    const model::Ruleset before = counted_input();
    auto r = engine::make_change(before, {append("input", 0), append("nosuch", 0)});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ENOENT);
    EXPECT_EQ(r.error().line, 2);
}

}  // namespace
