#include "backend/nft/commit_plan.h"

#include <set>
#include <unordered_map>

#include "compile/compile.h"
#include "compile/diff.h"

namespace ipchains::backend::nft {

namespace {

// read sums a rule's counters over every copy of its chain, so only the primary copy starts
// with the model's values; the others start at zero.
bool secondary_instance(const ir::Chain& c)
{
    auto tag = compile::parse_chain_comment(c.comment);
    return tag && tag->instance > 0;
}

bool has_counts(const ir::Rule& r)
{
    for (const auto& s : r.statements)
        if (const auto* c = std::get_if<ir::Counter>(&s); c && (c->packets || c->bytes))
            return true;
    return false;
}

ir::Rule without_counts(ir::Rule r)
{
    for (auto& s : r.statements)
        if (auto* c = std::get_if<ir::Counter>(&s)) *c = ir::Counter{};
    return r;
}

struct Index {
    std::unordered_map<std::string, const ir::Chain*> chains;
    std::unordered_map<std::string, const ir::CounterObject*> counters;
    std::unordered_map<std::string, const ir::Set*> sets;
    explicit Index(const ir::Table& t)
    {
        for (const auto& c : t.chains) chains[c.name] = &c;
        for (const auto& c : t.counters) counters[c.name] = &c;
        for (const auto& s : t.sets) sets[s.name] = &s;
    }
    // As for rules: only the primary copy of a chain starts with the model's counts.
    ElementContent element_content(const ir::Set& s) const
    {
        auto c = chains.find(s.chain);
        bool secondary = c != chains.end() && secondary_instance(*c->second);
        return secondary ? ElementContent::ZeroCounts : ElementContent::Counts;
    }
};

template <typename Fn>
void each_object(std::vector<SetPtr> objects, Fn&& fn)
{
    for (const auto& o : objects) fn(o.get());
}

compile::TableDiff table_diff(const ir::Table* before, const ir::Table& after)
{
    if (before) return compile::diff(*before, after);
    ir::Table empty;
    empty.name = after.name;
    return compile::diff(empty, after);
}

template <typename Fn>
void chain_rules(const ir::Chain& c, size_t first, Fn&& fn)
{
    bool secondary = secondary_instance(c);
    for (size_t i = first; i < c.rules.size(); ++i) {
        if (secondary && has_counts(c.rules[i]))
            fn(c, without_counts(c.rules[i]));
        else
            fn(c, c.rules[i]);
    }
}

// Calls fn(chain, rule) for every rule the transaction adds.
template <typename Fn>
void for_each_new_rule(const compile::TableDiff& d, const Index& after, Fn&& fn)
{
    for (const auto& name : d.fill) chain_rules(*after.chains.at(name), 0, fn);
    for (const auto& a : d.append) chain_rules(*after.chains.at(a.chain), a.first, fn);
}

}  // namespace

bool rule_has_queue(const ir::Rule& r)
{
    for (const auto& s : r.statements)
        if (std::holds_alternative<ir::Queue>(s)) return true;
    return false;
}

bool commit_sends_queue(const ir::Table* before, const ir::Table& after)
{
    auto d = table_diff(before, after);
    Index ia(after);
    bool found = false;
    for_each_new_rule(d, ia, [&](const ir::Chain&, const ir::Rule& r) {
        found = found || rule_has_queue(r);
    });
    return found;
}

void plan_commit(Batch& batch, const ir::Table* before, const ir::Table& after, QueueImpl queue)
{
    const std::string& table = after.name;
    auto d = table_diff(before, after);
    Index ia(after);

    if (!before) {
        TablePtr t = make_table(table, after.comment);
        batch.add_table(t.get(), table);
    }
    for (const auto& name : d.flush) {
        RulePtr r = make_flush_rule(table, name);
        batch.flush_chain(r.get(), name);
    }
    for (const auto* list : {&d.remove, &d.recreate}) {
        for (const auto& name : *list) {
            ChainPtr c = make_chain_ref(table, name);
            batch.delete_chain(c.get(), name);
        }
    }
    for (const auto* list : {&d.remove_sets, &d.recreate_sets}) {
        for (const auto& name : *list) {
            SetPtr s = make_set(table, ir::Set{name, {}, false, {}});
            batch.delete_set(s.get(), name);
        }
    }
    if (before) {
        Index ib(*before);
        for (const auto& e : d.remove_elements)
            each_object(make_set_elements(table, *ib.sets.at(e.set), e.index,
                                          ElementContent::KeysOnly),
                        [&](const nftnl_set* s) { batch.delete_elements(s, e.set); });
    }
    for (const auto& name : d.create_sets) {
        const ir::Set& set = *ia.sets.at(name);
        SetPtr s = make_set(table, set);
        batch.add_set(s.get(), name);
        each_object(make_all_set_elements(table, set, ia.element_content(set)),
                    [&](const nftnl_set* o) { batch.add_elements(o, name); });
    }
    for (const auto& e : d.add_elements) {
        const ir::Set& set = *ia.sets.at(e.set);
        each_object(make_set_elements(table, set, e.index, ia.element_content(set)),
                    [&](const nftnl_set* o) { batch.add_elements(o, e.set); });
    }
    for (const auto& name : d.remove_counters) {
        ObjPtr o = make_counter_object(table, ir::CounterObject{name, 0, 0});
        batch.delete_counter(o.get(), name);
    }
    for (const auto& name : d.add_counters) {
        ObjPtr o = make_counter_object(table, *ia.counters.at(name));
        batch.add_counter(o.get(), name);
    }
    for (const auto& name : d.create) {
        ChainPtr c = make_chain(table, *ia.chains.at(name));
        batch.add_chain(c.get(), name);
    }
    for_each_new_rule(d, ia, [&](const ir::Chain& c, const ir::Rule& r) {
        RulePtr nr = make_rule(table, c.name, r, queue);
        batch.add_rule(nr.get(), c.name);
    });
}

}  // namespace ipchains::backend::nft

