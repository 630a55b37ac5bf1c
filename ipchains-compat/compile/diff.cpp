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

bool references_set(const ir::Chain& c, const std::set<std::string>& sets)
{
    for (const auto& r : c.rules)
        for (const auto& m : r.matches)
            if (const auto* l = std::get_if<ir::SetLookup>(&m); l && sets.count(l->set))
                return true;
    return false;
}

// Elements are equal when key, verdict (in a verdict map) and comment (rule and place in the
// run) are.
std::string element_key(const ir::SetElement& e)
{
    std::string k;
    for (const auto& f : e.key)
        k += std::to_string(f.lo) + "-" + std::to_string(f.hi) + "/" + f.name +
             (f.prefix ? "* " : " ");
    if (e.verdict) k += e.verdict->kind == ir::Verdict::Accept ? "accept " : "drop ";
    return k + e.comment;
}

// Fills the set part of `d`; returns the sets whose kernel objects disappear.
std::set<std::string> diff_sets(const ir::Table& before, const ir::Table& after, TableDiff& d)
{
    std::map<std::string, const ir::Set*> old_sets, new_sets;
    for (const auto& s : before.sets) old_sets[s.name] = &s;
    for (const auto& s : after.sets) new_sets[s.name] = &s;
    std::set<std::string> gone;
    for (const auto& s : before.sets) {
        auto it = new_sets.find(s.name);
        if (it == new_sets.end()) {
            d.remove_sets.push_back(s.name);
            gone.insert(s.name);
            continue;
        }
        if (!s.same_definition(*it->second)) {
            d.recreate_sets.push_back(s.name);
            gone.insert(s.name);
            continue;
        }
        const ir::Set& n = *it->second;
        if (s.elements == n.elements) continue;
        std::vector<std::string> old_keys, new_keys;
        for (const auto& e : s.elements) old_keys.push_back(element_key(e));
        for (const auto& e : n.elements) new_keys.push_back(element_key(e));
        const std::set<std::string> old_set(old_keys.begin(), old_keys.end());
        const std::set<std::string> new_set(new_keys.begin(), new_keys.end());
        TableDiff::Elements removed{s.name, {}}, added{s.name, {}};
        for (size_t i = 0; i < old_keys.size(); ++i)
            if (!new_set.count(old_keys[i])) removed.index.push_back(i);
        for (size_t i = 0; i < new_keys.size(); ++i)
            if (!old_set.count(new_keys[i])) added.index.push_back(i);
        if (!removed.index.empty()) d.remove_elements.push_back(std::move(removed));
        if (!added.index.empty()) d.add_elements.push_back(std::move(added));
    }
    std::set<std::string> recreate(d.recreate_sets.begin(), d.recreate_sets.end());
    for (const auto& s : after.sets) {
        if (!old_sets.count(s.name)) d.add_sets.push_back(s.name);
        if (!old_sets.count(s.name) || recreate.count(s.name)) d.create_sets.push_back(s.name);
    }
    return gone;
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
            continue;
        }
        const ir::Chain& n = *it->second;
        const bool repolicy = c.base && n.base && c.base->same_but_policy(*n.base) &&
                              c.base->drop != n.base->drop;
        if ((!(c.base == n.base) && !repolicy) || c.comment != n.comment) {
            d.recreate.push_back(c.name);
            gone.insert(c.name);
            continue;
        }
        if (repolicy) d.repolicy.push_back(c.name);
        if (!(c.rules == n.rules) && !is_prefix(c.rules, n.rules)) refill.insert(c.name);
    }
    // The kernel refuses to delete a set a rule still looks up: those rules go first.
    std::set<std::string> gone_sets = diff_sets(before, after, d);
    for (const auto& c : before.chains) {
        if (gone.count(c.name) || !new_chains.count(c.name)) continue;
        if (references(c, gone) || references_set(c, gone_sets)) refill.insert(c.name);
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
