// compile(): the chain layout of docs/design.md, chain by chain.
#include <gtest/gtest.h>

#include <cerrno>

#include "compile/compile.h"
#include "compile/diff.h"
#include "compile_fixtures.h"

using namespace ipchains;
using compile::MarkKind;
using compile::mark_stamp;
using model::TargetKind;

namespace {

const ir::Chain& chain(const ir::Table& t, const std::string& name)
{
    const ir::Chain* c = fx::find(t, name);
    if (c == nullptr) throw std::runtime_error("no chain " + name);
    return *c;
}

std::vector<std::string> jumps(const std::string& a, const std::string& b)
{
    return {"jump " + a, "jump " + b};
}

ir::Rule jump_rule(const std::string& chain)
{
    ir::Rule r;
    r.statements.push_back(ir::Verdict{ir::Verdict::Jump, chain});
    return r;
}

// The policy inline at the end of a hook chain: named counter + verdict.
ir::Rule policy_rule(const std::string& builtin, ir::Verdict::Kind verdict = ir::Verdict::Accept)
{
    ir::Rule r;
    r.statements.push_back(ir::NamedCounter{builtin + "-policy"});
    r.statements.push_back(ir::Verdict{verdict, ""});
    return r;
}

int count_prefix(const ir::Table& t, const std::string& prefix)
{
    int n = 0;
    for (const auto& c : t.chains) n += c.name.compare(0, prefix.size(), prefix) == 0;
    return n;
}

const uint32_t kKindId = compile::kKindMask | compile::kIdMask;

}  // namespace

// compile::Options::base_chain_policy (the nft backend's `ip` table): an ACCEPT or DENY policy
// is the hook chain's own, counting from the model's values, and the hook chain goes to the
// built-in chain; REJECT (a mark stamp) and a policy that continuations end in keep the rule.
TEST(CompileLayout, PolicyInTheHookChainItself)
{
    model::Ruleset rs = model::Ruleset::initial();
    rs.find("input")->policy_counters = {7, 700};
    rs.find("forward")->policy = model::Policy::Deny;
    rs.find("output")->policy = model::Policy::Reject;
    fx::append(rs, "input", fx::rule(TargetKind::Deny));
    compile::Options opt;
    opt.base_chain_policy = true;
    auto compiled = compile::compile(rs, opt);
    ASSERT_TRUE(compiled.ok()) << compiled.error().message;
    const ir::Table& t = *compiled;

    // Nothing of the layout before them: `input` and `forward` are base chains themselves,
    // with the policy and its count their own; no hook chain, no goto.
    EXPECT_EQ(fx::find(t, "~in-hook"), nullptr);
    EXPECT_EQ(fx::find(t, "~fwd-hook"), nullptr);
    const ir::Chain& in = chain(t, "input");
    ASSERT_TRUE(in.base.has_value());
    EXPECT_EQ(in.base->hook, ir::Hook::Prerouting);
    EXPECT_EQ(in.base->priority, -150);
    EXPECT_EQ(in.comment, "ipchains:0:0:0:in:*:input");
    EXPECT_FALSE(in.base->drop);
    ASSERT_TRUE(in.base->counters.has_value());
    EXPECT_EQ(in.base->counters->packets, 7u);
    EXPECT_EQ(in.base->counters->bytes, 700u);
    ASSERT_EQ(in.rules.size(), 1u);
    EXPECT_EQ(in.rules[0].comment, "-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -j DENY");
    const ir::Chain& fwd = chain(t, "forward");
    ASSERT_TRUE(fwd.base.has_value());
    EXPECT_EQ(fwd.base->hook, ir::Hook::Forward);
    EXPECT_TRUE(fwd.base->drop);
    EXPECT_EQ(fwd.comment, "ipchains:1:0:0:fwd:*:forward") << "DENY is the chain's own";
    EXPECT_TRUE(fwd.rules.empty());
    // A REJECT policy is a rule: the hook chain stays, and `output` is a plain chain.
    const ir::Chain& out = chain(t, "~out-hook");
    EXPECT_EQ(out.comment, "ipchains-layout:hook:policy");
    EXPECT_FALSE(out.base->drop);
    EXPECT_FALSE(out.base->counters.has_value());
    EXPECT_EQ(out.rules.back().statements.front(), (ir::Statement{ir::NamedCounter{"output-policy"}}));
    EXPECT_FALSE(chain(t, "output").base.has_value());
    EXPECT_EQ(chain(t, "output").comment, "ipchains:2:0:0:out:REJECT:output");
    ASSERT_EQ(t.counters.size(), 1u);
    EXPECT_EQ(t.counters[0].name, "output-policy");

    // MASQ brings the masqueraded-replies rule before `forward`: the hook chain holds it and
    // the policy, and goes to `forward`.
    fx::append(rs, "forward", fx::rule(TargetKind::Masq));
    compiled = compile::compile(rs, opt);
    ASSERT_TRUE(compiled.ok()) << compiled.error().message;
    const ir::Chain& fwd_hook = chain(*compiled, "~fwd-hook");
    EXPECT_EQ(fwd_hook.comment, "ipchains-layout:hook:base-policy:masq-replies");
    EXPECT_TRUE(fwd_hook.base->drop);
    ASSERT_TRUE(fwd_hook.base->counters.has_value());
    ir::Rule go;
    go.statements.push_back(ir::Verdict{ir::Verdict::Goto, "forward"});
    EXPECT_EQ(fwd_hook.rules.back(), go);
    EXPECT_FALSE(chain(*compiled, "forward").base.has_value());
    EXPECT_TRUE(chain(*compiled, "input").base.has_value());

    // A DIVERT site reached from input: its continuation ends in ~input-policy, whose counter
    // object then holds the policy's count for both paths.
    fx::append(rs, "input", fx::divert(1234));
    compiled = compile::compile(rs, opt);
    ASSERT_TRUE(compiled.ok()) << compiled.error().message;
    EXPECT_EQ(chain(*compiled, "~in-hook").comment, "ipchains-layout:hook:policy:resume");
    EXPECT_FALSE(chain(*compiled, "~in-hook").base->counters.has_value());
    EXPECT_FALSE(chain(*compiled, "input").base.has_value());
    EXPECT_NE(fx::find(*compiled, "~input-policy"), nullptr);
    EXPECT_EQ(compiled->counters.size(), 2u);
}