namespace ipchains::backend::nft {

void forget_missing_sets(ir::Table& before, const std::vector<std::string>& kernel_sets)
{
    std::set<std::string> present(kernel_sets.begin(), kernel_sets.end()), missing;
    std::vector<ir::Set> kept;
    for (auto& set : before.sets) {
        if (present.count(set.name))
            kept.push_back(std::move(set));
        else
            missing.insert(set.name);
    }
    before.sets = std::move(kept);
    if (missing.empty()) return;
    for (auto& c : before.chains)
        for (const auto& r : c.rules)
            for (const auto& m : r.matches)
                if (const auto* l = std::get_if<ir::SetLookup>(&m); l && missing.count(l->set))
                    c.comment = "ipchains-stale:" + c.comment;
}

void plan_refill(Batch& batch, const ir::Table& table, const std::vector<std::string>& chains,
                 QueueImpl queue)
{
    Index index(table);
    for (const auto& name : chains) {
        RulePtr r = make_flush_rule(table.name, name);
        batch.flush_chain(r.get(), name);
    }
    // Their runs' members are rebuilt too, with the counts of `table`.
    std::set<std::string> refilled(chains.begin(), chains.end());
    for (const auto& set : table.sets) {
        if (!refilled.count(set.chain)) continue;
        each_object(make_all_set_elements(table.name, set, ElementContent::KeysOnly),
                    [&](const nftnl_set* o) { batch.delete_elements(o, set.name); });
        each_object(make_all_set_elements(table.name, set, index.element_content(set)),
                    [&](const nftnl_set* o) { batch.add_elements(o, set.name); });
    }
    for (const auto& name : chains) {
        chain_rules(*index.chains.at(name), 0, [&](const ir::Chain& c, const ir::Rule& rule) {
            RulePtr nr = make_rule(table.name, c.name, rule, queue);
            batch.add_rule(nr.get(), c.name);
        });
    }
}

}  // namespace ipchains::backend::nft
