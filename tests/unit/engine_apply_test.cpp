// engine::apply, rule operations: docs/reference/firewall-api.md sections 5-7 and the libipfwc
// messages.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "engine/engine.h"

using namespace ipchains;
using model::Op;
using model::TargetKind;

namespace {

model::Rule rule(TargetKind t = TargetKind::None)
{
    model::Rule r;
    r.target = t;
    return r;
}

model::Rule tcp(uint16_t dport, TargetKind t = TargetKind::Accept)
{
    model::Rule r = rule(t);
    r.proto = 6;
    r.dport = {dport, dport};
    return r;
}

model::Command cmd(Op op, const std::string& chain, std::vector<model::Rule> rules = {},
                   uint32_t rulenum = 0)
{
    model::Command c;
    c.op = op;
    c.chain = chain;
    c.rules = std::move(rules);
    c.rulenum = rulenum;
    return c;
}

model::Ruleset with_user(const std::vector<std::string>& names)
{
    model::Ruleset rs = model::Ruleset::initial();
    for (const auto& n : names) {
        model::Chain c;
        c.name = n;
        rs.chains.push_back(c);
    }
    return rs;
}

// Applies and expects failure with exactly this errno and message, and no change.
void expect_error(model::Ruleset& rs, const model::Command& c, int err, const std::string& msg)
{
    model::Ruleset before = rs;
    auto r = engine::apply(rs, c);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, err);
    EXPECT_EQ(r.error().message, msg);
    EXPECT_EQ(r.error().exit_status, 1);
    EXPECT_TRUE(rs == before);
}

void expect_ok(model::Ruleset& rs, const model::Command& c)
{
    auto r = engine::apply(rs, c);
    ASSERT_TRUE(r.ok()) << r.error().message;
}

}  // namespace

TEST(EngineAppend, AppendsInOrderWithWildIfAndZeroCounters)
{
    auto rs = model::Ruleset::initial();
    model::Rule a = tcp(80);
    a.counters = {5, 500};
    expect_ok(rs, cmd(Op::Append, "input", {a, tcp(81)}));
    const auto& rules = rs.find("input")->rules;
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[0].dport.lo, 80);
    EXPECT_EQ(rules[1].dport.lo, 81);
    EXPECT_TRUE(rules[0].flags & model::kFlagWildIf);  // kernel sets it for an empty name
    EXPECT_EQ(rules[0].counters, model::Counters{});
}

TEST(EngineAppend, KeepsExactInterfaceWithoutWildIf)
{
    auto rs = model::Ruleset::initial();
    model::Rule r = rule();
    r.iface = "eth0";
    expect_ok(rs, cmd(Op::Append, "input", {r}));
    EXPECT_FALSE(rs.find("input")->rules[0].flags & model::kFlagWildIf);
}

TEST(EngineAppend, MissingChainIsNoTargetByThatName)
{
    auto rs = model::Ruleset::initial();
    expect_error(rs, cmd(Op::Append, "nosuch", {rule()}), ENOENT, "No target by that name");
    expect_error(rs, cmd(Op::Append, "nosuch", {rule(TargetKind::Masq)}), ENOENT,
                 "No target by that name (Maybe this kernel doesn't support masquerading?)");
    expect_error(rs, cmd(Op::Append, "nosuch", {rule(TargetKind::Redirect)}), ENOENT,
                 "No target by that name (Maybe this kernel doesn't support transparent "
                 "proxying?)");
}

TEST(EngineAppend, TargetMustBeAnExistingUserChain)
{
    auto rs = with_user({"foo"});
    model::Rule r = rule(TargetKind::Chain);
    r.target_chain = "bar";
    expect_error(rs, cmd(Op::Append, "input", {r}), ENOENT, "No target by that name");
    r.target_chain = "forward";  // built-in chains can never be jumped to
    expect_error(rs, cmd(Op::Append, "input", {r}), ENOENT, "No target by that name");
    r.target_chain = "QUEUE";  // in the 2.2 header, unknown to the 2.2 kernel
    expect_error(rs, cmd(Op::Append, "input", {r}), ENOENT, "No target by that name");
    r.target_chain = "foo";
    expect_ok(rs, cmd(Op::Append, "input", {r}));
    EXPECT_EQ(rs.refcount("foo"), 1);
}

