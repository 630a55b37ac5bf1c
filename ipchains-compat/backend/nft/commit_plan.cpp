#include "backend/nft/commit_plan.h"

#include <unordered_map>

#include "compile/diff.h"

namespace ipchains::backend::nft {

namespace {

struct Index {
    std::unordered_map<std::string, const ir::Chain*> chains;
    std::unordered_map<std::string, const ir::CounterObject*> counters;
    explicit Index(const ir::Table& t)
    {
        for (const auto& c : t.chains) chains[c.name] = &c;
        for (const auto& c : t.counters) counters[c.name] = &c;
    }
};

compile::TableDiff table_diff(const ir::Table* before, const ir::Table& after)
{
    if (before) return compile::diff(*before, after);
    ir::Table empty;
    empty.name = after.name;
    return compile::diff(empty, after);
}

// Calls fn(chain, rule) for every rule the transaction adds.
template <typename Fn>
void for_each_new_rule(const compile::TableDiff& d, const Index& after, Fn&& fn)
{
    for (const auto& name : d.fill) {
        const ir::Chain* c = after.chains.at(name);
        for (const auto& r : c->rules) fn(*c, r);
    }
    for (const auto& a : d.append) {
        const ir::Chain* c = after.chains.at(a.chain);
        for (size_t i = a.first; i < c->rules.size(); ++i) fn(*c, c->rules[i]);
    }
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
