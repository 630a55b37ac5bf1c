// The compiled table, run by a small IR interpreter, must do what the 2.2 walk does: same
// verdict, same rules counted in the same order, and after each DIVERT reinjection the walk
// continues with the rule after the diverting one (docs/design.md "Segments"). Random rulesets
// cover nesting, RETURN, accounting rules, several DIVERT sites per packet and every target.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "compile_fixtures.h"
#include "engine/engine.h"

using namespace ipchains;
using engine::TestPacket;
using model::TargetKind;

namespace {

enum class Outcome { Accepted, Denied, Rejected, Masqueraded, Redirected, Diverted };

struct Result2 {
    Outcome outcome;
    std::vector<std::string> hits;  // comments of the counted ipchains rules, in order
};

// ---- reference: the 2.2 walk, passing through the first `skip` DIVERT rules it meets -------
Result2 reference(const model::Ruleset& rs, const std::string& builtin, const TestPacket& p,
                  int skip)
{
    Result2 res{Outcome::Denied, {}};
    struct Frame {
        const model::Chain* c;
        size_t next;
    };
    std::vector<Frame> stack{{rs.find(builtin), 0}};
    bool forward = builtin == "forward", input = builtin == "input";
    for (;;) {
        Frame& f = stack.back();
        if (f.next == f.c->rules.size()) {
            if (stack.size() > 1) {
                stack.pop_back();
                continue;
            }
            switch (*f.c->policy) {
            case model::Policy::Accept: res.outcome = Outcome::Accepted; break;
            case model::Policy::Deny: res.outcome = Outcome::Denied; break;
            case model::Policy::Reject: res.outcome = Outcome::Rejected; break;
            case model::Policy::Masq:
                res.outcome = forward ? Outcome::Masqueraded : Outcome::Denied;
                break;
            }
            return res;
        }
        const model::Rule& r = f.c->rules[f.next++];
        if (!engine::matches(r, p)) continue;
        res.hits.push_back(compile::rule_comment(f.c->name, r));
        switch (r.target) {
        case TargetKind::None: break;
        case TargetKind::Accept: res.outcome = Outcome::Accepted; return res;
        case TargetKind::Deny: res.outcome = Outcome::Denied; return res;
        case TargetKind::Reject: res.outcome = Outcome::Rejected; return res;
        case TargetKind::Masq:
            res.outcome = forward ? Outcome::Masqueraded : Outcome::Denied;
            return res;
        case TargetKind::Redirect:
            res.outcome = input ? Outcome::Redirected : Outcome::Denied;
            return res;
        case TargetKind::Divert:
            if (skip-- > 0) break;
            res.outcome = Outcome::Diverted;
            return res;
        case TargetKind::Tee: break;  // nobody bound: the original goes on
        case TargetKind::Return: f.next = f.c->rules.size(); break;
        case TargetKind::Chain: stack.push_back({rs.find(r.target_chain), 0}); break;
        }
    }
}

// ---- the interpreter -----------------------------------------------------------------------
class Interpreter {
public:
    Interpreter(const ir::Table& t, const TestPacket& p) : t_(t), p_(p)
    {
        for (const auto& c : t.chains) chains_[c.name] = &c;
    }

    // Runs the filter base chains of `hook` in priority order; queue verdicts are reinjected
    // (accepted) `reinject` times, as libdivert does for a reinjected packet.
    Result2 run(ir::Hook hook, int reinject)
    {
        std::vector<const ir::Chain*> bases;
        for (const auto& c : t_.chains)
            if (c.base && c.base->hook == hook && c.base->type == ir::ChainType::Filter)
                bases.push_back(&c);
        std::stable_sort(bases.begin(), bases.end(), [](const ir::Chain* a, const ir::Chain* b) {
            return a->base->priority < b->base->priority;
        });
        for (const ir::Chain* base : bases) {
            Verdict v = run_base(*base);
            if (v == Verdict::Queue) {
                if (reinject-- > 0) continue;
                return {Outcome::Diverted, hits_};
            }
            if (v == Verdict::Reject) return {Outcome::Rejected, hits_};
            if (v == Verdict::Drop) return {kind() == 4 ? Outcome::Rejected : Outcome::Denied, hits_};
        }
        Outcome o = Outcome::Accepted;
        if (mark_ & compile::kMasqBit) o = Outcome::Masqueraded;
        if (kind() == 2) o = Outcome::Redirected;
        EXPECT_NE(kind(), 1u) << "left the hook still waiting for a resume";
        return {o, hits_};
    }

private:
    enum class Verdict { Continue, Accept, Drop, Reject, Queue };