// compile::Options::unhook_empty_accept (`empty-chains = unhooked`): a built-in chain with no
// rules and an ACCEPT policy leaves no trace in the table, neither chain nor hook nor counter;
// one with a rule or another policy is laid out as without the option.
TEST(CompileLayout, EmptyAcceptChainsUnhooked)
{
    model::Ruleset rs = model::Ruleset::initial();
    rs.find("input")->policy_counters = {7, 700};
    rs.find("forward")->policy = model::Policy::Deny;
    fx::append(rs, "output", fx::rule(TargetKind::Deny));
    compile::Options opt;
    opt.base_chain_policy = true;
    opt.unhook_empty_accept = true;
    auto compiled = compile::compile(rs, opt);
    ASSERT_TRUE(compiled.ok()) << compiled.error().message;
    const ir::Table& t = *compiled;
    for (const char* gone : {"input", "~in-hook", "~input-policy"})
        EXPECT_EQ(fx::find(t, gone), nullptr) << gone;
    EXPECT_TRUE(t.counters.empty());
    // The form, for the fast paths, which read no rules (compile::kUnhookedChain).
    EXPECT_EQ(chain(t, compile::kUnhookedChain).role, ir::ChainRole::Form);
    EXPECT_TRUE(chain(t, compile::kUnhookedChain).rules.empty());
    ASSERT_TRUE(chain(t, "forward").base.has_value());
    EXPECT_TRUE(chain(t, "forward").base->drop);
    ASSERT_TRUE(chain(t, "output").base.has_value());
    EXPECT_EQ(chain(t, "output").rules.size(), 1u);
    int base_chains = 0;
    for (const auto& c : t.chains) base_chains += c.base.has_value();
    EXPECT_EQ(base_chains, 2);

    // MASQ (the masqueraded-replies rule) and DIVERT (the late write-back check) leave an empty
    // ACCEPT chain unhooked too: passing it accepts as they would.
    fx::append(rs, "output", fx::divert(1234));
    rs.find("forward")->policy = model::Policy::Accept;
    fx::append(rs, "output", fx::rule(TargetKind::Masq));
    compiled = compile::compile(rs, opt);
    ASSERT_TRUE(compiled.ok()) << compiled.error().message;
    for (const char* gone : {"input", "~in-hook", "forward", "~fwd-hook"})
        EXPECT_EQ(fx::find(*compiled, gone), nullptr) << gone;
    EXPECT_EQ(chain(*compiled, "~out-hook").comment, "ipchains-layout:hook:policy:resume");
}

TEST(CompileLayout, FreshBoot)
{
    ir::Table t = fx::compiled(model::Ruleset::initial());
    EXPECT_EQ(t.name, "ipchains");
    EXPECT_TRUE(fx::ordered(t));
    EXPECT_EQ(fx::find(t, compile::kPassthroughChain), nullptr);

    // Each hook chain: the policy inline (named counter and verdict), no jump to a policy
    // chain, nor into the empty built-in chain.
    const ir::Chain& in = chain(t, "~in-hook");
    EXPECT_EQ(in.base, (ir::BaseChain{ir::Hook::Prerouting, -150, ir::ChainType::Filter}));
    EXPECT_EQ(in.rules, (std::vector<ir::Rule>{policy_rule("input")}));
    EXPECT_EQ(chain(t, "~fwd-hook").base, (ir::BaseChain{ir::Hook::Forward, 0}));
    // No MASQ: no masqueraded-replies rule (a `ct` expression), see MasqBringsConntrack.
    const ir::Chain& fwd = chain(t, "~fwd-hook");
    EXPECT_EQ(fwd.comment, "ipchains-layout:hook:policy");
    EXPECT_EQ(fwd.rules, (std::vector<ir::Rule>{policy_rule("forward")}));
    EXPECT_EQ(chain(t, "~out-hook").base, (ir::BaseChain{ir::Hook::Postrouting, 0}));
    EXPECT_EQ(chain(t, "~out-hook").rules, (std::vector<ir::Rule>{policy_rule("output")}));
    // A built-in chain with rules is jumped to before the policy.
    model::Ruleset one = model::Ruleset::initial();
    fx::append(one, "forward", fx::rule(TargetKind::Deny));
    EXPECT_EQ(chain(fx::compiled(one), "~fwd-hook").rules,
              (std::vector<ir::Rule>{jump_rule("forward"), policy_rule("forward")}));

    const ir::Chain& input = chain(t, "input");
    EXPECT_FALSE(input.base);
    EXPECT_TRUE(input.rules.empty());
    auto tag = compile::parse_chain_comment(input.comment);
    ASSERT_TRUE(tag);
    EXPECT_EQ(tag->name, "input");
    EXPECT_EQ(tag->policy, model::Policy::Accept);
    EXPECT_EQ(tag->hook, ir::Hook::Prerouting);
    EXPECT_EQ(tag->position, 0);
    EXPECT_EQ(compile::parse_chain_comment(chain(t, "output").comment)->position, 2);

    // No continuation ends in a policy: no policy chain.
    for (const char* p : {"~input-policy", "~forward-policy", "~output-policy"})
        EXPECT_EQ(fx::find(t, p), nullptr) << p;
    ASSERT_EQ(t.counters.size(), 3u);
    EXPECT_EQ(t.counters[1].name, "forward-policy");

    // No DIVERT, TEE or REJECT: no post chain, the three hook chains are the only base chains.
    EXPECT_EQ(count_prefix(t, "~in-post-"), 0);
    EXPECT_EQ(count_prefix(t, "~fwd-post-"), 0);
    EXPECT_EQ(count_prefix(t, "~out-post-"), 0);

    // Neither MASQ nor REDIRECT: no nat chain, nothing that makes the kernel track connections.
    EXPECT_EQ(fx::find(t, "~nat-in"), nullptr);
    EXPECT_EQ(fx::find(t, "~nat-out"), nullptr);
}

