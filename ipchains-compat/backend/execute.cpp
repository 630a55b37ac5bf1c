#include "backend/execute.h"

#include "engine/engine.h"

namespace ipchains::backend {

namespace {
// Ruleset::operator== leaves counters out, but -Z changes nothing else.
bool same_counters(const model::Ruleset& a, const model::Ruleset& b)
{
    for (const auto& c : a.chains) {
        const model::Chain* o = b.find(c.name);
        if (o == nullptr || o->rules.size() != c.rules.size()) return false;
        for (size_t i = 0; i < c.rules.size(); ++i)
            if (!(c.rules[i].counters == o->rules[i].counters)) return false;
    }
    return true;
}

bool fast_path_target(model::TargetKind t)
{
    using model::TargetKind;
    return t == TargetKind::None || t == TargetKind::Accept || t == TargetKind::Deny ||
           t == TargetKind::Reject || t == TargetKind::Masq || t == TargetKind::Return;
}
}  // namespace

Result<void> execute(Backend& be, const model::Command& cmd)
{
    if (cmd.op == model::Op::Append) {
        bool simple = !cmd.rules.empty();
        for (const auto& r : cmd.rules) simple = simple && fast_path_target(r.target);
        if (simple) {
            auto done = be.append_fast(cmd.chain, cmd.rules);
            if (!done) return done.error();
            if (*done) return {};
        }
    }
    return execute_all(be, {cmd});
}

Result<void> execute_all(Backend& be, const std::vector<model::Command>& cmds)
{
    auto before = be.read(false);
    if (!before) return before.error();
    model::Ruleset after = *before;
    for (size_t i = 0; i < cmds.size(); ++i) {
        auto applied = engine::apply(after, cmds[i]);
        if (!applied) {
            Error e = applied.error();
            e.line = static_cast<int>(i + 1);
            return e;
        }
    }
    if (after == *before && same_counters(after, *before)) return {};
    return be.commit(*before, after);
}

}  // namespace ipchains::backend