    uint32_t kind() const { return (mark_ & compile::kKindMask) >> compile::kKindShift; }

    bool match(const ir::Match& m) const
    {
        if (const auto* i = std::get_if<ir::IfName>(&m)) {
            bool eq = i->prefix ? p_.iface.compare(0, i->name.size(), i->name) == 0
                                : p_.iface == i->name;
            return eq != i->negate;
        }
        if (const auto* a = std::get_if<ir::Addr>(&m))
            return (((a->source ? p_.src : p_.dst) & a->mask) == a->addr) != a->negate;
        if (const auto* pr = std::get_if<ir::Proto>(&m)) return (p_.proto == pr->proto) != pr->negate;
        if (const auto* f = std::get_if<ir::Fragment>(&m)) return p_.fragment != f->negate;
        if (const auto* k = std::get_if<ir::Mark>(&m))
            return ((mark_ & k->mask) == k->value) != k->negate;
        // The simulated packets open connections: none is a reply.
        if (std::holds_alternative<ir::CtReply>(m)) return false;
        if (p_.fragment) return false;  // no transport header in a later fragment
        if (const auto* po = std::get_if<ir::Port>(&m)) {
            if (p_.proto != 6 && p_.proto != 17) return false;
            uint16_t v = po->source ? p_.sport : p_.dport;
            return (v >= po->lo && v <= po->hi) != po->negate;
        }
        if (const auto* ic = std::get_if<ir::Icmp>(&m)) {
            if (p_.proto != 1) return false;
            uint16_t v = ic->field == ir::Icmp::Type ? p_.sport : p_.dport;
            return (v >= ic->lo && v <= ic->hi) != ic->negate;
        }
        const auto& s = std::get<ir::Syn>(m);
        if (p_.proto != 6) return false;
        return p_.syn != s.negate;
    }

    // One nft chain walk with jump/goto/return frames; returns the base chain's verdict.
    Verdict run_base(const ir::Chain& base)
    {
        struct Frame {
            const ir::Chain* c;
            size_t next;
        };
        std::vector<Frame> stack{{&base, 0}};
        int steps = 0;
        while (!stack.empty()) {
            if (++steps > 100000) {
                ADD_FAILURE() << "runaway walk";
                return Verdict::Drop;
            }
            Frame& f = stack.back();
            if (f.next == f.c->rules.size()) {
                stack.pop_back();
                continue;
            }
            const ir::Rule& r = f.c->rules[f.next++];
            bool all = true;
            for (const auto& m : r.matches) all = all && match(m);
            if (!all) continue;
            for (const auto& st : r.statements) {
                if (std::holds_alternative<ir::Counter>(st)) hits_.push_back(r.comment);
                if (const auto* sm = std::get_if<ir::SetMark>(&st))
                    mark_ = (mark_ & sm->mask) ^ sm->xor_value;
                if (std::holds_alternative<ir::Queue>(st)) return Verdict::Queue;
                if (std::holds_alternative<ir::Reject>(st)) return Verdict::Reject;
                const auto* v = std::get_if<ir::Verdict>(&st);
                if (v == nullptr) continue;
                switch (v->kind) {
                case ir::Verdict::Accept: return Verdict::Accept;
                case ir::Verdict::Drop: return Verdict::Drop;
                case ir::Verdict::Return: stack.pop_back(); break;
                case ir::Verdict::Jump: stack.push_back({chains_.at(v->chain), 0}); break;
                case ir::Verdict::Goto: f = Frame{chains_.at(v->chain), 0}; break;
                }
                break;
            }
        }
        // Off the end of the base chain, or of a chain it went to: the chain's own policy.
        return base.base->drop ? Verdict::Drop : Verdict::Accept;
    }

