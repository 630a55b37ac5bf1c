// engine::apply, chain operations, and the (operation, errno) message table.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "engine/engine.h"

using namespace ipchains;
using model::Op;
using model::TargetKind;

namespace {

model::Command cmd(Op op, const std::string& chain = "")
{
    model::Command c;
    c.op = op;
    c.chain = chain;
    return c;
}

model::Rule jump(const std::string& to)
{
    model::Rule r;
    r.target = TargetKind::Chain;
    r.target_chain = to;
    return r;
}

model::Rule counted(uint64_t n)
{
    model::Rule r;
    r.counters = {n, n * 100};
    return r;
}

void expect_error(model::Ruleset& rs, const model::Command& c, int err, const std::string& msg)
{
    model::Ruleset before = rs;
    auto r = engine::apply(rs, c);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, err);
    EXPECT_EQ(r.error().message, msg);
    EXPECT_TRUE(rs == before);
}

void expect_ok(model::Ruleset& rs, const model::Command& c)
{
    auto r = engine::apply(rs, c);
    ASSERT_TRUE(r.ok()) << r.error().message;
}

model::Ruleset with_counts()
{
    auto rs = model::Ruleset::initial();
    expect_ok(rs, cmd(Op::NewChain, "user"));
    rs.find("input")->rules = {counted(1), counted(2)};
    rs.find("user")->rules = {counted(3)};
    rs.find("input")->policy_counters = {10, 1000};
    return rs;
}

}  // namespace

TEST(EngineNewChain, CreatesEmptyUserChainAtTheEnd)
{
    auto rs = model::Ruleset::initial();
    expect_ok(rs, cmd(Op::NewChain, "ppp-in"));
    expect_ok(rs, cmd(Op::NewChain, "12345678"));
    ASSERT_EQ(rs.chains.size(), 5u);
    EXPECT_EQ(rs.chains[3].name, "ppp-in");
    EXPECT_FALSE(rs.chains[3].builtin());
    EXPECT_EQ(rs.refcount("ppp-in"), 0);
}

TEST(EngineNewChain, Errors)
{
    auto rs = model::Ruleset::initial();
    expect_ok(rs, cmd(Op::NewChain, "foo"));
    expect_error(rs, cmd(Op::NewChain, "foo"), EEXIST, "Chain already exists");
    expect_error(rs, cmd(Op::NewChain, "input"), EEXIST, "Chain already exists");
    expect_error(rs, cmd(Op::NewChain, "123456789"), EINVAL, "Invalid argument");
    for (const char* reserved : {"ACCEPT", "DENY", "REJECT", "MASQ", "REDIRECT", "RETURN",
                                 "DIVERT", "QUEUE", "-", "", "a~1", "a@1", "~x"})
        expect_error(rs, cmd(Op::NewChain, reserved), EINVAL, "Invalid argument");
}

TEST(EngineDeleteChain, Errors)
{
    auto rs = model::Ruleset::initial();
    expect_ok(rs, cmd(Op::NewChain, "a"));
    expect_ok(rs, cmd(Op::NewChain, "b"));
    const std::string busy = std::strerror(EBUSY);
    EXPECT_EQ(busy, "Device or resource busy");
    expect_error(rs, cmd(Op::DeleteChain, "input"), EBUSY, busy);
    expect_error(rs, cmd(Op::DeleteChain, "forward"), EBUSY, busy);
    expect_error(rs, cmd(Op::DeleteChain, "output"), EBUSY, busy);
    expect_error(rs, cmd(Op::DeleteChain, "nosuch"), ENOENT, "No chain by that name");
    expect_error(rs, cmd(Op::DeleteChain, "123456789"), ENOENT, "No chain by that name");

    rs.find("a")->rules = {jump("b")};
    rs.find("b")->rules = {model::Rule{}};
    // b is referenced and not empty: the refcount is checked first
    expect_error(rs, cmd(Op::DeleteChain, "b"), EBUSY, busy);
    expect_error(rs, cmd(Op::DeleteChain, "a"), ENOTEMPTY, "Chain is not empty");
    rs.find("a")->rules.clear();
    expect_error(rs, cmd(Op::DeleteChain, "b"), ENOTEMPTY, "Chain is not empty");
    rs.find("b")->rules.clear();
    expect_ok(rs, cmd(Op::DeleteChain, "b"));
    EXPECT_EQ(rs.find("b"), nullptr);
}

