#include "backend/iptc/layout.h"

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>

#include "backend/iptc/extensions.h"
#include "backend/iptc/translate.h"
#include "compile/compile.h"

namespace ipchains::backend::iptc {

namespace {

using compile::MarkKind;

struct BaseInfo {
    const ir::Chain* main = nullptr;   // the hook chain (ChainRole::Hook)
    const ir::Chain* post = nullptr;   // the first post chain: executor + resume dispatch template
    const ir::Chain* last_post = nullptr;  // the last one: what follows the dispatch
};

bool is_executor(const ir::Rule& r)
{
    for (const auto& st : r.statements) {
        if (std::holds_alternative<ir::Reject>(st)) return true;
        if (const auto* v = std::get_if<ir::Verdict>(&st))
            if (v->kind == ir::Verdict::Drop) return true;
    }
    return false;
}

bool is_dispatch(const ir::Rule& r)
{
    for (const auto& st : r.statements)
        if (const auto* v = std::get_if<ir::Verdict>(&st))
            if (v->kind == ir::Verdict::Jump) return true;
    return false;
}

std::vector<ir::Rule> rules_where(const ir::Chain* c, bool (*pred)(const ir::Rule&))
{
    std::vector<ir::Rule> out;
    if (c == nullptr) return out;
    for (const auto& r : c->rules)
        if (pred(r)) out.push_back(r);
    return out;
}

ir::Mark kind_is(MarkKind k, bool exact_id = false)
{
    return ir::Mark{compile::kKindMask | (exact_id ? compile::kIdMask : 0),
                    compile::mark_stamp(k, 0), false};
}

// A TEE site's original comes back with the TEE kind still in its mark (docs/ipfw.md "TEE"), so
// the dispatch chains are hooked for that kind too, only when a TEE site exists.
bool dispatches_tee(const std::vector<ir::Rule>& sites)
{
    for (const auto& r : sites)
        for (const auto& m : r.matches)
            if (const auto* mk = std::get_if<ir::Mark>(&m))
                if ((mk->value & compile::kKindMask) == compile::mark_stamp(MarkKind::Tee, 0))
                    return true;
    return false;
}

ir::Rule make_rule(std::vector<ir::Match> m, std::vector<ir::Statement> s)
{
    ir::Rule r;
    r.matches = std::move(m);
    r.statements = std::move(s);
    return r;
}

ir::Statement verdict(ir::Verdict::Kind k, std::string chain = {})
{
    return ir::Verdict{k, std::move(chain)};
}

// A hook's dispatch chain, none without sites: the first post chain's jumps to its
// continuations, then what compile/ ends the last post chain with after them (the other hooks'
// resume stamps passed on, a stale one cleared: compile::stale_resume_stamp_cleared). An
// accept there leaves the dispatch chain only, so it is a RETURN here.
std::vector<ir::Rule> dispatch_chain(const BaseInfo& b)
{
    auto rules = rules_where(b.post, is_dispatch);
    if (rules.empty()) return rules;
    const auto& tail = b.last_post->rules;
    auto it = std::find_if(tail.rbegin(), tail.rend(), is_dispatch).base();
    for (; it != tail.end(); ++it) {
        ir::Rule r = *it;
        for (auto& st : r.statements)
            if (auto* v = std::get_if<ir::Verdict>(&st); v && v->kind == ir::Verdict::Accept)
                v->kind = ir::Verdict::Return;
        rules.push_back(std::move(r));
    }
    return rules;
}

class Builder {
public:
    Builder(const ir::Table& t, std::string prefix) : t_(t), p_(std::move(prefix))
    {
        for (const auto& c : t_.chains) by_name_[c.name] = &c;
    }