namespace {

// Anything in the table that makes the kernel track connections (and so defragment).
int conntrack_users(const ir::Table& t)
{
    int n = 0;
    for (const auto& c : t.chains) {
        if (c.base && c.base->type == ir::ChainType::Nat) ++n;
        for (const auto& r : c.rules) {
            for (const auto& m : r.matches) n += std::holds_alternative<ir::CtReply>(m);
            for (const auto& st : r.statements)
                n += std::holds_alternative<ir::SetCtMark>(st) ||
                     std::holds_alternative<ir::Masquerade>(st) ||
                     std::holds_alternative<ir::Redirect>(st);
        }
    }
    return n;
}

}  // namespace

TEST(CompileLayout, StatelessRulesetHasNoConntrack)
{
    // Every target but MASQ and REDIRECT, a DIVERT, user chains, REJECT and DENY policies.
    model::Ruleset rs = fx::ruleset({"acct"});
    for (auto t : {TargetKind::Accept, TargetKind::Deny, TargetKind::Reject, TargetKind::Return,
                   TargetKind::None})
        for (const char* c : {"input", "forward", "output", "acct"}) fx::append(rs, c, fx::rule(t));
    fx::append(rs, "input", fx::divert(77));
    fx::append(rs, "forward", fx::jump("acct"));
    rs.find("forward")->policy = model::Policy::Reject;
    rs.find("output")->policy = model::Policy::Deny;
    ir::Table t = fx::compiled(rs);
    EXPECT_EQ(conntrack_users(t), 0);
    EXPECT_EQ(chain(t, "~fwd-hook").comment, "ipchains-layout:hook:policy:resume");
    // A REDIRECT only reachable from forward drops (2.5): still nothing.
    fx::append(rs, "forward", fx::with_proto(fx::rule(TargetKind::Redirect), 6));
    EXPECT_EQ(conntrack_users(fx::compiled(rs)), 0);
}

TEST(CompileLayout, MasqBringsConntrack)
{
    const model::Ruleset plain = model::Ruleset::initial();
    const ir::Table before = fx::compiled(plain);

    // The first MASQ rule brings ~nat-out and the masqueraded-replies rule, together.
    model::Ruleset rs = plain;
    fx::append(rs, "forward", fx::rule(TargetKind::Masq));
    ir::Table t = fx::compiled(rs);
    EXPECT_TRUE(fx::ordered(t));
    EXPECT_EQ(fx::find(t, "~nat-in"), nullptr);
    const ir::Chain& nat_out = chain(t, "~nat-out");
    EXPECT_EQ(nat_out.base, (ir::BaseChain{ir::Hook::Postrouting, 100, ir::ChainType::Nat}));
    EXPECT_EQ(nat_out.comment, "ipchains-layout:nat:masq-ctmark");
    ASSERT_EQ(nat_out.rules.size(), 1u);
    EXPECT_EQ(nat_out.rules[0].matches,
              (std::vector<ir::Match>{ir::Mark{compile::kMasqBit, compile::kMasqBit, false}}));
    EXPECT_EQ(nat_out.rules[0].statements,
              (std::vector<ir::Statement>{
                  ir::SetCtMark{~compile::kCtMasqBit, compile::kCtMasqBit}, ir::Masquerade{}}));
    // Replies to connections ~nat-out masqueraded leave before the forward chain, as in 2.2.
    const ir::Chain& fwd = chain(t, "~fwd-hook");
    EXPECT_EQ(fwd.comment, "ipchains-layout:hook:policy:masq-replies");
    ASSERT_EQ(fwd.rules.size(), 3u);
    EXPECT_EQ(fwd.rules[0].matches,
              (std::vector<ir::Match>{ir::CtReply{compile::kCtMasqBit, compile::kCtMasqBit}}));
    EXPECT_EQ(fwd.rules[0].statements,
              (std::vector<ir::Statement>{ir::Verdict{ir::Verdict::Accept, ""}}));
    EXPECT_EQ(std::vector<ir::Rule>(fwd.rules.begin() + 1, fwd.rules.end()),
              (std::vector<ir::Rule>{jump_rule("forward"), policy_rule("forward")}));
    // The nat chain, its rule's ct mark and masquerade, the reply rule's ct match.
    EXPECT_EQ(conntrack_users(t), 4);

    // A second MASQ (in a user chain) changes nothing of that; removing one keeps them.
    model::Ruleset two = fx::ruleset({"m"});
    fx::append(two, "forward", fx::rule(TargetKind::Masq));
    fx::append(two, "m", fx::rule(TargetKind::Masq));
    EXPECT_EQ(chain(fx::compiled(two), "~nat-out"), nat_out);
    EXPECT_EQ(chain(fx::compiled(two), "~fwd-hook"), fwd);

    // The MASQ policy alone brings them too.
    model::Ruleset pol = plain;
    pol.find("forward")->policy = model::Policy::Masq;
    EXPECT_EQ(chain(fx::compiled(pol), "~nat-out"), nat_out);
    const ir::Table pol_t = fx::compiled(pol);
    const ir::Chain& pol_fwd = chain(pol_t, "~fwd-hook");
    EXPECT_EQ(pol_fwd.comment, fwd.comment);
    EXPECT_EQ(pol_fwd.rules[0], fwd.rules[0]);

    // One diff adds them (the forward hook is recreated: its comment names its content) ...
    compile::TableDiff add = compile::diff(before, t);
    EXPECT_EQ(add.add, (std::vector<std::string>{"~nat-out"}));
    EXPECT_EQ(add.recreate, (std::vector<std::string>{"~fwd-hook"}));
    EXPECT_TRUE(add.remove.empty());
    // ... and removing the last MASQ takes them away in one diff, back to the plain table.
    compile::TableDiff del = compile::diff(t, before);
    EXPECT_EQ(del.remove, (std::vector<std::string>{"~nat-out"}));
    EXPECT_EQ(del.recreate, (std::vector<std::string>{"~fwd-hook"}));
    EXPECT_TRUE(del.add.empty());
    model::Ruleset removed = rs;
    removed.find("forward")->rules.clear();
    EXPECT_TRUE(fx::compiled(removed) == before);
}