TEST(EngineDeleteChain, AllUserChains)
{
    auto rs = model::Ruleset::initial();
    for (const char* n : {"a", "b", "c"}) expect_ok(rs, cmd(Op::NewChain, n));
    rs.find("c")->rules = {model::Rule{}};
    expect_error(rs, cmd(Op::DeleteChain), ENOTEMPTY, "Chain is not empty");
    EXPECT_EQ(rs.chains.size(), 6u);  // all or nothing
    rs.find("c")->rules.clear();
    rs.find("input")->rules = {jump("b")};
    expect_error(rs, cmd(Op::DeleteChain), EBUSY, std::strerror(EBUSY));
    rs.find("input")->rules.clear();
    expect_ok(rs, cmd(Op::DeleteChain));
    EXPECT_EQ(rs.chains.size(), 3u);
}

TEST(EngineFlush, OneOrAll)
{
    auto rs = with_counts();
    expect_ok(rs, cmd(Op::Flush, "user"));
    EXPECT_TRUE(rs.find("user")->rules.empty());
    EXPECT_EQ(rs.find("input")->rules.size(), 2u);
    rs.find("user")->rules = {counted(1)};
    expect_ok(rs, cmd(Op::Flush));
    for (const auto& c : rs.chains) EXPECT_TRUE(c.rules.empty()) << c.name;
    expect_error(rs, cmd(Op::Flush, "nosuch"), ENOENT, "No chain by that name");
}

TEST(EngineFlush, DropsReferences)
{
    auto rs = model::Ruleset::initial();
    expect_ok(rs, cmd(Op::NewChain, "a"));
    rs.find("input")->rules = {jump("a")};
    expect_ok(rs, cmd(Op::Flush, "input"));
    expect_ok(rs, cmd(Op::DeleteChain, "a"));
}

TEST(EngineZero, RuleCountersOnlyNeverPolicy)
{
    auto rs = with_counts();
    expect_ok(rs, cmd(Op::Zero, "input"));
    EXPECT_EQ(rs.find("input")->rules[1].counters, model::Counters{});
    EXPECT_EQ(rs.find("user")->rules[0].counters, (model::Counters{3, 300}));
    EXPECT_EQ(rs.find("input")->policy_counters, (model::Counters{10, 1000}));
    expect_ok(rs, cmd(Op::Zero));
    EXPECT_EQ(rs.find("user")->rules[0].counters, model::Counters{});
    EXPECT_EQ(rs.find("input")->policy_counters, (model::Counters{10, 1000}));
    expect_error(rs, cmd(Op::Zero, "nosuch"), ENOENT, "No chain by that name");
}

TEST(EngineZero, ListZeroZeroesEveryRule)
{
    auto rs = with_counts();
    expect_ok(rs, cmd(Op::ListZero));
    for (const auto& c : rs.chains)
        for (const auto& r : c.rules) EXPECT_EQ(r.counters, model::Counters{});
    EXPECT_EQ(rs.find("input")->policy_counters, (model::Counters{10, 1000}));
}

TEST(EnginePolicy, Rules)
{
    auto rs = model::Ruleset::initial();
    expect_ok(rs, cmd(Op::NewChain, "user"));
    model::Command c = cmd(Op::SetPolicy, "input");
    c.policy = model::Policy::Deny;
    expect_ok(rs, c);
    EXPECT_EQ(rs.find("input")->policy, model::Policy::Deny);
    c.policy = model::Policy::Reject;
    expect_ok(rs, c);
    c.policy = model::Policy::Masq;
    expect_error(rs, c, EINVAL, "Invalid argument");
    c.chain = "output";
    expect_error(rs, c, EINVAL, "Invalid argument");
    c.chain = "forward";
    expect_ok(rs, c);
    EXPECT_EQ(rs.find("forward")->policy, model::Policy::Masq);
    c.chain = "user";
    c.policy = model::Policy::Accept;
    expect_error(rs, c, EINVAL, "Invalid argument");
    c.chain = "nosuch";
    expect_error(rs, c, ENOENT, "No chain by that name");
}

