// compile(): assembles the nft table of docs/design.md "Chain layout" from the plan.
#include <cerrno>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "compile/carrier.h"
#include "compile/compile.h"
#include "compile/continuation.h"
#include "compile/plan.h"
#include "compile/runs.h"
#include "model/prefix6.h"

namespace ipchains::compile {

namespace {

using detail::Instance;
using detail::Plan;

struct HookSpec {
    const char* builtin;
    ir::Hook hook;
    int priority;  // -150: before DNAT, so input sees the original destination as in 2.2
};
constexpr HookSpec kHooks[] = {{"input", ir::Hook::Prerouting, -150},
                               {"forward", ir::Hook::Forward, 0},
                               {"output", ir::Hook::Postrouting, 0}};

ir::Rule verdict_rule(ir::Verdict::Kind k, const std::string& chain = "")
{
    ir::Rule r;
    r.statements.push_back(ir::Verdict{k, chain});
    return r;
}

// Accepting here ends only our forward base chain: the packet goes on to the post chains
// (nothing to do for it there) and to postrouting, where the output chain sees it.
ir::Rule masq_reply_rule()
{
    ir::Rule r;
    r.matches.push_back(ir::CtReply{kCtMasqBit, kCtMasqBit});
    r.statements.push_back(ir::Verdict{ir::Verdict::Accept, ""});
    return r;
}

// A packet that enters a hook already stamped RESUME|site is a late write-back: libdivert
// injected it after its pending copy expired (docs/divert.7 "Packet lifetime"). It resumes after
// its DIVERT rule like a reinjection: accepting here skips the chain it was diverted from (and,
// for a forward site, the input chain it already passed); the post chains dispatch it to the
// continuation. Ordinary packets never carry RESUME into a hook chain: the continuation
// clears it on the hook that set it.
ir::Rule resume_skip_rule()
{
    ir::Rule r;
    r.matches.push_back(ir::Mark{kKindMask, mark_stamp(MarkKind::Resume, 0), false});
    r.statements.push_back(ir::Verdict{ir::Verdict::Accept, ""});
    return r;
}

// The named counter and the verdict of a built-in chain's policy: the last rule of its hook
// chain, or, when continuations need it too, of the policy chain.
ir::Rule policy_rule(const model::Chain& builtin)
{
    ir::Rule r;
    r.statements.push_back(ir::NamedCounter{policy_counter_name(builtin.name)});
    switch (builtin.policy.value_or(model::Policy::Accept)) {
    case model::Policy::Accept: r.statements.push_back(ir::Verdict{ir::Verdict::Accept, ""}); break;
    case model::Policy::Deny: r.statements.push_back(ir::Verdict{ir::Verdict::Drop, ""}); break;
    case model::Policy::Reject:
        r.statements.push_back(detail::stamp(MarkKind::Reject, 0));
        r.statements.push_back(ir::Verdict{ir::Verdict::Accept, ""});
        break;
    case model::Policy::Masq:
        if (builtin.name != "forward") {
            r.statements.push_back(ir::Verdict{ir::Verdict::Drop, ""});
            break;
        }
        r.statements.push_back(ir::SetMark{~kMasqBit, kMasqBit});
        r.statements.push_back(ir::Verdict{ir::Verdict::Accept, ""});
        break;
    }
    return r;
}

// Whether `builtin`'s policy is its hook chain's own verdict and counters
// (Options::base_chain_policy). A base chain's policy can only accept or drop: REJECT and MASQ
// stamp the mark in a rule. A chain whose DIVERT/TEE continuations end in its policy keeps the
// policy chain, so that one counter object counts the policy on both paths.
bool policy_in_hook_chain(const model::Chain& builtin, bool continued, const Options& opt)
{
    const auto p = builtin.policy.value_or(model::Policy::Accept);
    return opt.base_chain_policy && !continued &&
           (p == model::Policy::Accept || p == model::Policy::Deny);
}

ir::Chain policy_chain(const model::Chain& builtin)
{
    ir::Chain c;
    c.name = detail::policy_chain_name(builtin.name);
    c.comment = "ipchains-layout:policy";
    c.role = ir::ChainRole::Policy;
    c.rules.push_back(policy_rule(builtin));
    return c;
}

// `policy_in_base`: the built-in chain's policy is a base chain's own (policy_in_hook_chain).
std::vector<ir::Chain> instance_chains(const Plan& plan, const Instance& inst, bool passthrough,
                                       bool policy_in_base)
{
    std::vector<ir::Chain> segs(inst.segments);
    for (int k = 0; k < inst.segments; ++k) {
        ChainTag tag;
        tag.name = inst.chain->name;
        tag.instance = inst.index;
        tag.segment = k;
        tag.hook = inst.hook;
        if (policy_in_base)
            tag.policy_in_base = true;
        else
            tag.policy = inst.chain->policy;
        tag.position = inst.position;
        segs[k].name = inst.segment_name(k);
        segs[k].comment = chain_comment(tag);
        segs[k].role = ir::ChainRole::Ipchains;
    }
    const auto& rules = inst.chain->rules;
    // Each segment's carriers, and the `goto` to the next segment.
    std::vector<size_t> sizes(inst.segments, 1);
    for (size_t i = 0; i < rules.size(); ++i) ++sizes[inst.segment[i]];
    for (int k = 0; k < inst.segments; ++k) segs[k].rules.reserve(sizes[k]);
    for (size_t i = 0; i < rules.size(); ++i) {
        detail::TargetContext ctx;
        if (inst.callee[i] >= 0) ctx.jump_to = plan.instances[inst.callee[i]].segment_name(0);
        ctx.site = inst.site[i];
        auto rid = plan.redirect_ids.find(rules[i].redirect_port);
        if (rules[i].target == model::TargetKind::Redirect && rid != plan.redirect_ids.end())
            ctx.redirect_id = rid->second;
        ctx.passthrough = passthrough;
        ctx.position = static_cast<uint32_t>(i + 1);
        segs[inst.segment[i]].rules.push_back(
            detail::carrier(inst.chain->name, rules[i], inst.hook, ctx));
    }
    // `goto` keeps the caller's return frame: RETURN in a later segment leaves the chain.
    for (int k = 0; k + 1 < inst.segments; ++k)
        segs[k].rules.push_back(verdict_rule(ir::Verdict::Goto, inst.segment_name(k + 1)));
    return segs;
}

// Connection tracking only where the ruleset needs it (docs/differences.md 1.1): a nat chain or
// a `ct` expression makes the kernel track, and defragment, every packet of the namespace, so a
// stateless ruleset gets neither and its chains see fragments as 2.2's did. MASQ (a rule or a
// policy, wherever it is: the fast append path checks only the rule's target) needs `~nat-out`
// and the masqueraded-replies rule; REDIRECT needs `~nat-in`, only when a REDIRECT rule is
// reachable from input (elsewhere it drops, plan.redirect_ports stays empty).
bool uses_masq(const model::Ruleset& rs)
{
    for (const auto& c : rs.chains) {
        if (c.policy == model::Policy::Masq) return true;
        for (const auto& r : c.rules)
            if (r.target == model::TargetKind::Masq) return true;
    }
    return false;
}

std::vector<ir::Chain> nat_chains(const Plan& plan, bool with_masq)
{
    std::vector<ir::Chain> chains;
    if (!plan.redirect_ports.empty()) {
        ir::Chain in;
        in.name = "~nat-in";
        in.base = ir::BaseChain{ir::Hook::Prerouting, -100, ir::ChainType::Nat};
        in.comment = "ipchains-layout:nat";
        in.role = ir::ChainRole::Nat;
        for (size_t i = 0; i < plan.redirect_ports.size(); ++i) {
            uint16_t port = plan.redirect_ports[i];
            ir::Mark m = detail::stamp_match(MarkKind::Redirect, static_cast<uint32_t>(i + 1));
            // A port rewrite needs a transport header: REDIRECT is TCP/UDP only in 2.2.
            for (uint8_t proto : {uint8_t{6}, uint8_t{17}}) {
                ir::Rule r;
                r.matches.emplace_back(std::in_place_type<ir::Mark>, m);
                if (port != 0)
                    r.matches.emplace_back(std::in_place_type<ir::Proto>, ir::Proto{proto, false});
                r.statements.push_back(ir::Redirect{port});
                in.rules.push_back(r);
                if (port == 0) break;
            }
        }
        chains.push_back(std::move(in));
    }
    if (!with_masq) return chains;
    ir::Chain out;
    out.name = "~nat-out";
    out.base = ir::BaseChain{ir::Hook::Postrouting, 100, ir::ChainType::Nat};
    // A new comment when the content changes meaning, so the nft backend recreates a chain
    // an older version left in the kernel (NftBackend::reconcile_with_kernel).
    out.comment = "ipchains-layout:nat:masq-ctmark";
    out.role = ir::ChainRole::Nat;
    ir::Rule masq;
    masq.matches.push_back(ir::Mark{kMasqBit, kMasqBit, false});
    // Only this connection's first packet gets here; the ct mark tells its replies apart from
    // those of connections someone else (docker, the admin's own nft) translated.
    masq.statements.push_back(ir::SetCtMark{~kCtMasqBit, kCtMasqBit});
    masq.statements.push_back(ir::Masquerade{});
    out.rules.push_back(masq);
    chains.push_back(std::move(out));
    return chains;
}

// Tagged as a user chain, which every version reads, with a rule whose comment is no save
// line: a version older than the format stops there ("cannot read rule", exit 3) rather than
// take built-in chains whose tags say "*" for layout and rebuild them empty. Nothing jumps to
// it, so no packet ever meets it.
ir::Chain format_chain()
{
    ir::Chain c;
    c.name = format_chain_name(kTableFormat);
    ChainTag tag;
    tag.name = c.name;
    c.comment = chain_comment(tag);
    c.role = ir::ChainRole::Format;
    ir::Rule r;
    r.statements.push_back(ir::Verdict{ir::Verdict::Return, ""});
    r.comment = "table format " + std::to_string(kTableFormat) +
                ": written by a newer ipchains-divert, whose ipchains-save can save it";
    c.rules.push_back(std::move(r));
    return c;
}

// An empty chain that nothing jumps to: its presence in the kernel records a setting.
ir::Chain setting_chain(const char* name, const char* comment, ir::ChainRole role)
{
    ir::Chain c;
    c.name = name;
    c.comment = comment;
    c.role = role;
    return c;
}

ir::Chain* find_chain(std::vector<ir::Chain>& chains, const std::string& name)
{
    for (auto& c : chains)
        if (c.name == name) return &c;
    return nullptr;
}

// Callees before callers, so a chain exists before any rule jumps to it; otherwise creation
// order.
std::vector<ir::Chain> order_by_references(std::vector<ir::Chain> chains)
{
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < chains.size(); ++i) index[chains[i].name] = i;
    std::vector<char> state(chains.size(), 0);
    std::vector<ir::Chain> out;
    out.reserve(chains.size());
    std::function<void(size_t)> visit = [&](size_t i) {
        if (state[i]) return;
        state[i] = 1;
        for (const auto& r : chains[i].rules) {
            for (const auto& s : r.statements) {
                const auto* v = std::get_if<ir::Verdict>(&s);
                if (v == nullptr || v->chain.empty()) continue;
                auto it = index.find(v->chain);
                if (it != index.end()) visit(it->second);
            }
        }
        out.push_back(std::move(chains[i]));
    };
    for (size_t i = 0; i < chains.size(); ++i) visit(i);
    return out;
}

}  // namespace