TEST(CompileLayout, RedirectBringsOnlyNatIn)
{
    model::Ruleset rs = model::Ruleset::initial();
    fx::append(rs, "input", fx::with_proto(fx::rule(TargetKind::Redirect), 6));
    ir::Table t = fx::compiled(rs);
    const ir::Chain& nat_in = chain(t, "~nat-in");
    EXPECT_EQ(nat_in.base, (ir::BaseChain{ir::Hook::Prerouting, -100, ir::ChainType::Nat}));
    EXPECT_EQ(nat_in.comment, "ipchains-layout:nat");
    EXPECT_EQ(fx::find(t, "~nat-out"), nullptr);
    EXPECT_EQ(chain(t, "~fwd-hook").comment, "ipchains-layout:hook:policy");
    compile::TableDiff d = compile::diff(fx::compiled(model::Ruleset::initial()), t);
    EXPECT_EQ(d.add, (std::vector<std::string>{"~nat-in"}));
    EXPECT_TRUE(d.remove.empty() && d.recreate.empty());
}

TEST(CompileLayout, OptionsNameTheTable)
{
    compile::Options opt;
    opt.table_name = "ipchains_test";
    auto t = compile::compile(model::Ruleset::initial(), opt);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->name, "ipchains_test");
}

TEST(CompileLayout, DivertInInput)
{
    auto rs = fx::ruleset();
    fx::append(rs, "input", fx::with_proto(fx::divert(1234), 1));
    fx::append(rs, "input", fx::rule(TargetKind::Deny));
    ir::Table t = fx::compiled(rs);
    EXPECT_TRUE(fx::ordered(t));

    const ir::Chain& seg0 = chain(t, "input");
    ASSERT_EQ(seg0.rules.size(), 2u);
    const ir::Rule& d = seg0.rules[0];
    EXPECT_EQ(d.matches,
              (std::vector<ir::Match>{ir::Proto{1, false},
                                      ir::Mark{kKindId, mark_stamp(MarkKind::Injected, 1234), true}}));
    EXPECT_EQ(d.statements,
              (std::vector<ir::Statement>{
                  ir::Counter{}, ir::SetMark{compile::kUserMarkMask | compile::kMasqBit,
                                             mark_stamp(MarkKind::Resume, 1)},
                  ir::Queue{1234, false}}));
    EXPECT_EQ(d.comment, compile::rule_comment("input", rs.find("input")->rules[0]));
    EXPECT_EQ(fx::verdicts(seg0), (std::vector<std::string>{"goto input~1"}));
    EXPECT_EQ(fx::verdicts(chain(t, "input~1")), (std::vector<std::string>{"drop"}));
    auto tag = compile::parse_chain_comment(chain(t, "input~1").comment);
    ASSERT_TRUE(tag);
    EXPECT_EQ(tag->segment, 1);
    EXPECT_EQ(tag->instance, 0);

    const ir::Chain& cont = chain(t, "~cont-1");
    EXPECT_EQ(cont.rules[0].statements,
              (std::vector<ir::Statement>{ir::SetMark{~kKindId, 0}}));
    EXPECT_EQ(fx::verdicts(cont), jumps("input~1", "~input-policy"));

    // One site on the input side: K = 2, three post chains, each dispatching site 1. Nothing
    // diverts or rejects on forward and output: no post chain there.
    EXPECT_EQ(count_prefix(t, "~in-post-"), 3);
    EXPECT_EQ(count_prefix(t, "~fwd-post-"), 0);
    EXPECT_EQ(count_prefix(t, "~out-post-"), 0);
    EXPECT_EQ(chain(t, "~in-post-1").comment, "ipchains-layout:post");
    for (const char* name : {"~in-post-1", "~in-post-2", "~in-post-3"}) {
        const ir::Chain& post = chain(t, name);
        ASSERT_EQ(post.rules.size(), std::string(name) == "~in-post-3" ? 4u : 3u);
        EXPECT_EQ(post.rules[2].matches,
                  (std::vector<ir::Match>{ir::Mark{kKindId, mark_stamp(MarkKind::Resume, 1), false}}));
        EXPECT_EQ(fx::verdicts(post).back(), "jump ~cont-1");
    }
    EXPECT_EQ(chain(t, "~in-post-3").base->priority, -147);
    // The last post chain clears a resume stamp no site took (its DIVERT rule went while the
    // packet was held), so that later hooks do not take it for a late write-back.
    const ir::Rule& stale = chain(t, "~in-post-3").rules[3];
    EXPECT_EQ(stale.matches,
              (std::vector<ir::Match>{ir::Mark{compile::kKindMask, mark_stamp(MarkKind::Resume, 0), false}}));
    EXPECT_EQ(stale.statements, (std::vector<ir::Statement>{ir::SetMark{~kKindId, 0}}));
}

