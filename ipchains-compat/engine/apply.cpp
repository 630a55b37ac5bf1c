// engine::apply: ip_fw_ctl's modifying commands on an in-memory ruleset
// (docs/reference/firewall-api.md section 5). A failing command never leaves half of its rules
// applied (2.2 made one setsockopt per rule; we refuse the whole command instead).
#include <cerrno>
#include <string>
#include <vector>

#include "engine/convert.h"
#include "engine/engine.h"

namespace ipchains::engine {

namespace {

using model::Op;

Error fail(const model::Command& cmd, int err)
{
    model::TargetKind target = cmd.rules.empty() ? model::TargetKind::None : cmd.rules[0].target;
    return Error::kernel(err, kernel_error_text(cmd.op, err, target));
}

// [DECISION] names the chain layout or the target resolution could never tell apart.
bool reserved_chain_name(const std::string& n)
{
    static const char* const kSpecial[] = {"ACCEPT",   "DENY",   "REJECT", "MASQ", "REDIRECT",
                                           "RETURN",   "DIVERT", "QUEUE",  "TEE", "-"};
    for (const char* s : kSpecial)
        if (n == s) return true;
    return n.empty() || n.find('~') != std::string::npos || n.find('@') != std::string::npos;
}

// check_label + chain lookup, the first two steps of most commands.
int lookup(model::Ruleset& rs, const std::string& name, model::Chain** out)
{
    if (name.size() > model::kMaxLabel) return EINVAL;
    *out = rs.find(name);
    return *out == nullptr ? ENOENT : 0;
}

int delete_chain(model::Ruleset& rs, const std::string& name)
{
    if (name == "input") return EBUSY;
    const model::Chain* c = rs.find(name);
    if (c == nullptr) return ENOENT;
    if (rs.refcount(name) > 0) return EBUSY;
    if (!c->rules.empty()) return ENOTEMPTY;
    for (auto it = rs.chains.begin(); it != rs.chains.end(); ++it) {
        if (it->name == name) {
            rs.chains.erase(it);
            break;
        }
    }
    return 0;
}

void zero_rules(model::Chain& c)
{
    for (auto& r : c.rules) r.counters = {};
}

// Validates every rule of the command before touching the chain, so a failure leaves `rs`
// as it was without copying it (a restore file is thousands of commands).
int apply_rules(model::Ruleset& rs, const model::Command& cmd)
{
    model::Chain* chain = nullptr;
    if (int err = lookup(rs, cmd.chain, &chain)) return err;
    std::vector<model::Rule> converted;
    converted.reserve(cmd.rules.size());
    for (const auto& in : cmd.rules) {
        model::Rule r = in;
        if (int err = convert_rule(rs, r)) return err;
        converted.push_back(std::move(r));
    }
    auto& rules = chain->rules;
    switch (cmd.op) {
    case Op::Append:
    case Op::Insert:
        if (cmd.op == Op::Insert && (cmd.rulenum == 0 || cmd.rulenum > rules.size() + 1))
            return EINVAL;
        for (auto& r : converted) {
            r.counters = {};
            if (cmd.op == Op::Append)
                rules.push_back(std::move(r));
            else  // every rule goes in at the same number, so they end up reversed (1.3.9)
                rules.insert(rules.begin() + (cmd.rulenum - 1), std::move(r));
        }
        return 0;
    case Op::Replace: {
        if (converted.size() != 1) return EINVAL;
        if (cmd.rulenum == 0 || cmd.rulenum > rules.size()) return EINVAL;
        model::Rule& old = rules[cmd.rulenum - 1];
        converted[0].counters = old.counters;  // 2.2 quirk: only the rule header is copied over
        old = std::move(converted[0]);
        return 0;
    }
    case Op::DeleteSpec: {
        // Each spec deletes the first equal rule not already taken by an earlier spec: the same
        // rules sequential deletion would remove, found before anything is erased.
        std::vector<bool> doomed(rules.size(), false);
        for (const auto& r : converted) {
            size_t i = 0;
            while (i < rules.size() && (doomed[i] || !rules[i].same_for_delete(r))) ++i;
            if (i == rules.size()) return EINVAL;
            doomed[i] = true;
        }
        // No rule is moved onto itself: a self-move empties its strings (the jump target,
        // the interface) in libstdc++.
        size_t kept = 0;
        for (size_t i = 0; i < rules.size(); ++i) {
            if (doomed[i]) continue;
            if (kept != i) rules[kept] = std::move(rules[i]);
            ++kept;
        }
        rules.resize(kept);
        return 0;
    }
    case Op::DeleteNum:
        if (cmd.rulenum == 0 || cmd.rulenum > rules.size()) return ENOENT;
        rules.erase(rules.begin() + (cmd.rulenum - 1));
        return 0;
    default:
        return 0;
    }
}

int apply_chains(model::Ruleset& rs, const model::Command& cmd)
{
    model::Chain* chain = nullptr;
    switch (cmd.op) {
    case Op::Flush:
    case Op::Zero:
        if (cmd.chain.empty()) {
            for (auto& c : rs.chains) {
                if (cmd.op == Op::Flush)
                    c.rules.clear();
                else
                    zero_rules(c);
            }
            return 0;
        }
        if (int err = lookup(rs, cmd.chain, &chain)) return err;
        if (cmd.op == Op::Flush) {
            chain->rules.clear();
        } else if (cmd.rulenum != 0) {
            // ipfw zero N: one rule (docs/ipfw.md "One ruleset, two syntaxes"); ipchains' -Z
            // has no number.
            if (cmd.rulenum > chain->rules.size()) return ENOENT;
            chain->rules[cmd.rulenum - 1].counters = {};
        } else {
            zero_rules(*chain);
        }
        return 0;
    case Op::ListZero:
        for (auto& c : rs.chains) zero_rules(c);
        return 0;
    case Op::NewChain: {
        if (cmd.chain.size() > model::kMaxLabel) return EINVAL;
        if (rs.find(cmd.chain) != nullptr) return EEXIST;
        if (reserved_chain_name(cmd.chain)) return EINVAL;
        model::Chain c;
        c.name = cmd.chain;
        rs.chains.push_back(c);
        return 0;
    }
    case Op::DeleteChain:
        if (!cmd.chain.empty()) return delete_chain(rs, cmd.chain);
        for (size_t i = 0; i < rs.chains.size();) {
            if (rs.chains[i].builtin()) {
                ++i;
                continue;
            }
            if (int err = delete_chain(rs, rs.chains[i].name)) return err;
        }
        return 0;
    case Op::SetPolicy:
        if (int err = lookup(rs, cmd.chain, &chain)) return err;
        if (!chain->builtin()) return EINVAL;
        if (cmd.policy == model::Policy::Masq && chain->name != "forward") return EINVAL;
        chain->policy = cmd.policy;
        return 0;
    case Op::SetPassthrough:
        rs.divert_passthrough = cmd.passthrough;
        return 0;
    default:
        return 0;
    }
}


bool adds_jump(const model::Command& cmd)
{
    if (cmd.op != Op::Append && cmd.op != Op::Insert && cmd.op != Op::Replace) return false;
    for (const auto& r : cmd.rules)
        if (r.target == model::TargetKind::Chain) return true;
    return false;
}

bool is_rule_op(Op op)
{
    return op == Op::Append || op == Op::Insert || op == Op::Replace || op == Op::DeleteSpec ||
           op == Op::DeleteNum;
}

}  // namespace

Result<void> apply(model::Ruleset& rs, const model::Command& cmd)
{
    // Only two cases can fail after a change was made: a new jump that closes a loop, and
    // `-X` of all chains stopping at a busy one. They work on a copy; everything else
    // validates first and changes `rs` in place.
    const bool needs_copy = adds_jump(cmd) || (cmd.op == Op::DeleteChain && cmd.chain.empty());
    model::Ruleset copy;
    if (needs_copy) copy = rs;
    model::Ruleset& work = needs_copy ? copy : rs;
    int err = is_rule_op(cmd.op) ? apply_rules(work, cmd) : apply_chains(work, cmd);
    if (err == 0 && adds_jump(cmd) && has_reachable_loop(work)) err = ELOOP;
    if (err != 0) return fail(cmd, err);
    if (needs_copy) rs = std::move(copy);
    return {};
}

Result<std::vector<model::Rule>> validate_append(const model::Command& cmd)
{
    // The built-in chains are all convert_rule needs of a ruleset for targets that name no
    // chain; the chain itself must exist, which the caller's kernel state decides.
    static const model::Ruleset builtins = model::Ruleset::initial();
    if (cmd.chain.size() > model::kMaxLabel) return fail(cmd, EINVAL);
    std::vector<model::Rule> out;
    out.reserve(cmd.rules.size());
    for (const auto& in : cmd.rules) {
        if (in.target == model::TargetKind::Chain) return fail(cmd, EINVAL);
        model::Rule r = in;
        if (int err = convert_rule(builtins, r)) return fail(cmd, err);
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace ipchains::engine
