// compile::commit_steps and refill_steps: the one ordered walk both backends encode.
#include <gtest/gtest.h>

#include "compile/steps.h"
#include "compile_fixtures.h"
#include "steps_fixture.h"

using namespace ipchains;
using Lines = std::vector<std::string>;

TEST(CompileSteps, EveryKindOfChangeInTransactionOrder)
{
    fx::StepTables t = fx::step_tables();
    EXPECT_EQ(fx::describe(compile::commit_steps(&t.before, t.after)),
              (Lines{
                  // Chains that go or are refilled are emptied first (`before` order) ...
                  "flush chain base",
                  "flush chain old",
                  "flush chain moved",
                  // ... so nothing jumps to the chains and sets deleted next.
                  "delete chain old",
                  "delete chain moved",
                  "delete set gone-set",
                  "delete elements kept-set 0",
                  "add set new-set",
                  "add elements new-set 0 1",
                  "add elements kept-set 1",
                  "delete counter old-c",
                  "add counter new-c",
                  "add chain moved",
                  "add chain fresh",
                  "set policy base",
                  // Filled chains in `after` order, then the appended tails.
                  "add rule base 0",
                  "add rule moved 0",
                  "add rule fresh 0",
                  "add rule kept 1",
              }));
}

TEST(CompileSteps, WithoutATableEverythingIsCreated)
{
    fx::StepTables t = fx::step_tables();
    EXPECT_EQ(fx::describe(compile::commit_steps(nullptr, t.after)),
              (Lines{
                  "add table",
                  "add set kept-set",
                  "add elements kept-set 0 1",
                  "add set new-set",
                  "add elements new-set 0 1",
                  "add counter new-c",
                  "add chain base",
                  "add chain kept",
                  "add chain moved",
                  "add chain fresh",
                  "add rule base 0",
                  "add rule kept 0",
                  "add rule kept 1",
                  "add rule moved 0",
                  "add rule fresh 0",
              }));
}

TEST(CompileSteps, SameTableNoSteps)
{
    ir::Table a = fx::compiled(fx::rich_ruleset());
    EXPECT_TRUE(compile::commit_steps(&a, a).empty());
}

TEST(CompileSteps, RefillRebuildsChainsAndTheirRuns)
{
    fx::StepTables t = fx::step_tables();
    EXPECT_EQ(fx::describe(compile::refill_steps(t.after, {"kept", "moved"})),
              (Lines{
                  "flush chain kept",
                  "flush chain moved",
                  "delete elements kept-set 0 1",
                  "add elements kept-set 0 1",
                  "add rule kept 0",
                  "add rule kept 1",
                  "add rule moved 0",
              }));
}

// After a commit in the same transaction: what the commit already rebuilt (chain `moved`,
// flushed and filled) is left alone, the rest is refilled.
TEST(CompileSteps, RefillAfterACommitSkipsWhatTheCommitRebuilt)
{
    fx::StepTables t = fx::step_tables();
    std::vector<compile::Step> done = {compile::FlushChain{"moved"},
                                       compile::AddRule{"moved", 0}};
    EXPECT_EQ(fx::describe(compile::refill_steps(t.after, {"kept", "moved"}, done)),
              (Lines{
                  "flush chain kept",
                  "delete elements kept-set 0 1",
                  "add elements kept-set 0 1",
                  "add rule kept 0",
                  "add rule kept 1",
              }));
    done.push_back(compile::AddElements{"kept-set", {1}});
    EXPECT_EQ(fx::describe(compile::refill_steps(t.after, {"kept"}, done)),
              (Lines{
                  "flush chain kept",
                  "add rule kept 0",
                  "add rule kept 1",
              }));
}

// A user chain reached from input and output has a copy per hook; the copies' shares of the
// counts only add up again if every copy is rebuilt when one comes or goes.
TEST(CompileSteps, ReshapedChainsAreThoseWhoseCopiesComeGoOrAreRebuilt)
{
    using fx::append;
    model::Ruleset both = fx::ruleset({"acct"});
    append(both, "acct", fx::rule());
    append(both, "input", fx::jump("acct"));
    append(both, "output", fx::jump("acct"));
    model::Ruleset in_only = fx::ruleset({"acct"});
    append(in_only, "acct", fx::rule());
    append(in_only, "input", fx::jump("acct"));
    const ir::Table a = fx::compiled(both), b = fx::compiled(in_only);

    auto reshaped = [](const ir::Table& from, const ir::Table& to) {
        return compile::reshaped_chains(&from, to, compile::commit_steps(&from, to));
    };
    // output's copy of acct goes (and output loses its jump: it is flushed) ...
    EXPECT_EQ(reshaped(a, b), (std::set<std::string>{"acct", "output"}));
    // ... and comes back (output only gains the jump at its end).
    EXPECT_EQ(reshaped(b, a), (std::set<std::string>{"acct"}));

    // One more rule at the end of every copy: nothing is rebuilt, the counts keep running.
    model::Ruleset grown = both;
    append(grown, "acct", fx::rule(model::TargetKind::Accept));
    EXPECT_TRUE(reshaped(a, fx::compiled(grown)).empty());
    EXPECT_TRUE(compile::reshaped_chains(&a, a, {}).empty());
}