TEST(CompileLayout, DivertEndingAChainKeepsAnEmptyTailSegment)
{
    auto rs = fx::ruleset();
    fx::append(rs, "output", fx::divert(99));
    ir::Table t = fx::compiled(rs);
    EXPECT_TRUE(chain(t, "output~1").rules.empty());
    EXPECT_EQ(fx::verdicts(chain(t, "output")), (std::vector<std::string>{"goto output~1"}));
    EXPECT_EQ(fx::verdicts(chain(t, "~cont-1")), jumps("output~1", "~output-policy"));
    EXPECT_EQ(fx::verdicts(chain(t, "~out-post-1")).back(), "jump ~cont-1");
}

TEST(CompileLayout, DivertingUserChainGetsOneInstancePerPath)
{
    auto rs = fx::ruleset({"ppp-in"});
    fx::append(rs, "ppp-in", fx::divert(7));
    fx::append(rs, "ppp-in", fx::rule(TargetKind::Accept));
    fx::append(rs, "input", fx::rule());
    fx::append(rs, "input", fx::jump("ppp-in"));
    fx::append(rs, "output", fx::jump("ppp-in"));
    ir::Table t = fx::compiled(rs);
    EXPECT_TRUE(fx::ordered(t));

    EXPECT_EQ(fx::verdicts(chain(t, "input")), (std::vector<std::string>{"jump ppp-in", "goto input~1"}));
    EXPECT_EQ(fx::verdicts(chain(t, "output")), (std::vector<std::string>{"jump ppp-in@1", "goto output~1"}));
    EXPECT_EQ(fx::verdicts(chain(t, "ppp-in")), (std::vector<std::string>{"goto ppp-in~1"}));
    EXPECT_EQ(fx::verdicts(chain(t, "ppp-in@1~1")), (std::vector<std::string>{"accept"}));
    auto tag = compile::parse_chain_comment(chain(t, "ppp-in@1~1").comment);
    ASSERT_TRUE(tag);
    EXPECT_EQ(tag->name, "ppp-in");
    EXPECT_EQ(tag->instance, 1);
    EXPECT_EQ(tag->segment, 1);
    EXPECT_EQ(tag->hook, ir::Hook::Postrouting);
    EXPECT_EQ(tag->position, 3);
    EXPECT_FALSE(tag->policy);

    EXPECT_EQ(fx::verdicts(chain(t, "~cont-1")),
              (std::vector<std::string>{"jump ppp-in~1", "jump input~1", "jump ~input-policy"}));
    EXPECT_EQ(fx::verdicts(chain(t, "~cont-2")),
              (std::vector<std::string>{"jump ppp-in@1~1", "jump output~1", "jump ~output-policy"}));
    EXPECT_EQ(fx::verdicts(chain(t, "~in-post-1")).back(), "jump ~cont-1");
    EXPECT_EQ(fx::verdicts(chain(t, "~out-post-1")).back(), "jump ~cont-2");
    EXPECT_EQ(chain(t, "~in-post-1").rules.size(), 3u);  // only its own hook's sites
    // The last post chain lets the other hook's stamp on (a late write-back crossing this
    // hook for its own), then clears a stale one.
    const ir::Chain& last = chain(t, "~in-post-3");
    ASSERT_EQ(last.rules.size(), 5u);
    EXPECT_EQ(last.rules[3].matches,
              (std::vector<ir::Match>{ir::Mark{kKindId, mark_stamp(MarkKind::Resume, 2), false}}));
    EXPECT_EQ(fx::verdicts(last), (std::vector<std::string>{"accept", "jump ~cont-1", "accept"}));
    EXPECT_EQ(last.rules[4].statements, (std::vector<ir::Statement>{ir::SetMark{~kKindId, 0}}));
}

TEST(CompileLayout, SamePathTwiceIsTwoInstances)
{
    auto rs = fx::ruleset({"d"});
    fx::append(rs, "d", fx::divert(7));
    fx::append(rs, "forward", fx::jump("d"));
    fx::append(rs, "forward", fx::jump("d"));
    ir::Table t = fx::compiled(rs);
    EXPECT_EQ(fx::verdicts(chain(t, "forward")), (std::vector<std::string>{"jump d", "goto forward~1"}));
    EXPECT_EQ(fx::verdicts(chain(t, "forward~1")), (std::vector<std::string>{"jump d@1", "goto forward~2"}));
    EXPECT_EQ(fx::verdicts(chain(t, "~cont-2")),
              (std::vector<std::string>{"jump d@1~1", "jump forward~2", "jump ~forward-policy"}));
    EXPECT_EQ(count_prefix(t, "~fwd-post-"), 4);  // two sites: K = 3
}