Result<ir::Table> compile(const model::Ruleset& rs_in, const Options& opt)
{
    // Each family's table holds its own rules (docs/ipfw.md "IPv6"); a ruleset without ip6
    // rules is its IPv4 view already.
    std::optional<model::Ruleset> view;
    if (opt.ip6 || model::has_ip6_rules(rs_in)) view = family_view(rs_in, opt.ip6);
    const model::Ruleset& rs = view ? *view : rs_in;
    auto plan = detail::make_plan(rs, detail::site_range(opt.ip6, view.has_value()));
    if (!plan) return plan.error();

    ir::Table t;
    t.name = opt.table_name;
    t.ip6 = opt.ip6;
    t.comment = "ipchains-divert";
    std::vector<ir::Chain> chains;
    if (opt.base_chain_policy) chains.push_back(format_chain());
    if (opt.unhook_empty_accept)
        chains.push_back(
            setting_chain(kUnhookedChain, "ipchains-layout:form", ir::ChainRole::Form));
    if (rs.divert_passthrough)
        chains.push_back(setting_chain(kPassthroughChain, "ipchains-layout:passthrough",
                                       ir::ChainRole::Passthrough));
    // A policy chain only for the continuations that end in it (a DIVERT/TEE site reached
    // from that built-in chain); otherwise the hook chain holds the policy rule itself.
    std::set<std::string> continued, policy_in_base, unhooked;
    for (const auto& s : plan->sites)
        if (detail::site_reached(*plan, s)) continued.insert(plan->instances[s.instance].root);
    for (const auto& c : rs.chains) {
        if (!c.builtin()) continue;
        // Passing such a chain is accepting: whatever a hook chain would do before it (the
        // masqueraded replies, a late write-back) accepts too.
        if (opt.unhook_empty_accept && c.rules.empty() &&
            c.policy.value_or(model::Policy::Accept) == model::Policy::Accept) {
            unhooked.insert(c.name);
            continue;
        }
        if (policy_in_hook_chain(c, continued.count(c.name) > 0, opt))
            policy_in_base.insert(c.name);
        else
            t.counters.push_back(ir::CounterObject{policy_counter_name(c.name),
                                                   c.policy_counters.packets,
                                                   c.policy_counters.bytes});
        if (continued.count(c.name)) chains.push_back(policy_chain(c));
    }
    for (const auto& inst : plan->instances) {
        if (unhooked.count(inst.chain->name)) continue;
        const bool in_base = policy_in_base.count(inst.chain->name) > 0;
        for (auto& c : instance_chains(*plan, inst, rs.divert_passthrough, in_base)) {
            if (opt.rule_runs) merge_runs(c, t.sets);
            chains.push_back(std::move(c));
        }
    }
    for (const auto& s : plan->sites)
        if (detail::site_reached(*plan, s)) chains.push_back(detail::continuation_chain(*plan, s));
    const bool masq = uses_masq(rs);
    bool any_site = false;
    for (const auto& s : plan->sites) any_site = any_site || detail::site_reached(*plan, s);
    for (const auto& h : kHooks) {
        const model::Chain* builtin = rs.find(h.builtin);
        if (builtin == nullptr || unhooked.count(h.builtin)) continue;
        ir::Chain c;
        c.name = hook_chain_name(h.builtin);
        c.base = ir::BaseChain{h.hook, h.priority, ir::ChainType::Filter};
        const bool own_policy = policy_in_base.count(h.builtin) > 0;
        // ":policy": the policy rule may be inline, where an older version always jumped to
        // the policy chain; ":base-policy": the chain's own policy and counters hold it. A
        // new comment has a chain of another form recreated, not patched, and the policy's
        // count moves with it: the new chain or counter object starts from the model's value.
        c.comment = own_policy ? "ipchains-layout:hook:base-policy" : "ipchains-layout:hook:policy";
        c.role = ir::ChainRole::Hook;
        if (own_policy) {
            c.base->drop = builtin->policy == model::Policy::Deny;
            c.base->counters = ir::ChainCounters{builtin->policy_counters.packets,
                                                 builtin->policy_counters.bytes};
        }
        // 2.2 de-masqueraded replies after input and sent them past forward to output. Only
        // with MASQ: the rule is a `ct` expression. The comment names the rule, so adding or
        // removing it recreates the chain, as for a chain an older version left behind.
        if (h.hook == ir::Hook::Forward && masq) {
            c.comment += ":masq-replies";
            c.rules.push_back(masq_reply_rule());
        }
        // Only rulesets with a DIVERT rule pay for the check; the comment differs so that a
        // chain an older version left in the kernel is recreated, not patched.
        if (any_site) {
            c.comment += ":resume";
            c.rules.push_back(resume_skip_rule());
        }
        // Nothing of the layout's own before the built-in chain, and its policy the chain's
        // own: the built-in chain is itself the base chain. A packet is spared the `goto`,
        // which costs as much as a set lookup (tests/bench/README.md), and the first rule of
        // the chain needs no jump. Its segment 0 is all of it: segments come with sites.
        if (own_policy && c.rules.empty()) {
            auto* own = find_chain(chains, segment_chain_name(h.builtin, 0, 0));
            if (own != nullptr &&
                find_chain(chains, segment_chain_name(h.builtin, 0, 1)) == nullptr) {
                own->base = c.base;
                continue;
            }
        }
        // No jump into an empty built-in chain, and the policy inline, not behind a jump:
        // every packet of the hook is spared the chains it would only enter and leave. The
        // first rule of the built-in chain brings the jump (NftBackend::append_fast leaves a
        // chain nothing jumps to to the full commit). With continuations the hook chain jumps
        // to their policy chain instead, so that one rule counts into the counter object:
        // the legacy backend keeps a policy's count in the rule that carries it, and starts
        // only one from the model's value.
        // With the policy the chain's own, `goto`: a packet that falls off the built-in chain
        // (or RETURNs from it) falls off the hook chain, to the policy that counts it, with no
        // rule of ours in between.
        if (!builtin->rules.empty())
            c.rules.push_back(verdict_rule(own_policy ? ir::Verdict::Goto : ir::Verdict::Jump,
                                           segment_chain_name(h.builtin, 0, 0)));
        if (!own_policy)
            c.rules.push_back(continued.count(h.builtin)
                                  ? verdict_rule(ir::Verdict::Jump,
                                                 detail::policy_chain_name(h.builtin))
                                  : policy_rule(*builtin));
        chains.push_back(std::move(c));
    }
    for (const auto& h : kHooks) {
        const bool reject = detail::hook_rejects(*plan, rs, h.hook);
        for (auto& c : detail::post_chains(*plan, h.hook, h.priority, reject, opt.ip6))
            chains.push_back(std::move(c));
    }
    for (auto& c : nat_chains(*plan, masq)) chains.push_back(std::move(c));

    t.chains = order_by_references(std::move(chains));
    return t;
}

}  // namespace ipchains::compile
