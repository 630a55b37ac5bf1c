// What runs after a diverted packet comes back: the "post" base chains that dispatch it to
// its site's continuation, and the continuations themselves (docs/design.md "Segments").
#include "compile/continuation.h"

#include <algorithm>

#include "compile/carrier.h"

namespace ipchains::compile::detail {

namespace {

constexpr int kMaxCrossedDiverts = 8;  // caps K (docs/differences-engine.md)

ir::Rule verdict_rule(ir::Verdict::Kind k, const std::string& chain = "")
{
    ir::Rule r;
    r.statements.push_back(ir::Verdict{k, chain});
    return r;
}

bool site_is_tee(const Plan& plan, const Site& s)
{
    return plan.instances[s.instance].chain->rules[s.rule].target == model::TargetKind::Tee;
}

}  // namespace

std::string policy_chain_name(const std::string& builtin)
{
    return "~" + builtin + "-policy";
}

ir::Rule dispatch(MarkKind kind, uint32_t site)
{
    ir::Rule r;
    r.matches.emplace_back(std::in_place_type<ir::Mark>, stamp_match(kind, site));
    r.statements.push_back(ir::Verdict{ir::Verdict::Jump, continuation_name(site)});
    return r;
}

// A RESUME stamp of a site of another hook, left for that hook's dispatch.
ir::Rule passed_on(uint32_t site)
{
    ir::Rule r;
    r.matches.emplace_back(std::in_place_type<ir::Mark>, stamp_match(MarkKind::Resume, site));
    r.statements.push_back(ir::Verdict{ir::Verdict::Accept, ""});
    return r;
}

bool site_reached(const Plan& plan, const Site& s)
{
    return !plan.instances[s.instance].root.empty();
}

ir::Chain continuation_chain(const Plan& plan, const Site& s)
{
    ir::Chain c;
    c.name = continuation_name(s.id);
    c.comment = continuation_comment({s.id, s.key});
    c.role = ir::ChainRole::Continuation;
    ir::Rule clear;
    clear.statements.push_back(ir::SetMark{~(kKindMask | kIdMask), 0});
    c.rules.push_back(clear);
    // The rest of the diverting segment, then the rest of every caller, innermost first: each
    // `jump` returns exactly where the original walk would have continued.
    const Instance* inst = &plan.instances[s.instance];
    size_t rule = s.rule;
    for (;;) {
        c.rules.push_back(
            verdict_rule(ir::Verdict::Jump, inst->segment_name(inst->segment[rule] + 1)));
        if (inst->parent < 0) break;
        rule = inst->parent_rule;
        inst = &plan.instances[inst->parent];
    }
    c.rules.push_back(verdict_rule(ir::Verdict::Jump, policy_chain_name(inst->root)));
    return c;
}

bool hook_rejects(const Plan& plan, const model::Ruleset& rs, ir::Hook hook)
{
    for (const char* b : {"input", "forward", "output"}) {
        const model::Chain* c = rs.find(b);
        if (c != nullptr && builtin_hook(b) == hook && c->policy == model::Policy::Reject)
            return true;
    }
    for (const auto& inst : plan.instances) {
        if (inst.root.empty() || inst.hook != hook) continue;
        for (const auto& r : inst.chain->rules)
            if (r.target == model::TargetKind::Reject) return true;
    }
    return false;
}

std::vector<ir::Chain> post_chains(const Plan& plan, ir::Hook hook, int hook_priority,
                                   bool reject_here, bool ip6)
{
    std::vector<const Site*> sites;
    for (const auto& s : plan.sites)
        if (site_reached(plan, s) && plan.instances[s.instance].hook == hook) sites.push_back(&s);
    // Every post chain is a base chain each packet of the hook walks: none unless needed.
    if (sites.empty() && !reject_here) return {};

    ir::Rule reject;
    reject.matches.push_back(ir::Mark{kKindMask, mark_stamp(MarkKind::Reject, 0), false});
    // IPv6: what RFC 7915 translates the IPv4 answer to (docs/ipfw.md "IPv6").
    if (hook == ir::Hook::Prerouting)
        reject.statements.push_back(
            ir::Reject{ip6 ? ir::Reject::Port6Unreach : ir::Reject::PortUnreach});
    else if (hook == ir::Hook::Forward)
        reject.statements.push_back(
            ir::Reject{ip6 ? ir::Reject::NoRoute6 : ir::Reject::HostUnreach});
    else  // nft cannot reject in postrouting; the local sender gets EPERM, as in 2.2
        reject.statements.push_back(ir::Verdict{ir::Verdict::Drop, ""});
    ir::Rule pass;
    pass.matches.push_back(ir::Mark{kKindMask, mark_stamp(MarkKind::Resume, 0), true});
    pass.statements.push_back(ir::Verdict{ir::Verdict::Accept, ""});

    std::vector<ir::Chain> out;
    if (sites.empty()) {
        // Nothing to dispatch: one chain, the deferred reject alone. Its own comment, so a
        // chain an older version filled with more rules is recreated.
        ir::Chain c;
        c.name = post_chain_name(hook, 1);
        c.base = ir::BaseChain{hook, hook_priority + 1, ir::ChainType::Filter};
        c.comment = "ipchains-layout:post:reject";
        c.role = ir::ChainRole::Post;
        c.rules.push_back(reject);
        out.push_back(std::move(c));
        return out;
    }
    // K = 1 + the DIVERT rules one packet can cross here: every site of the hook, in walk order.
    int k = std::min<int>(kMaxCrossedDiverts, 1 + static_cast<int>(sites.size()));
    for (int i = 1; i <= k + 1; ++i) {
        ir::Chain c;
        c.name = post_chain_name(hook, i);
        c.base = ir::BaseChain{hook, hook_priority + i, ir::ChainType::Filter};
        c.comment = "ipchains-layout:post";
        c.role = ir::ChainRole::Post;
        c.rules.push_back(reject);
        // A TEE site's original comes back with the TEE stamp (libdivert's verdict keeps it;
        // nobody bound: the queue's bypass accepted it), so it is dispatched before `pass`.
        for (const Site* s : sites)
            if (site_is_tee(plan, *s)) c.rules.push_back(dispatch(MarkKind::Tee, s->id));
        c.rules.push_back(pass);
        for (const Site* s : sites) c.rules.push_back(dispatch(MarkKind::Resume, s->id));
        if (i == k + 1) {
            // A late write-back of another hook's site crosses this hook on its way to its own
            // (a forwarded packet's comes in through prerouting): it goes on as it is. Any
            // other RESUME stamp names a site that is gone.
            for (const auto& s : plan.sites)
                if (site_reached(plan, s) && plan.instances[s.instance].hook != hook)
                    c.rules.push_back(passed_on(s.id));
            c.rules.push_back(stale_resume_stamp_cleared());
        }
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace ipchains::compile::detail

namespace ipchains::compile {

ir::Rule stale_resume_stamp_cleared()
{
    ir::Rule r;
    r.matches.push_back(ir::Mark{kKindMask, mark_stamp(MarkKind::Resume, 0), false});
    r.statements.push_back(ir::SetMark{~(kKindMask | kIdMask), 0});
    return r;
}

std::string post_chain_name(ir::Hook hook, int i)
{
    return std::string("~") + detail::hook_short_name(hook) + "-post-" + std::to_string(i);
}

}  // namespace ipchains::compile