    Result<Layout> run()
    {
        classify();
        const auto in_sites = dispatch_chain(base_[ir::Hook::Prerouting]);
        const auto fwd_sites = dispatch_chain(base_[ir::Hook::Forward]);
        const auto out_sites = dispatch_chain(base_[ir::Hook::Postrouting]);
        const auto in_copy = reach(in_sites), fwd_copy = reach(fwd_sites);
        // The REJECT executors: compile/ gives a hook a post chain only when something there
        // stamps REJECT or diverts, and every stage below exists only when it has work.
        auto in_exec = rules_where(base_[ir::Hook::Prerouting].post, is_executor);
        const auto fwd_exec = rules_where(base_[ir::Hook::Forward].post, is_executor);
        std::vector<ir::Rule> out_exec = rules_where(base_[ir::Hook::Postrouting].post, is_executor);
        // ~fwd-gate lets input-side REJECT stamps through forward to filter FORWARD, and is
        // where an input continuation resumed in FORWARD goes on.
        const bool fwd_gate_needed = !in_exec.empty() || !in_sites.empty();
        const std::string out_accept = out_exec.empty() ? "" : p_ + "~out-exec";

        Context d_in{p_, "", "", false, false};
        Context f{p_, kCopyForward, p_ + "~fwd-gate", false, false};
        Context d_fwd{p_, "", "", false, true};
        Context pc{p_, kCopyPostrouting, p_ + "~out-gate", false, true};
        Context o{p_, "", out_accept, false, false};
        Context x{p_, "", "", true, false};

        // mangle: every non-base chain, in the context of the hook that reaches it.
        TableState mangle{"mangle", {}, {}, {}};
        ActionChains mangle_acts;
        for (const auto& c : t_.chains) {
            if (c.base) continue;
            const ir::Hook* h = hook_of(c.name);
            const Context& ctx = !h ? d_in
                                 : *h == ir::Hook::Forward     ? d_fwd
                                 : *h == ir::Hook::Postrouting ? o
                                                               : d_in;
            if (auto r = emit(mangle, mangle_acts, c.name, c.rules, ctx); !r) return r.error();
            if (in_copy.count(c.name))
                if (auto r = emit(mangle, mangle_acts, c.name, c.rules, f); !r) return r.error();
            if (fwd_copy.count(c.name))
                if (auto r = emit(mangle, mangle_acts, c.name, c.rules, pc); !r) return r.error();
        }
        const ir::Chain* in_main = base_[ir::Hook::Prerouting].main;
        const ir::Chain* fwd_main = base_[ir::Hook::Forward].main;
        const ir::Chain* out_main = base_[ir::Hook::Postrouting].main;
        if (in_main)
            if (auto r = emit(mangle, mangle_acts, in_main->name, in_main->rules, d_in); !r)
                return r.error();
        if (fwd_main)
            if (auto r = emit(mangle, mangle_acts, fwd_main->name, fwd_main->rules, d_fwd); !r)
                return r.error();
        if (out_main)
            if (auto r = emit(mangle, mangle_acts, out_main->name, out_main->rules, o); !r)
                return r.error();

        // Stage glue (layout.h): where an ACCEPT continues when the next stage shares the
        // built-in chain.
        if (fwd_gate_needed) {
            std::vector<ir::Rule> fwd_gate{make_rule({kind_is(MarkKind::Reject)},
                                                     {verdict(ir::Verdict::Accept)})};
            if (fwd_main)
                fwd_gate.push_back(make_rule({}, {verdict(ir::Verdict::Goto, fwd_main->name)}));
            if (auto r = emit(mangle, mangle_acts, "~fwd-gate", fwd_gate, d_in); !r)
                return r.error();
        }
        if (!out_exec.empty()) {
            out_exec.push_back(make_rule({}, {verdict(ir::Verdict::Accept)}));
            if (auto r = emit(mangle, mangle_acts, "~out-exec", out_exec, d_in); !r)
                return r.error();
        }
        if (!fwd_sites.empty()) {
            // A forward-side REJECT resumed in POSTROUTING: no REJECT target there, so DROP.
            std::vector<ir::Rule> gate{make_rule({kind_is(MarkKind::Reject)},
                                                 {verdict(ir::Verdict::Drop)})};
            if (out_main) gate.push_back(make_rule({}, {verdict(ir::Verdict::Goto, out_main->name)}));
            if (auto r = emit(mangle, mangle_acts, "~out-gate", gate, o); !r) return r.error();
            if (auto r = emit(mangle, mangle_acts, "~fwd-dispatch", fwd_sites, pc); !r)
                return r.error();
        }
        if (!out_sites.empty())
            if (auto r = emit(mangle, mangle_acts, "~out-dispatch", out_sites, o); !r)
                return r.error();
        if (!in_sites.empty()) {
            if (auto r = emit(mangle, mangle_acts, "~in-dispatch", in_sites, d_in); !r)
                return r.error();
            if (auto r = emit(mangle, mangle_acts, "~in-dispatch", in_sites, f); !r)
                return r.error();
        }
        if (auto r = emit_meta(mangle); !r) return r.error();

        const ir::Mark resumed = kind_is(MarkKind::Resume);
        const ir::Mark teed = kind_is(MarkKind::Tee);
        if (in_main) hook(mangle, "PREROUTING", {}, legacy_name(d_in, in_main->name));
        if (!in_sites.empty()) {
            hook(mangle, "INPUT", {resumed}, legacy_name(d_in, "~in-dispatch"));
            hook(mangle, "FORWARD", {resumed}, legacy_name(f, "~in-dispatch"));
        }
        if (dispatches_tee(in_sites)) {
            hook(mangle, "INPUT", {teed}, legacy_name(d_in, "~in-dispatch"));
            hook(mangle, "FORWARD", {teed}, legacy_name(f, "~in-dispatch"));
        }
        if (fwd_gate_needed)
            hook(mangle, "FORWARD", {}, legacy_name(d_in, "~fwd-gate"));
        else if (fwd_main)
            hook(mangle, "FORWARD", {}, legacy_name(d_fwd, fwd_main->name));
        // Output: local packets in OUTPUT, so that a DIVERT there can resume in POSTROUTING;
        // forwarded ones (they have an input interface) in POSTROUTING, where nothing
        // follows in legacy iptables to resume them.
        if (out_main) hook(mangle, "OUTPUT", {}, legacy_name(o, out_main->name));
        if (!fwd_sites.empty())
            hook(mangle, "POSTROUTING", {resumed}, legacy_name(pc, "~fwd-dispatch"));
        if (dispatches_tee(fwd_sites))
            hook(mangle, "POSTROUTING", {teed}, legacy_name(pc, "~fwd-dispatch"));
        if (!out_sites.empty())
            hook(mangle, "POSTROUTING", {resumed}, legacy_name(o, "~out-dispatch"));
        if (dispatches_tee(out_sites))
            hook(mangle, "POSTROUTING", {teed}, legacy_name(o, "~out-dispatch"));
        const ir::IfName forwarded{true, "", false, true};
        if (out_main) hook(mangle, "POSTROUTING", {forwarded}, legacy_name(o, out_main->name));
        add_actions(mangle, mangle_acts);

        // filter: the REJECT executors. Input-side stamps carry id 0, forward-side ones id 1,
        // because both reach filter FORWARD and want different ICMP codes.
        TableState filter{"filter", {}, {}, {}};
        ActionChains filter_acts;
        for (auto& r : in_exec)
            for (auto& m : r.matches)
                if (auto* mk = std::get_if<ir::Mark>(&m)) mk->mask |= compile::kIdMask;
        if (!in_exec.empty()) {
            if (auto r = emit(filter, filter_acts, "~in-exec", in_exec, x); !r) return r.error();
            hook(filter, "INPUT", {}, legacy_name(x, "~in-exec"));
            hook(filter, "FORWARD", {}, legacy_name(x, "~in-exec"));
        }
        if (!fwd_exec.empty()) {
            if (auto r = emit(filter, filter_acts, "~fwd-exec", fwd_exec, x); !r) return r.error();
            hook(filter, "FORWARD", {}, legacy_name(x, "~fwd-exec"));
        }
        add_actions(filter, filter_acts);

        // nat: the REDIRECT and MASQUERADE executors, transparent for other nat rules.
        TableState nat{"nat", {}, {}, {}};
        ActionChains nat_acts;
        for (const auto& c : t_.chains) {
            if (c.role != ir::ChainRole::Nat) continue;
            if (auto r = emit(nat, nat_acts, c.name, c.rules, x); !r) return r.error();
            hook(nat, builtin_of(c.base->hook), {}, legacy_name(x, c.name));
        }
        add_actions(nat, nat_acts);

        Layout out;
        out.tables.push_back(std::move(filter));
        out.tables.push_back(std::move(nat));
        out.tables.push_back(std::move(mangle));
        return out;
    }

private:
    void classify()
    {
        // compile/ names each chain's role (ir::ChainRole); the post chains of a hook are alike
        // up to their dispatch, and the first (lowest priority) one serves as the template; the
        // last one adds what follows the dispatch.
        std::map<ir::Hook, std::vector<const ir::Chain*>> filters;
        for (const auto& c : t_.chains) {
            if (!c.base) continue;
            if (c.role == ir::ChainRole::Hook) {
                base_[c.base->hook].main = &c;
                filters[c.base->hook].push_back(&c);
            } else if (c.role == ir::ChainRole::Post) {
                const ir::Chain*& post = base_[c.base->hook].post;
                if (!post || c.base->priority < post->base->priority) post = &c;
                const ir::Chain*& last = base_[c.base->hook].last_post;
                if (!last || c.base->priority > last->base->priority) last = &c;
                filters[c.base->hook].push_back(&c);
            }
        }
        for (auto& [h, v] : filters) {
            std::set<std::string> seen;
            for (const auto* c : v) walk(c->name, h, seen);
        }
    }