TEST(EngineAppend, SpecialNamesResolveBeforeChains)
{
    auto rs = model::Ruleset::initial();
    model::Chain accept;  // 2.2 let anyone create it; a jump can still never reach it
    accept.name = "ACCEPT";
    rs.chains.push_back(accept);
    model::Rule r = rule(TargetKind::Chain);
    r.target_chain = "ACCEPT";
    expect_ok(rs, cmd(Op::Append, "input", {r}));
    EXPECT_EQ(rs.find("input")->rules[0].target, TargetKind::Accept);
    EXPECT_EQ(rs.refcount("ACCEPT"), 0);
}

TEST(EngineAppend, ConvertRuleChecks)
{
    auto rs = model::Ruleset::initial();
    model::Rule r = rule();
    r.flags = 0x40;
    expect_error(rs, cmd(Op::Append, "input", {r}), EINVAL, "Invalid argument");

    r = rule();
    r.dport = {80, 80};  // ports without a protocol
    expect_error(rs, cmd(Op::Append, "input", {r}), EINVAL, "Invalid argument");
    r.proto = 47;
    expect_error(rs, cmd(Op::Append, "input", {r}), EINVAL, "Invalid argument");
    r.proto = 6;
    r.invflags = model::kInvProto;
    expect_error(rs, cmd(Op::Append, "input", {r}), EINVAL, "Invalid argument");
    r.invflags = 0;
    expect_ok(rs, cmd(Op::Append, "input", {r}));
    r.proto = 1;
    expect_ok(rs, cmd(Op::Append, "input", {r}));

    r = rule(TargetKind::Divert);
    r.redirect_port = 0;
    expect_error(rs, cmd(Op::Append, "input", {r}), EINVAL, "Invalid argument");

    r = rule();
    r.flags = model::kFlagMarkAbs;
    r.mark = 0x10000;  // does not fit the 16 user bits
    expect_error(rs, cmd(Op::Append, "input", {r}), EINVAL, "Invalid argument");
    r.flags = 0;  // relative marks are approximated, never refused
    expect_ok(rs, cmd(Op::Append, "input", {r}));
}

TEST(EngineAppend, LongChainLabelIsEinval)
{
    auto rs = model::Ruleset::initial();
    expect_error(rs, cmd(Op::Append, "123456789", {rule()}), EINVAL, "Invalid argument");
}

TEST(EngineAppend, FailingCommandChangesNothing)
{
    auto rs = model::Ruleset::initial();
    model::Rule bad = rule(TargetKind::Divert);
    expect_error(rs, cmd(Op::Append, "input", {tcp(1), bad}), EINVAL, "Invalid argument");
}

TEST(EngineAppend, ReachableLoopIsEloop)
{
    auto rs = with_user({"a", "b"});
    model::Rule to_a = rule(TargetKind::Chain), to_b = rule(TargetKind::Chain);
    to_a.target_chain = "a";
    to_b.target_chain = "b";
    expect_ok(rs, cmd(Op::Append, "a", {to_b}));
    expect_ok(rs, cmd(Op::Append, "b", {to_a}));  // not reachable yet: allowed
    expect_error(rs, cmd(Op::Append, "input", {to_a}), ELOOP, std::strerror(ELOOP));
    expect_error(rs, cmd(Op::Insert, "output", {to_b}, 1), ELOOP, std::strerror(ELOOP));
}

TEST(EngineAppend, SelfJumpIsEloop)
{
    auto rs = with_user({"a"});
    model::Rule to_a = rule(TargetKind::Chain);
    to_a.target_chain = "a";
    expect_ok(rs, cmd(Op::Append, "input", {to_a}));
    expect_error(rs, cmd(Op::Append, "a", {to_a}), ELOOP, std::strerror(ELOOP));
}