TEST(CompileLayout, NestedUserChains)
{
    auto rs = fx::ruleset({"a", "b"});
    fx::append(rs, "b", fx::rule(TargetKind::Return));
    fx::append(rs, "b", fx::divert(5));
    fx::append(rs, "a", fx::jump("b"));
    fx::append(rs, "a", fx::rule(TargetKind::Deny));
    fx::append(rs, "input", fx::jump("a"));
    ir::Table t = fx::compiled(rs);
    EXPECT_EQ(fx::verdicts(chain(t, "~cont-1")),
              (std::vector<std::string>{"jump b~1", "jump a~1", "jump input~1",
                                        "jump ~input-policy"}));
    EXPECT_EQ(fx::verdicts(chain(t, "b")), (std::vector<std::string>{"return", "goto b~1"}));
    EXPECT_EQ(fx::verdicts(chain(t, "a~1")), (std::vector<std::string>{"drop"}));
}

TEST(CompileLayout, PlainUserChainGetsOneInstancePerHook)
{
    auto rs = fx::ruleset({"c"});
    model::Rule r = fx::rule(TargetKind::Accept);
    r.iface = "eth0";
    r.flags = 0;
    fx::append(rs, "c", r);
    fx::append(rs, "input", fx::jump("c"));
    fx::append(rs, "input", fx::jump("c"));
    fx::append(rs, "forward", fx::jump("c"));
    ir::Table t = fx::compiled(rs);
    EXPECT_EQ(fx::verdicts(chain(t, "input")), (std::vector<std::string>{"jump c", "jump c"}));
    EXPECT_EQ(fx::verdicts(chain(t, "forward")), (std::vector<std::string>{"jump c@1"}));
    EXPECT_EQ(fx::find(t, "c@2"), nullptr);
    EXPECT_EQ(chain(t, "c").rules[0].matches,
              (std::vector<ir::Match>{ir::IfName{true, "eth0", false, false}}));
    EXPECT_EQ(chain(t, "c@1").rules[0].matches,
              (std::vector<ir::Match>{ir::IfName{false, "eth0", false, false}}));
    EXPECT_EQ(compile::parse_chain_comment(chain(t, "c@1").comment)->hook, ir::Hook::Forward);
}

TEST(CompileLayout, UnreachedChainsAreInputSide)
{
    auto rs = fx::ruleset({"lonely", "a", "b"});
    fx::append(rs, "lonely", fx::divert(3));
    fx::append(rs, "a", fx::jump("b"));
    fx::append(rs, "b", fx::jump("a"));  // a loop nothing reaches: allowed
    ir::Table t = fx::compiled(rs);
    EXPECT_TRUE(fx::ordered(t));
    auto tag = compile::parse_chain_comment(chain(t, "lonely").comment);
    ASSERT_TRUE(tag);
    EXPECT_EQ(tag->hook, ir::Hook::Prerouting);
    EXPECT_TRUE(fx::find(t, "lonely~1"));
    EXPECT_EQ(fx::find(t, "~cont-1"), nullptr);  // can never fire
    EXPECT_EQ(count_prefix(t, "~in-post-"), 0);
    // The loop edge is kept as a counting rule without its jump; nft cannot hold loops.
    EXPECT_EQ(fx::verdicts(chain(t, "a")), (std::vector<std::string>{"jump b"}));
    EXPECT_TRUE(fx::verdicts(chain(t, "b")).empty());
    EXPECT_EQ(chain(t, "b").rules.size(), 1u);
}

TEST(CompileLayout, ReachableLoopIsEloop)
{
    auto rs = fx::ruleset({"a", "b"});
    rs.find("a")->rules = {fx::jump("b")};
    rs.find("b")->rules = {fx::jump("a")};
    rs.find("output")->rules = {fx::jump("a")};
    auto t = compile::compile(rs);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, ELOOP);
}

// A REJECT rule or policy gives its hook one post chain (the deferred reject), no other hook.
TEST(CompileLayout, RejectBringsOnePostChainToItsHook)
{
    auto rs = fx::ruleset({"u"});
    fx::append(rs, "forward", fx::jump("u"));
    model::Rule rej;
    rej.target = model::TargetKind::Reject;
    fx::append(rs, "u", rej);
    rs.find("output")->policy = model::Policy::Reject;
    ir::Table t = fx::compiled(rs);
    EXPECT_EQ(count_prefix(t, "~in-post-"), 0);
    EXPECT_EQ(count_prefix(t, "~fwd-post-"), 1);
    EXPECT_EQ(count_prefix(t, "~out-post-"), 1);
    const ir::Chain& post = chain(t, "~fwd-post-1");
    EXPECT_EQ(post.base, (ir::BaseChain{ir::Hook::Forward, 1, ir::ChainType::Filter}));
    // Its own comment: a chain an older version filled with the resume rules is recreated.
    EXPECT_EQ(post.comment, "ipchains-layout:post:reject");
    ASSERT_EQ(post.rules.size(), 1u);
    EXPECT_EQ(post.rules[0].matches,
              (std::vector<ir::Match>{ir::Mark{compile::kKindMask,
                                               mark_stamp(MarkKind::Reject, 0), false}}));
    EXPECT_EQ(post.rules[0].statements,
              (std::vector<ir::Statement>{ir::Reject{ir::Reject::HostUnreach}}));
    // nft cannot reject in postrouting: the local sender gets EPERM, as in 2.2.
    EXPECT_EQ(fx::verdicts(chain(t, "~out-post-1")), (std::vector<std::string>{"drop"}));

    // The input policy REJECT brings the input post chain, with port-unreachable.
    auto pol = fx::ruleset();
    pol.find("input")->policy = model::Policy::Reject;
    ir::Table tp = fx::compiled(pol);
    EXPECT_EQ(count_prefix(tp, "~in-post-"), 1);
    EXPECT_EQ(count_prefix(tp, "~fwd-post-") + count_prefix(tp, "~out-post-"), 0);
    EXPECT_EQ(chain(tp, "~in-post-1").rules[0].statements,
              (std::vector<ir::Statement>{ir::Reject{ir::Reject::PortUnreach}}));

    // A REJECT in a chain nothing reaches stamps nothing.
    auto lonely = fx::ruleset({"lonely"});
    fx::append(lonely, "lonely", rej);
    EXPECT_EQ(count_prefix(fx::compiled(lonely), "~in-post-"), 0);
}