    void walk(const std::string& name, ir::Hook h, std::set<std::string>& seen)
    {
        if (!seen.insert(name).second) return;
        auto it = by_name_.find(name);
        if (it == by_name_.end()) return;
        if (!it->second->base) hooks_.emplace(name, h);
        for (const auto& r : it->second->rules)
            for (const auto& st : r.statements)
                if (const auto* v = std::get_if<ir::Verdict>(&st))
                    if (!v->chain.empty()) walk(v->chain, h, seen);
    }

    std::set<std::string> reach(const std::vector<ir::Rule>& from)
    {
        std::set<std::string> seen;
        std::vector<std::string> todo;
        for (const auto& r : from)
            for (const auto& st : r.statements)
                if (const auto* v = std::get_if<ir::Verdict>(&st))
                    if (!v->chain.empty()) todo.push_back(v->chain);
        while (!todo.empty()) {
            std::string n = todo.back();
            todo.pop_back();
            auto it = by_name_.find(n);
            if (it == by_name_.end() || !seen.insert(n).second) continue;
            for (const auto& r : it->second->rules)
                for (const auto& st : r.statements)
                    if (const auto* v = std::get_if<ir::Verdict>(&st))
                        if (!v->chain.empty()) todo.push_back(v->chain);
        }
        return seen;
    }

