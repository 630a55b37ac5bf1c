#include <cstddef>

#include "engine/engine.h"

namespace ipchains::engine {

namespace {

bool all_zero(const model::Chain& c)
{
    for (const auto& r : c.rules)
        if (!(r.counters == model::Counters{})) return false;
    return true;
}

bool same_counters(const model::Chain& a, const model::Chain& b)
{
    for (size_t i = 0; i < a.rules.size(); ++i)
        if (!(a.rules[i].counters == b.rules[i].counters)) return false;
    return true;
}

}  // namespace

Result<model::Change> make_change(const model::Ruleset& before,
                                  const std::vector<model::Command>& cmds)
{
    model::Change change;
    change.after = before;
    for (size_t i = 0; i < cmds.size(); ++i) {
        auto applied = apply(change.after, cmds[i]);
        if (!applied) {
            Error e = applied.error();
            e.line = static_cast<int>(i + 1);
            return e;
        }
    }
    // A chain whose rules are the same and whose counters were not all zero and are now:
    // only -Z does that (a chain without counts has nothing to reset).
    for (const auto& c : change.after.chains) {
        const model::Chain* b = before.find(c.name);
        if (b == nullptr || c.rules.empty() || !(b->rules == c.rules)) continue;
        if (all_zero(c) && !all_zero(*b))
            change.zeroed.insert(c.name);
        else if (!same_counters(c, *b))  // some rules zeroed, not all: ipfw zero N
            change.recounted.insert(c.name);
    }
    return change;
}

bool changes_nothing(const model::Ruleset& before, const model::Change& change)
{
    return change.after == before && change.zeroed.empty() && change.recounted.empty();
}

}  // namespace ipchains::engine