TEST(EngineInsert, PositionsAndReverseOrder)
{
    auto rs = model::Ruleset::initial();
    expect_ok(rs, cmd(Op::Insert, "input", {tcp(1)}, 1));
    expect_ok(rs, cmd(Op::Insert, "input", {tcp(2)}, 2));  // len+1 = tail
    expect_ok(rs, cmd(Op::Insert, "input", {tcp(3), tcp(4)}, 1));
    std::vector<uint16_t> ports;
    for (const auto& r : rs.find("input")->rules) ports.push_back(r.dport.lo);
    EXPECT_EQ(ports, (std::vector<uint16_t>{4, 3, 1, 2}));
    const std::string bad = "bad rule (does a matching rule exist in that chain?)";
    expect_error(rs, cmd(Op::Insert, "input", {tcp(5)}, 0), EINVAL, bad);
    expect_error(rs, cmd(Op::Insert, "input", {tcp(5)}, 6), EINVAL, bad);
    expect_error(rs, cmd(Op::Insert, "nosuch", {tcp(5)}, 1), ENOENT, "No target by that name");
}

TEST(EngineReplace, KeepsOldCountersAndAdjustsRefcounts)
{
    auto rs = with_user({"a", "b"});
    model::Rule to_a = rule(TargetKind::Chain), to_b = rule(TargetKind::Chain);
    to_a.target_chain = "a";
    to_b.target_chain = "b";
    expect_ok(rs, cmd(Op::Append, "input", {to_a}));
    rs.find("input")->rules[0].counters = {7, 700};
    expect_ok(rs, cmd(Op::Replace, "input", {to_b}, 1));
    EXPECT_EQ(rs.find("input")->rules[0].target_chain, "b");
    EXPECT_EQ(rs.find("input")->rules[0].counters, (model::Counters{7, 700}));
    EXPECT_EQ(rs.refcount("a"), 0);
    EXPECT_EQ(rs.refcount("b"), 1);
    const std::string bad = "bad rule (does a matching rule exist in that chain?)";
    expect_error(rs, cmd(Op::Replace, "input", {to_a}, 0), EINVAL, bad);
    expect_error(rs, cmd(Op::Replace, "input", {to_a}, 2), EINVAL, bad);
    model::Rule lost = rule(TargetKind::Chain);
    lost.target_chain = "zz";
    expect_error(rs, cmd(Op::Replace, "input", {lost}, 1), ENOENT, "No target by that name");
}

TEST(EngineDelete, BySpecFirstEqualIgnoringMarkAndTos)
{
    auto rs = model::Ruleset::initial();
    model::Rule a = tcp(80);
    a.mark = 5;
    a.flags = model::kFlagMarkAbs;
    a.tos_and = 0x01;
    model::Rule b = tcp(80, TargetKind::Deny);
    expect_ok(rs, cmd(Op::Append, "input", {a, b, a}));
    expect_ok(rs, cmd(Op::DeleteSpec, "input", {tcp(80)}));  // no mark, default TOS
    const auto& rules = rs.find("input")->rules;
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[0].target, TargetKind::Deny);
    EXPECT_EQ(rules[1].target, TargetKind::Accept);
}

TEST(EngineDelete, BySpecComparesPortsTargetAndFlags)
{
    auto rs = model::Ruleset::initial();
    model::Rule d = rule(TargetKind::Divert);
    d.redirect_port = 1234;
    expect_ok(rs, cmd(Op::Append, "input", {d}));
    const std::string bad = "bad rule (does a matching rule exist in that chain?)";
    model::Rule other = d;
    other.redirect_port = 4321;
    expect_error(rs, cmd(Op::DeleteSpec, "input", {other}), EINVAL, bad);
    other = d;
    other.flags |= model::kFlagLog;
    expect_error(rs, cmd(Op::DeleteSpec, "input", {other}), EINVAL, bad);
    expect_ok(rs, cmd(Op::DeleteSpec, "input", {d}));
    EXPECT_TRUE(rs.find("input")->rules.empty());
}

TEST(EngineDelete, BySpecOnePerRuleAndAllOrNothing)
{
    auto rs = model::Ruleset::initial();
    expect_ok(rs, cmd(Op::Append, "input", {tcp(1), tcp(2), tcp(1)}));
    expect_error(rs, cmd(Op::DeleteSpec, "input", {tcp(1), tcp(1), tcp(1)}), EINVAL,
                 "bad rule (does a matching rule exist in that chain?)");
    expect_ok(rs, cmd(Op::DeleteSpec, "input", {tcp(1), tcp(1)}));
    ASSERT_EQ(rs.find("input")->rules.size(), 1u);
    EXPECT_EQ(rs.find("input")->rules[0].dport.lo, 2);
}