TEST(CompileLayout, PostChainsAreCappedAtNine)
{
    auto rs = fx::ruleset();
    for (int i = 0; i < 12; ++i) fx::append(rs, "input", fx::divert(static_cast<uint16_t>(100 + i)));
    ir::Table t = fx::compiled(rs);
    EXPECT_EQ(count_prefix(t, "~in-post-"), 9);
    EXPECT_EQ(chain(t, "~in-post-9").rules.size(), 15u);  // 12 sites, stale stamp cleared
    EXPECT_TRUE(fx::find(t, "input~12"));
}

TEST(CompileLayout, DeferredTargets)
{
    auto rs = fx::ruleset();
    model::Rule redir = fx::with_proto(fx::rule(TargetKind::Redirect), 6);
    redir.redirect_port = 8080;
    fx::append(rs, "input", redir);
    redir.redirect_port = 0;
    fx::append(rs, "input", redir);
    fx::append(rs, "forward", redir);  // only input can redirect: dropped elsewhere
    fx::append(rs, "input", fx::rule(TargetKind::Masq));  // only forward can masquerade
    fx::append(rs, "forward", fx::rule(TargetKind::Masq));
    fx::append(rs, "output", fx::rule(TargetKind::Reject));
    ir::Table t = fx::compiled(rs);

    const auto& in = chain(t, "input").rules;
    const uint32_t keep = compile::kUserMarkMask | compile::kMasqBit;
    EXPECT_EQ(in[0].statements,
              (std::vector<ir::Statement>{ir::Counter{}, ir::SetMark{keep, mark_stamp(MarkKind::Redirect, 1)},
                                          ir::Verdict{ir::Verdict::Accept, ""}}));
    EXPECT_EQ(in[1].statements[1], ir::Statement(ir::SetMark{keep, mark_stamp(MarkKind::Redirect, 2)}));
    EXPECT_EQ(fx::verdicts(chain(t, "input")), (std::vector<std::string>{"accept", "accept", "drop"}));
    const auto& fwd = chain(t, "forward").rules;
    EXPECT_EQ(fx::verdicts(chain(t, "forward")), (std::vector<std::string>{"drop", "accept"}));
    EXPECT_EQ(fwd[1].statements[1], ir::Statement(ir::SetMark{~compile::kMasqBit, compile::kMasqBit}));
    EXPECT_EQ(chain(t, "output").rules[0].statements[1],
              ir::Statement(ir::SetMark{keep, mark_stamp(MarkKind::Reject, 0)}));

    const auto& nat = chain(t, "~nat-in").rules;
    ASSERT_EQ(nat.size(), 3u);  // port 8080 needs tcp and udp rules, port 0 one
    EXPECT_EQ(nat[0].matches,
              (std::vector<ir::Match>{ir::Mark{kKindId, mark_stamp(MarkKind::Redirect, 1), false},
                                      ir::Proto{6, false}}));
    EXPECT_EQ(nat[0].statements, (std::vector<ir::Statement>{ir::Redirect{8080}}));
    EXPECT_EQ(nat[1].matches[1], ir::Match(ir::Proto{17, false}));
    EXPECT_EQ(nat[2].statements, (std::vector<ir::Statement>{ir::Redirect{0}}));
}

TEST(CompileLayout, Policies)
{
    auto rs = fx::ruleset();
    rs.find("input")->policy = model::Policy::Deny;
    rs.find("forward")->policy = model::Policy::Masq;
    rs.find("output")->policy = model::Policy::Reject;
    rs.find("output")->policy_counters = {3, 300};
    ir::Table t = fx::compiled(rs);
    // Inline: the hook chain's last rule.
    EXPECT_EQ(chain(t, "~in-hook").rules.back(), policy_rule("input", ir::Verdict::Drop));
    EXPECT_EQ(chain(t, "~fwd-hook").rules.back().statements[1],
              ir::Statement(ir::SetMark{~compile::kMasqBit, compile::kMasqBit}));
    EXPECT_EQ(chain(t, "~out-hook").rules.back().statements[1],
              ir::Statement(ir::SetMark{compile::kUserMarkMask | compile::kMasqBit,
                                        mark_stamp(MarkKind::Reject, 0)}));
    EXPECT_EQ(t.counters[2].packets, 3u);
    EXPECT_EQ(t.counters[2].bytes, 300u);
    EXPECT_EQ(compile::parse_chain_comment(chain(t, "forward").comment)->policy, model::Policy::Masq);

    const ir::Rule inline_output = chain(t, "~out-hook").rules.back();
    EXPECT_EQ(inline_output.statements[0], ir::Statement(ir::NamedCounter{"output-policy"}));

    // A DIVERT on output: its continuation ends in the policy chain, to which the hook chain
    // then jumps too, so that one rule counts into the counter object.
    fx::append(rs, "output", fx::divert(1));
    t = fx::compiled(rs);
    const ir::Chain& pol = chain(t, "~output-policy");
    EXPECT_EQ(pol.comment, "ipchains-layout:policy");
    ASSERT_EQ(pol.rules.size(), 1u);
    EXPECT_EQ(pol.rules[0], inline_output);
    EXPECT_EQ(fx::verdicts(chain(t, "~out-hook")).back(), "jump ~output-policy");
    EXPECT_EQ(fx::verdicts(chain(t, "~cont-1")).back(), "jump ~output-policy");
    int counting = 0;
    for (const auto& c : t.chains)
        for (const auto& r : c.rules)
            for (const auto& st : r.statements)
                counting += st == ir::Statement(ir::NamedCounter{"output-policy"});
    EXPECT_EQ(counting, 1);
    // The other hooks keep theirs inline.
    EXPECT_EQ(fx::find(t, "~input-policy"), nullptr);
    EXPECT_EQ(chain(t, "~in-hook").rules.back(), policy_rule("input", ir::Verdict::Drop));
}