    const ir::Hook* hook_of(const std::string& name) const
    {
        auto it = hooks_.find(name);
        return it == hooks_.end() ? nullptr : &it->second;
    }

    static const char* builtin_of(ir::Hook h)
    {
        switch (h) {
        case ir::Hook::Prerouting: return "PREROUTING";
        case ir::Hook::Input: return "INPUT";
        case ir::Hook::Forward: return "FORWARD";
        case ir::Hook::Output: return "OUTPUT";
        case ir::Hook::Postrouting: return "POSTROUTING";
        }
        return "PREROUTING";
    }

    Result<void> check_name(const std::string& n)
    {
        if (n.size() > kMaxChainName)
            return Error::kernel(ENAMETOOLONG,
                                 "legacy iptables chain name too long: " + n);
        return {};
    }

    Result<void> emit(TableState& ts, ActionChains& acts, const std::string& ir_name,
                      const std::vector<ir::Rule>& rules, const Context& ctx)
    {
        LegacyChain c;
        c.name = legacy_name(ctx, ir_name);
        if (auto ok = check_name(c.name); !ok) return ok;
        // Counters start from the model's values in one place only: the primary instance,
        // outside the copies. The reader sums every instance and copy.
        auto tag = by_name_.count(ir_name) ? compile::parse_chain_comment(by_name_[ir_name]->comment)
                                           : std::nullopt;
        const bool primary = ctx.suffix.empty() && (!tag || tag->instance == 0);
        if (tag) ts.owner[c.name] = tag->name;
        for (const auto& r : rules) {
            auto lr = translate_rule(r, ctx, acts);
            if (!lr) return lr.error();
            lr->packets = primary ? lr->packets : 0;
            lr->bytes = primary ? lr->bytes : 0;
            for (const auto& st : r.statements) {
                const auto* n = std::get_if<ir::NamedCounter>(&st);
                if (n == nullptr || !primary) continue;
                for (const auto& obj : t_.counters)
                    if (obj.name == n->name) {
                        lr->packets = obj.packets;
                        lr->bytes = obj.bytes;
                    }
            }
            c.rules.push_back(std::move(*lr));
        }
        ts.chains.push_back(std::move(c));
        return {};
    }

    Result<void> emit_meta(TableState& ts)
    {
        LegacyChain meta;
        meta.name = p_ + kMetaChain;
        if (auto ok = check_name(meta.name); !ok) return ok;
        for (const auto& c : t_.chains) {
            if (!compile::parse_chain_comment(c.comment) &&
                !compile::parse_continuation_comment(c.comment))
                continue;
            LegacyRule r;
            r.matches.push_back(xt::comment(c.comment));
            meta.rules.push_back(std::move(r));
        }
        ts.chains.push_back(std::move(meta));
        return {};
    }

    void hook(TableState& ts, const std::string& builtin, std::vector<ir::Match> m,
              const std::string& target)
    {
        LegacyRule r = *translate_matches(m);  // mark matches only: cannot fail
        r.label = target;
        auto it = std::find_if(ts.hooks.begin(), ts.hooks.end(),
                               [&](const auto& h) { return h.first == builtin; });
        if (it == ts.hooks.end()) {
            ts.hooks.emplace_back(builtin, std::vector<LegacyRule>{});
            it = std::prev(ts.hooks.end());
        }
        it->second.push_back(std::move(r));
    }

    static void add_actions(TableState& ts, ActionChains& acts)
    {
        for (const auto& n : acts.order) ts.chains.push_back({n, std::move(acts.chains[n])});
    }

    const ir::Table& t_;
    std::string p_;
    std::map<std::string, const ir::Chain*> by_name_;
    std::map<ir::Hook, BaseInfo> base_;
    std::map<std::string, ir::Hook> hooks_;
};

}  // namespace

Result<Layout> make_layout(const ir::Table& t, const std::string& prefix)
{
    return Builder(t, prefix).run();
}

}  // namespace ipchains::backend::iptc