// The rules before the deleted one keep everything, strings included (a jump's chain name
// and an interface were once emptied by moving each kept rule onto itself).
TEST(EngineDelete, BySpecKeepsTheRulesBeforeItWhole)
{
    auto rs = with_user({"blk"});
    model::Rule jump = rule(TargetKind::Chain);
    jump.target_chain = "blk";
    jump.proto = 17;
    model::Rule iface = tcp(1);
    iface.iface = "eth0";
    expect_ok(rs, cmd(Op::Append, "input", {jump, iface, tcp(2), tcp(3)}));
    const std::vector<model::Rule> before = rs.find("input")->rules;
    expect_ok(rs, cmd(Op::DeleteSpec, "input", {tcp(2)}));
    const auto& rules = rs.find("input")->rules;
    ASSERT_EQ(rules.size(), 3u);
    EXPECT_EQ(rules[0], before[0]);
    EXPECT_EQ(rules[0].target_chain, "blk");
    EXPECT_EQ(rules[1], before[1]);
    EXPECT_EQ(rules[1].iface, "eth0");
    EXPECT_EQ(rules[2], before[3]);
}

TEST(EngineDelete, BySpecUnknownTargetOrChain)
{
    auto rs = model::Ruleset::initial();
    model::Rule r = rule(TargetKind::Chain);
    r.target_chain = "nosuch";
    expect_error(rs, cmd(Op::DeleteSpec, "input", {r}), ENOENT, "No chain by that name");
    expect_error(rs, cmd(Op::DeleteSpec, "nosuch", {rule()}), ENOENT, "No chain by that name");
}

TEST(EngineDelete, ByNumber)
{
    auto rs = model::Ruleset::initial();
    expect_ok(rs, cmd(Op::Append, "input", {tcp(1), tcp(2)}));
    expect_error(rs, cmd(Op::DeleteNum, "input", {}, 3), ENOENT, "No chain by that name");
    expect_error(rs, cmd(Op::DeleteNum, "input", {}, 0), ENOENT, "No chain by that name");
    expect_error(rs, cmd(Op::DeleteNum, "forward", {}, 1), ENOENT, "No chain by that name");
    expect_ok(rs, cmd(Op::DeleteNum, "input", {}, 1));
    ASSERT_EQ(rs.find("input")->rules.size(), 1u);
    EXPECT_EQ(rs.find("input")->rules[0].dport.lo, 2);
}

// The append fast path validates with the engine: the same rules fail with the same error as
// apply() gives, and good rules come back as apply() stores them.
TEST(EngineValidateAppend, FailsExactlyAsApply)
{
    model::Rule ports_without_proto = rule(TargetKind::Accept);
    ports_without_proto.dport = {80, 80};
    model::Rule wide_mark = rule(TargetKind::Deny);
    wide_mark.flags |= model::kFlagMarkAbs;
    wide_mark.mark = 0x10000;
    model::Rule unknown_flag = rule(TargetKind::Accept);
    unknown_flag.flags = static_cast<uint16_t>(~model::kFlagMask);
    const std::vector<model::Command> bad = {
        cmd(Op::Append, "input", {ports_without_proto}),
        cmd(Op::Append, "input", {wide_mark}),
        cmd(Op::Append, "input", {unknown_flag}),
        cmd(Op::Append, "toolongname", {rule(TargetKind::Accept)}),
        cmd(Op::Append, "input", {tcp(22), ports_without_proto}),
    };
    for (const auto& c : bad) {
        model::Ruleset rs = model::Ruleset::initial();
        auto applied = engine::apply(rs, c);
        auto validated = engine::validate_append(c);
        ASSERT_FALSE(applied.ok());
        ASSERT_FALSE(validated.ok()) << c.chain;
        EXPECT_EQ(validated.error().code, applied.error().code);
        EXPECT_EQ(validated.error().message, applied.error().message);
    }
}

TEST(EngineValidateAppend, GivesTheRulesApplyStores)
{
    const auto c = cmd(Op::Append, "forward", {tcp(25, TargetKind::Deny), rule(TargetKind::Masq)});
    model::Ruleset rs = model::Ruleset::initial();
    ASSERT_TRUE(engine::apply(rs, c).ok());
    auto validated = engine::validate_append(c);
    ASSERT_TRUE(validated.ok());
    EXPECT_EQ(*validated, rs.find("forward")->rules);
}