    const ir::Table& t_;
    TestPacket p_;
    std::map<std::string, const ir::Chain*> chains_;
    uint32_t mark_ = 0;
    std::vector<std::string> hits_;
};

ir::Hook hook_of(const std::string& builtin)
{
    if (builtin == "forward") return ir::Hook::Forward;
    if (builtin == "output") return ir::Hook::Postrouting;
    return ir::Hook::Prerouting;
}

// ---- random rulesets -------------------------------------------------------------------------
class Generator {
public:
    explicit Generator(unsigned seed) : rng_(seed) {}

    model::Ruleset ruleset()
    {
        const std::vector<std::string> users = {"u1", "u2", "u3"};
        model::Ruleset rs = fx::ruleset(users);
        const model::Policy policies[] = {model::Policy::Accept, model::Policy::Deny,
                                          model::Policy::Reject};
        for (const char* b : {"input", "forward", "output"})
            rs.find(b)->policy = policies[pick(3)];
        if (pick(4) == 0) rs.find("forward")->policy = model::Policy::Masq;
        // Jumps only go to later user chains: no loops.
        std::vector<std::string> order = {"input", "forward", "output", "u1", "u2", "u3"};
        for (size_t ci = 0; ci < order.size(); ++ci) {
            int n = pick(6);
            for (int i = 0; i < n; ++i) {
                model::Rule r = random_rule();
                size_t first_user = std::max<size_t>(3, ci + 1);
                if (pick(3) == 0 && first_user < order.size()) {
                    r.target = TargetKind::Chain;
                    r.target_chain = order[first_user + pick(order.size() - first_user)];
                }
                fx::append(rs, order[ci], r);
            }
        }
        return rs;
    }

    TestPacket packet()
    {
        TestPacket p;
        const uint8_t protos[] = {6, 17, 1, 47};
        p.proto = protos[pick(4)];
        p.src = pick(2) ? 0x0A000001 : 0xC0A80101;
        p.dst = pick(2) ? 0x0A000002 : 0x08080808;
        p.sport = static_cast<uint16_t>(pick(4));
        p.dport = static_cast<uint16_t>(pick(4));
        p.syn = pick(2);
        p.fragment = pick(5) == 0;
        const char* ifaces[] = {"eth0", "eth1", "ppp0"};
        p.iface = ifaces[pick(3)];
        return p;
    }

private:
    int pick(size_t n) { return static_cast<int>(rng_() % n); }

