#include "compile/diff.h"

#include <map>
#include <set>

namespace ipchains::compile {

namespace {

bool is_prefix(const std::vector<ir::Rule>& a, const std::vector<ir::Rule>& b)
{
    if (a.size() >= b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i])) return false;
    return true;
}

bool references(const ir::Chain& c, const std::set<std::string>& names)
{
    for (const auto& r : c.rules)
        for (const auto& s : r.statements)
            if (const auto* v = std::get_if<ir::Verdict>(&s))
                if (!v->chain.empty() && names.count(v->chain)) return true;
    return false;
}

}  // namespace

TableDiff diff(const ir::Table& before, const ir::Table& after)
{
    TableDiff d;
    std::map<std::string, const ir::Chain*> old_chains, new_chains;
    for (const auto& c : before.chains) old_chains[c.name] = &c;
    for (const auto& c : after.chains) new_chains[c.name] = &c;

    std::set<std::string> gone;  // chains whose kernel object disappears in step 2
    std::set<std::string> refill;
    for (const auto& c : before.chains) {
        auto it = new_chains.find(c.name);
        if (it == new_chains.end()) {
            d.remove.push_back(c.name);
            gone.insert(c.name);
        } else if (!(c.base == it->second->base) || c.comment != it->second->comment) {
            d.recreate.push_back(c.name);
            gone.insert(c.name);
        } else if (!(c.rules == it->second->rules)) {
            if (!is_prefix(c.rules, it->second->rules))
                refill.insert(c.name);
        }
    }
    for (const auto& c : before.chains) {
        if (gone.count(c.name) || !new_chains.count(c.name)) continue;
        if (references(c, gone)) refill.insert(c.name);
    }
    for (const auto& c : before.chains) {
        if (refill.count(c.name)) {
            d.refill.push_back(c.name);
        } else if (!gone.count(c.name)) {
            const ir::Chain* n = new_chains[c.name];
            if (is_prefix(c.rules, n->rules)) d.append.push_back({c.name, c.rules.size()});
        }
    }
    for (const auto& c : after.chains)
        if (!old_chains.count(c.name)) d.add.push_back(c.name);

    std::set<std::string> old_counters, new_counters;
    for (const auto& c : before.counters) old_counters.insert(c.name);
    for (const auto& c : after.counters) new_counters.insert(c.name);
    for (const auto& c : before.counters)
        if (!new_counters.count(c.name)) d.remove_counters.push_back(c.name);
    for (const auto& c : after.counters)
        if (!old_counters.count(c.name)) d.add_counters.push_back(c.name);

    std::set<std::string> recreate(d.recreate.begin(), d.recreate.end());
    for (const auto& c : before.chains)
        if (gone.count(c.name) || refill.count(c.name)) d.flush.push_back(c.name);
    for (const auto& c : after.chains) {
        bool created = !old_chains.count(c.name) || recreate.count(c.name);
        if (created) d.create.push_back(c.name);
        if (created || refill.count(c.name)) d.fill.push_back(c.name);
    }
    return d;
}

}  // namespace ipchains::compile
