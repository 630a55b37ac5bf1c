#include "compile/steps.h"

#include <map>
#include <set>

#include "compile/compile.h"
#include "compile/diff.h"

namespace ipchains::compile {

namespace {

std::vector<size_t> all_elements(const ir::Set& s)
{
    std::vector<size_t> all(s.elements.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    return all;
}

void add_rules(std::vector<Step>& steps, const ir::Chain& c, size_t first)
{
    for (size_t i = first; i < c.rules.size(); ++i) steps.push_back(AddRule{c.name, i});
}

}  // namespace

std::vector<Step> commit_steps(const ir::Table* before, const ir::Table& after)
{
    const ir::Table empty;
    const TableDiff d = diff(before ? *before : empty, after);
    std::map<std::string, const ir::Chain*> chains;
    for (const auto& c : after.chains) chains[c.name] = &c;
    std::map<std::string, const ir::Set*> sets;
    for (const auto& s : after.sets) sets[s.name] = &s;

    std::vector<Step> steps;
    if (!before) steps.push_back(AddTable{});
    for (const auto& name : d.flush) steps.push_back(FlushChain{name});
    for (const auto* list : {&d.remove, &d.recreate})
        for (const auto& name : *list) steps.push_back(DeleteChain{name});
    for (const auto* list : {&d.remove_sets, &d.recreate_sets})
        for (const auto& name : *list) steps.push_back(DeleteSet{name});
    for (const auto& e : d.remove_elements) steps.push_back(DeleteElements{e.set, e.index});
    for (const auto& name : d.create_sets) {
        steps.push_back(AddSet{name});
        std::vector<size_t> all = all_elements(*sets.at(name));
        if (!all.empty()) steps.push_back(AddElements{name, std::move(all)});
    }
    for (const auto& e : d.add_elements) steps.push_back(AddElements{e.set, e.index});
    for (const auto& name : d.remove_counters) steps.push_back(DeleteCounter{name});
    for (const auto& name : d.add_counters) steps.push_back(AddCounter{name});
    for (const auto& name : d.create) steps.push_back(AddChain{name});
    for (const auto& name : d.repolicy) steps.push_back(SetPolicy{name});
    for (const auto& name : d.fill) add_rules(steps, *chains.at(name), 0);
    for (const auto& a : d.append) add_rules(steps, *chains.at(a.chain), a.first);
    return steps;
}

std::vector<Step> refill_steps(const ir::Table& table, const std::vector<std::string>& chains,
                               const std::vector<Step>& done)
{
    std::set<std::string> rebuilt_chains, touched_sets;
    for (const auto& step : done) {
        if (auto* f = std::get_if<FlushChain>(&step)) rebuilt_chains.insert(f->chain);
        if (auto* a = std::get_if<AddChain>(&step)) rebuilt_chains.insert(a->chain);
        if (auto* d = std::get_if<DeleteSet>(&step)) touched_sets.insert(d->set);
        if (auto* a = std::get_if<AddSet>(&step)) touched_sets.insert(a->set);
        if (auto* d = std::get_if<DeleteElements>(&step)) touched_sets.insert(d->set);
        if (auto* a = std::get_if<AddElements>(&step)) touched_sets.insert(a->set);
    }
    std::vector<std::string> refilled;
    for (const auto& name : chains)
        if (!rebuilt_chains.count(name)) refilled.push_back(name);

    std::vector<Step> steps;
    for (const auto& name : refilled) steps.push_back(FlushChain{name});
    // Their runs' members are rebuilt too, with the counts of `table`.
    std::set<std::string> refilled_set(refilled.begin(), refilled.end());
    for (const auto& set : table.sets) {
        if (!refilled_set.count(set.chain) || set.elements.empty() || touched_sets.count(set.name))
            continue;
        steps.push_back(DeleteElements{set.name, all_elements(set)});
        steps.push_back(AddElements{set.name, all_elements(set)});
    }
    std::map<std::string, const ir::Chain*> by_name;
    for (const auto& c : table.chains) by_name[c.name] = &c;
    for (const auto& name : refilled) add_rules(steps, *by_name.at(name), 0);
    return steps;
}

std::set<std::string> reshaped_chains(const ir::Table* before, const ir::Table& after,
                                      const std::vector<Step>& steps)
{
    auto owner_in = [](const ir::Table* t, const std::string& chain, std::set<std::string>& out) {
        if (t == nullptr) return;
        for (const auto& c : t->chains)
            if (c.name == chain) {
                if (auto tag = parse_chain_comment(c.comment)) out.insert(tag->name);
                return;
            }
    };
    std::set<std::string> owners;
    for (const auto& step : steps) {
        if (const auto* f = std::get_if<FlushChain>(&step)) {
            owner_in(before, f->chain, owners);
            owner_in(&after, f->chain, owners);
        } else if (const auto* d = std::get_if<DeleteChain>(&step)) {
            owner_in(before, d->chain, owners);
        } else if (const auto* a = std::get_if<AddChain>(&step)) {
            owner_in(&after, a->chain, owners);
        }
    }
    return owners;
}

}  // namespace ipchains::compile