    model::Rule random_rule()
    {
        const TargetKind targets[] = {TargetKind::None,   TargetKind::Accept, TargetKind::Deny,
                                      TargetKind::Reject, TargetKind::Return, TargetKind::Divert,
                                      TargetKind::Divert, TargetKind::Masq,   TargetKind::Redirect};
        model::Rule r = fx::rule(targets[pick(9)]);
        if (r.target == TargetKind::Divert || r.target == TargetKind::Redirect)
            r.redirect_port = static_cast<uint16_t>(1000 + pick(3));
        const uint16_t protos[] = {0, 0, 6, 17, 1};
        r.proto = protos[pick(5)];
        if (r.proto != 0 && pick(4) == 0) {
            r.invflags |= model::kInvProto;
        } else if (r.proto != 0 && pick(2)) {
            uint16_t lo = static_cast<uint16_t>(pick(3));
            r.dport = {lo, static_cast<uint16_t>(lo + pick(2))};
            if (pick(3) == 0) r.invflags |= model::kInvDstPort;
        }
        if (pick(3) == 0) {
            r.src = 0x0A000000;
            r.src_mask = 0xFF000000;
            if (pick(2)) r.invflags |= model::kInvSrcIp;
        }
        if (pick(4) == 0) {
            r.iface = pick(2) ? "eth" : "ppp0";
            if (pick(2)) r.flags &= ~model::kFlagWildIf;
            if (pick(3) == 0) r.invflags |= model::kInvVia;
        }
        if (pick(6) == 0) {
            r.flags |= model::kFlagFrag;
            if (pick(2)) r.invflags |= model::kInvFrag;
        } else if (r.proto == 6 && !(r.invflags & model::kInvProto) && pick(4) == 0) {
            r.flags |= model::kFlagSyn;
            if (pick(2)) r.invflags |= model::kInvSyn;
        }
        if (pick(5) == 0) {
            r.mark = static_cast<uint32_t>(pick(100));
            if (pick(2)) r.flags |= model::kFlagMarkAbs;
        }
        return r;
    }

    std::mt19937 rng_;
};

const char* name(Outcome o)
{
    static const char* const kNames[] = {"accepted",    "denied",     "rejected",
                                         "masqueraded", "redirected", "diverted"};
    return kNames[static_cast<int>(o)];
}

}  // namespace

// Both forms of the policy: a rule of the hook chain, and the hook chain's own
// (compile::Options::base_chain_policy, the nft backend's).
class CompileEvalPolicy : public ::testing::TestWithParam<bool> {};

TEST_P(CompileEvalPolicy, RandomRulesetsBehaveLike22)
{
    compile::Options opt;
    opt.base_chain_policy = GetParam();
    int compared = 0, resumed = 0;
    for (unsigned seed = 1; seed <= 300; ++seed) {
        Generator gen(seed);
        model::Ruleset rs = gen.ruleset();
        auto compiled = compile::compile(rs, opt);
        ASSERT_TRUE(compiled.ok()) << compiled.error().message;
        const ir::Table& t = *compiled;
        ASSERT_TRUE(fx::ordered(t));
        for (int n = 0; n < 12; ++n) {
            TestPacket p = gen.packet();
            for (const char* b : {"input", "forward", "output"}) {
                for (int skip = 0; skip < 4; ++skip) {
                    Result2 want = reference(rs, b, p, skip);
                    Result2 got = Interpreter(t, p).run(hook_of(b), skip);
                    ASSERT_EQ(name(got.outcome), std::string(name(want.outcome)))
                        << "seed " << seed << " chain " << b << " skip " << skip;
                    ASSERT_EQ(got.hits, want.hits) << "seed " << seed << " chain " << b;
                    ++compared;
                    if (skip > 0) ++resumed;
                    if (want.outcome != Outcome::Diverted) break;
                }
            }
        }
    }
    EXPECT_GT(compared, 10000);
    EXPECT_GT(resumed, 500);
}

INSTANTIATE_TEST_SUITE_P(PolicyForm, CompileEvalPolicy, ::testing::Bool());

TEST(CompileEval, RichRulesetResumesAcrossNestedSites)
{
    model::Ruleset rs = fx::rich_ruleset();
    ir::Table t = fx::compiled(rs);
    TestPacket p;
    p.proto = 6;
    p.src = 0xCB1D1001;
    p.dst = 0x0A000001;
    p.sport = 53;
    p.dport = 80;
    p.iface = "ppp0";
    for (const char* b : {"input", "forward", "output"}) {
        for (int skip = 0; skip < 3; ++skip) {
            Result2 want = reference(rs, b, p, skip);
            Result2 got = Interpreter(t, p).run(hook_of(b), skip);
            EXPECT_EQ(name(got.outcome), std::string(name(want.outcome))) << b << skip;
            EXPECT_EQ(got.hits, want.hits) << b << skip;
        }
    }
}
