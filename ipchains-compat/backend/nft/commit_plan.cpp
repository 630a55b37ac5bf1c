#include "backend/nft/commit_plan.h"

#include <optional>
#include <set>
#include <unordered_map>
#include <variant>

#include "backend/nft/udata.h"
#include "compile/compile.h"
#include "compile/runs.h"

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

// One step -> its messages. Chains, rules, sets and counters are looked up in `after`, the
// members to delete in `before`.
class StepEncoder {
public:
    StepEncoder(Batch& batch, const ir::Table* before, const ir::Table& after, QueueImpl queue)
        : batch_(batch), table_(after.name), after_(after), ia_(after), queue_(queue)
    {
        if (before) ib_.emplace(*before);
    }

    void operator()(const compile::AddTable&)
    {
        TablePtr t = make_table(table_, after_.comment);
        batch_.add_table(t.get(), table_);
    }
    void operator()(const compile::FlushChain& s)
    {
        RulePtr r = make_flush_rule(table_, s.chain);
        batch_.flush_chain(r.get(), s.chain);
    }
    void operator()(const compile::DeleteChain& s)
    {
        ChainPtr c = make_chain_ref(table_, s.chain);
        batch_.delete_chain(c.get(), s.chain);
    }
    void operator()(const compile::DeleteSet& s)
    {
        SetPtr o = make_set(table_, ir::Set{s.set, {}, false, {}});
        batch_.delete_set(o.get(), s.set);
    }
    void operator()(const compile::DeleteElements& s)
    {
        each_object(make_set_elements(table_, *ib_->sets.at(s.set), s.index,
                                      ElementContent::KeysOnly),
                    [&](const nftnl_set* o) { batch_.delete_elements(o, s.set); });
    }
    void operator()(const compile::AddSet& s)
    {
        SetPtr o = make_set(table_, *ia_.sets.at(s.set));
        batch_.add_set(o.get(), s.set);
    }
    void operator()(const compile::AddElements& s)
    {
        const ir::Set& set = *ia_.sets.at(s.set);
        each_object(make_set_elements(table_, set, s.index, ia_.element_content(set)),
                    [&](const nftnl_set* o) { batch_.add_elements(o, s.set); });
    }
    void operator()(const compile::DeleteCounter& s)
    {
        ObjPtr o = make_counter_object(table_, ir::CounterObject{s.counter, 0, 0});
        batch_.delete_counter(o.get(), s.counter);
    }
    void operator()(const compile::AddCounter& s)
    {
        ObjPtr o = make_counter_object(table_, *ia_.counters.at(s.counter));
        batch_.add_counter(o.get(), s.counter);
    }
    void operator()(const compile::AddChain& s)
    {
        const ir::Chain& ic = *ia_.chains.at(s.chain);
        ChainPtr c = make_chain(table_, ic);
        batch_.add_chain(c.get(), s.chain);
        if (ic.base && ic.base->counters) {
            ChainPtr counted = make_chain_counters(table_, ic);
            batch_.count_chain(counted.get(), s.chain);
        }
    }
    void operator()(const compile::SetPolicy& s)
    {
        ChainPtr c = make_chain_policy(table_, s.chain, ia_.chains.at(s.chain)->base->drop);
        batch_.set_chain_policy(c.get(), s.chain);
    }
    void operator()(const compile::AddRule& s)
    {
        const ir::Chain& c = *ia_.chains.at(s.chain);
        const ir::Rule& rule = c.rules.at(s.index);
        RulePtr r = secondary_instance(c) && has_counts(rule)
                        ? make_rule(table_, c.name, without_counts(rule), queue_)
                        : make_rule(table_, c.name, rule, queue_);
        if (auto tally = run_tally(rule)) put_run_tally(r.get(), rule.comment, *tally);
        batch_.add_rule(r.get(), c.name);
    }

private:
    // The tally of the run `rule` looks up, as this batch leaves it (docs/design.md "The run's
    // tally"), so that the first append after a full commit need not read the members back.
    // Only in a batch bound to a generation: one that is not may commit after someone else's,
    // and the generation it creates is unknown. Only for a set of single values, where the
    // append fast path trusts a tally: there one key probe stands in for the overlap test
    // against every member (a concatenation is no such set, there or in compile::needs_interval).
    // Any member stands for the run; the last is the one the fast path would have named.
    std::optional<RunTally> run_tally(const ir::Rule& rule) const
    {
        if (batch_.genid() == 0) return std::nullopt;
        for (const auto& m : rule.matches) {
            const auto* lookup = std::get_if<ir::SetLookup>(&m);
            if (!lookup) continue;
            auto it = ia_.sets.find(lookup->set);
            if (it == ia_.sets.end()) return std::nullopt;
            const ir::Set& set = *it->second;
            if (set.interval || set.fields.size() > 1 || set.elements.empty())
                return std::nullopt;
            size_t number = 0;
            std::string save_line;
            if (!compile::parse_run_member_comment(set.elements.back().comment, number,
                                                   save_line))
                return std::nullopt;
            return RunTally{generation_after_commit(batch_.genid()),
                            static_cast<uint32_t>(set.elements.size()), std::move(save_line)};
        }
        return std::nullopt;
    }

    Batch& batch_;
    const std::string& table_;
    const ir::Table& after_;
    Index ia_;
    std::optional<Index> ib_;
    QueueImpl queue_;
};

}  // namespace

bool rule_has_queue(const ir::Rule& r)
{
    for (const auto& s : r.statements)
        if (std::holds_alternative<ir::Queue>(s)) return true;
    return false;
}

bool steps_send_queue(const std::vector<compile::Step>& steps, const ir::Table& after)
{
    Index ia(after);
    for (const auto& step : steps)
        if (const auto* add = std::get_if<compile::AddRule>(&step))
            if (rule_has_queue(ia.chains.at(add->chain)->rules.at(add->index))) return true;
    return false;
}

void encode_steps(Batch& batch, const std::vector<compile::Step>& steps, const ir::Table* before,
                  const ir::Table& after, QueueImpl queue)
{
    StepEncoder encoder(batch, before, after, queue);
    for (const auto& step : steps) std::visit(encoder, step);
}

void plan_commit(Batch& batch, const std::vector<compile::Step>& steps, const ir::Table* before,
                 const ir::Table& after, QueueImpl queue, const std::vector<std::string>& refill)
{
    encode_steps(batch, steps, before, after, queue);
    if (!refill.empty())
        encode_steps(batch, compile::refill_steps(after, refill, steps), &after, after, queue);
}

void plan_commit(Batch& batch, const ir::Table* before, const ir::Table& after, QueueImpl queue,
                 const std::vector<std::string>& refill)
{
    plan_commit(batch, compile::commit_steps(before, after), before, after, queue, refill);
}

void plan_refill(Batch& batch, const ir::Table& table, const std::vector<std::string>& chains,
                 QueueImpl queue)
{
    encode_steps(batch, compile::refill_steps(table, chains), &table, table, queue);
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

}  // namespace ipchains::backend::nft
