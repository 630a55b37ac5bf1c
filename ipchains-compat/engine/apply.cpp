// engine::apply: ip_fw_ctl's modifying commands on an in-memory ruleset (ip_fw-api.md section 5).
// Works on a copy and assigns it back only on success, so a failing command never leaves half
// of its rules applied (2.2 made one setsockopt per rule; we refuse the whole command instead).
#include <cerrno>
#include <string>

#include "engine/convert.h"
#include "engine/engine.h"

namespace ipchains::engine {

namespace {

using model::Op;

constexpr size_t kMaxLabel = 8;  // IP_FW_MAX_LABEL_LENGTH

Error fail(const model::Command& cmd, int err)
{
    model::TargetKind target = cmd.rules.empty() ? model::TargetKind::None : cmd.rules[0].target;
    return Error::kernel(err, kernel_error_text(cmd.op, err, target));
}

// [DECISION] names the chain layout or the target resolution could never tell apart.
bool reserved_chain_name(const std::string& n)
{
    static const char* const kSpecial[] = {"ACCEPT",   "DENY",   "REJECT", "MASQ", "REDIRECT",
                                           "RETURN",   "DIVERT", "QUEUE",  "-"};
    for (const char* s : kSpecial)
        if (n == s) return true;
    return n.empty() || n.find('~') != std::string::npos || n.find('@') != std::string::npos;
}

// check_label + chain lookup, the first two steps of most commands.
int lookup(model::Ruleset& rs, const std::string& name, model::Chain** out)
{
    if (name.size() > kMaxLabel) return EINVAL;
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

int apply_rules(model::Ruleset& rs, const model::Command& cmd)
{
    model::Chain* chain = nullptr;
    if (int err = lookup(rs, cmd.chain, &chain)) return err;
    switch (cmd.op) {
    case Op::Append:
    case Op::Insert:
        for (const auto& in : cmd.rules) {
            model::Rule r = in;
            if (int err = convert_rule(rs, r)) return err;
            r.counters = {};
            if (cmd.op == Op::Append) {
                chain->rules.push_back(r);
                continue;
            }
            if (cmd.rulenum == 0 || cmd.rulenum > chain->rules.size() + 1) return EINVAL;
            chain->rules.insert(chain->rules.begin() + (cmd.rulenum - 1), r);
        }
        return 0;
    case Op::Replace: {
        if (cmd.rules.size() != 1) return EINVAL;
        model::Rule r = cmd.rules[0];
        if (int err = convert_rule(rs, r)) return err;
        if (cmd.rulenum == 0 || cmd.rulenum > chain->rules.size()) return EINVAL;
        model::Rule& old = chain->rules[cmd.rulenum - 1];
        r.counters = old.counters;  // 2.2 quirk: only the rule header is copied over
        old = r;
        return 0;
    }
    case Op::DeleteSpec:
        for (const auto& in : cmd.rules) {
            model::Rule r = in;
            if (int err = convert_rule(rs, r)) return err;
            auto& rules = chain->rules;
            auto it = rules.begin();
            while (it != rules.end() && !it->same_for_delete(r)) ++it;
            if (it == rules.end()) return EINVAL;
            rules.erase(it);
        }
        return 0;
    case Op::DeleteNum:
        if (cmd.rulenum == 0 || cmd.rulenum > chain->rules.size()) return ENOENT;
        chain->rules.erase(chain->rules.begin() + (cmd.rulenum - 1));
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
        if (cmd.op == Op::Flush)
            chain->rules.clear();
        else
            zero_rules(*chain);
        return 0;
    case Op::ListZero:
        for (auto& c : rs.chains) zero_rules(c);
        return 0;
    case Op::NewChain: {
        if (cmd.chain.size() > kMaxLabel) return EINVAL;
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

}  // namespace

Result<void> apply(model::Ruleset& rs, const model::Command& cmd)
{
    model::Ruleset work = rs;
    int err = 0;
    switch (cmd.op) {
    case Op::Append:
    case Op::Insert:
    case Op::Replace:
    case Op::DeleteSpec:
    case Op::DeleteNum:
        err = apply_rules(work, cmd);
        if (err == 0 && cmd.op != Op::DeleteSpec && cmd.op != Op::DeleteNum &&
            has_reachable_loop(work))
            err = ELOOP;
        break;
    default:
        err = apply_chains(work, cmd);
        break;
    }
    if (err != 0) return fail(cmd, err);
    rs = std::move(work);
    return {};
}

}  // namespace ipchains::engine