TEST(CompileLayout, Passthrough)
{
    auto rs = fx::ruleset();
    fx::append(rs, "input", fx::divert(1));
    rs.divert_passthrough = true;
    ir::Table t = fx::compiled(rs);
    const ir::Chain* p = fx::find(t, compile::kPassthroughChain);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->rules.empty());
    EXPECT_FALSE(compile::parse_chain_comment(p->comment));
    EXPECT_EQ(chain(t, "input").rules[0].statements.back(), ir::Statement(ir::Queue{1, true}));
}

TEST(CompileLayout, DeterministicAndOrdered)
{
    model::Ruleset rs = fx::rich_ruleset();
    ir::Table a = fx::compiled(rs), b = fx::compiled(rs);
    EXPECT_TRUE(a == b);
    EXPECT_EQ(fx::chain_names(a), fx::chain_names(b));
    EXPECT_TRUE(fx::ordered(a));
    // Every ipchains chain is readable back from the comments of its instance 0.
    for (const auto& c : a.chains) {
        auto tag = compile::parse_chain_comment(c.comment);
        if (!tag) {
            EXPECT_EQ(c.comment.compare(0, 16, "ipchains-layout:"), 0) << c.name;
            continue;
        }
        EXPECT_EQ(compile::segment_chain_name(tag->name, tag->instance, tag->segment), c.name);
        EXPECT_EQ(rs.chains[tag->position].name, tag->name);
    }
}

TEST(CompileChainTag, RoundTrip)
{
    compile::ChainTag tag;
    tag.name = "we:ird";
    tag.instance = 3;
    tag.segment = 12;
    tag.hook = ir::Hook::Forward;
    tag.position = 7;
    std::string text = compile::chain_comment(tag);
    EXPECT_EQ(text, "ipchains:7:3:12:fwd:-:we:ird");
    EXPECT_EQ(compile::parse_chain_comment(text), tag);
    tag.policy = model::Policy::Reject;
    tag.hook = ir::Hook::Postrouting;
    EXPECT_EQ(compile::parse_chain_comment(compile::chain_comment(tag)), tag);
    for (const char* bad : {"", "ipchains-layout:hook", "ipchains:1:2:3:in:-:", "ipchains:x:0:0:in:-:a",
                            "ipchains:0:0:0:up:-:a", "ipchains:0:0:0:in:DIVERT:a", "ipchains:0:0:0:in"})
        EXPECT_FALSE(compile::parse_chain_comment(bad)) << bad;
    EXPECT_EQ(compile::segment_chain_name("input", 0, 0), "input");
    EXPECT_EQ(compile::segment_chain_name("input", 0, 1), "input~1");
    EXPECT_EQ(compile::segment_chain_name("ppp-in", 1, 2), "ppp-in@1~2");
    EXPECT_EQ(compile::policy_counter_name("forward"), "forward-policy");
}

// TEE (docs/ipfw.md "TEE"): queued like DIVERT but always with bypass and stamped with the TEE
// kind; the post chains resume a TEE-stamped packet after its rule before `pass` lets
// anything not RESUME through.
TEST(CompileLayout, TeeInInput)
{
    auto rs = fx::ruleset();
    model::Rule tee = fx::with_proto(fx::divert(1234), 17);
    tee.target = TargetKind::Tee;
    fx::append(rs, "input", tee);
    fx::append(rs, "input", fx::rule(TargetKind::Deny));
    ir::Table t = fx::compiled(rs);
    const ir::Rule& d = chain(t, "input").rules[0];
    EXPECT_EQ(d.statements,
              (std::vector<ir::Statement>{
                  ir::Counter{}, ir::SetMark{compile::kUserMarkMask | compile::kMasqBit,
                                             mark_stamp(MarkKind::Tee, 1)},
                  ir::Queue{1234, true}}));
    EXPECT_EQ(fx::verdicts(chain(t, "input")), (std::vector<std::string>{"goto input~1"}));
    EXPECT_EQ(fx::verdicts(chain(t, "~cont-1")), jumps("input~1", "~input-policy"));
    for (const char* name : {"~in-post-1", "~in-post-2", "~in-post-3"}) {
        const ir::Chain& post = chain(t, name);
        ASSERT_EQ(post.rules.size(), std::string(name) == "~in-post-3" ? 5u : 4u);
        EXPECT_EQ(post.rules[1].matches,
                  (std::vector<ir::Match>{ir::Mark{kKindId, mark_stamp(MarkKind::Tee, 1), false}}));
        EXPECT_EQ(fx::verdicts(post),
                  (std::vector<std::string>{"jump ~cont-1", "accept", "jump ~cont-1"}));
        EXPECT_EQ(post.rules[3].matches,
                  (std::vector<ir::Match>{ir::Mark{kKindId, mark_stamp(MarkKind::Resume, 1), false}}));
    }
}