TEST(EnginePassthrough, SetsTheFlag)
{
    auto rs = model::Ruleset::initial();
    model::Command c = cmd(Op::SetPassthrough);
    c.passthrough = true;
    expect_ok(rs, c);
    EXPECT_TRUE(rs.divert_passthrough);
    c.passthrough = false;
    expect_ok(rs, c);
    EXPECT_FALSE(rs.divert_passthrough);
}

TEST(EngineApply, ReadOnlyCommandsChangeNothing)
{
    auto rs = with_counts();
    auto before = rs;
    for (Op op : {Op::List, Op::Check, Op::Help, Op::Version, Op::MasqList, Op::Status})
        expect_ok(rs, cmd(op, "input"));
    EXPECT_TRUE(rs == before);
}

TEST(EngineErrorText, TableOrder)
{
    using engine::kernel_error_text;
    EXPECT_EQ(kernel_error_text(Op::Append, ENOENT, TargetKind::Accept), "No target by that name");
    EXPECT_EQ(kernel_error_text(Op::Insert, ENOENT, TargetKind::Masq),
              "No target by that name (Maybe this kernel doesn't support masquerading?)");
    EXPECT_EQ(kernel_error_text(Op::Replace, ENOENT, TargetKind::Redirect),
              "No target by that name (Maybe this kernel doesn't support transparent proxying?)");
    EXPECT_EQ(kernel_error_text(Op::DeleteSpec, ENOENT, TargetKind::Masq), "No chain by that name");
    EXPECT_EQ(kernel_error_text(Op::Flush, ENOENT, TargetKind::None), "No chain by that name");
    EXPECT_EQ(kernel_error_text(Op::List, ENOENT, TargetKind::None), "No chain by that name");
    EXPECT_EQ(kernel_error_text(Op::Append, 0, TargetKind::None), "Incompatible with this kernel");
    EXPECT_EQ(kernel_error_text(Op::Append, EPERM, TargetKind::None),
              "Permission denied (you must be root)");
    EXPECT_EQ(kernel_error_text(Op::Append, EACCES, TargetKind::None), "Permission denied");
    EXPECT_EQ(kernel_error_text(Op::DeleteChain, ENOTEMPTY, TargetKind::None),
              "Chain is not empty");
    EXPECT_EQ(kernel_error_text(Op::Flush, ENOTEMPTY, TargetKind::None),
              std::strerror(ENOTEMPTY));
    EXPECT_EQ(kernel_error_text(Op::NewChain, EEXIST, TargetKind::None), "Chain already exists");
    EXPECT_EQ(kernel_error_text(Op::Check, EINVAL, TargetKind::None),
              "bad arguments (does that interface exist?)");
    for (Op op : {Op::DeleteSpec, Op::Insert, Op::DeleteNum, Op::Replace})
        EXPECT_EQ(kernel_error_text(op, EINVAL, TargetKind::None),
                  "bad rule (does a matching rule exist in that chain?)");
    EXPECT_EQ(kernel_error_text(Op::Append, EINVAL, TargetKind::None), "Invalid argument");
    EXPECT_EQ(kernel_error_text(Op::DeleteChain, EBUSY, TargetKind::None),
              "Device or resource busy");
}

TEST(EngineErrorText, CheckVerdicts)
{
    using engine::CheckVerdict;
    EXPECT_STREQ(engine::check_verdict_text(CheckVerdict::Accepted), "accepted");
    EXPECT_STREQ(engine::check_verdict_text(CheckVerdict::Denied), "denied");
    EXPECT_STREQ(engine::check_verdict_text(CheckVerdict::Rejected), "rejected");
    EXPECT_STREQ(engine::check_verdict_text(CheckVerdict::Masqueraded), "masqueraded");
    EXPECT_STREQ(engine::check_verdict_text(CheckVerdict::Redirected), "redirected");
    EXPECT_STREQ(engine::check_verdict_text(CheckVerdict::Diverted), "diverted");
    EXPECT_STREQ(engine::check_verdict_text(CheckVerdict::CaughtInLoop), "caught in loop");
    EXPECT_STREQ(engine::check_verdict_text(CheckVerdict::PassedThrough), "passed through chain");
}
