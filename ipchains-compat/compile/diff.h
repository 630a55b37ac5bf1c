// What changes between two compiled tables, for backends that update the kernel in place (nft)
// and for ipchains-translate's command output. Rules compare with ir::Rule::operator==, so
// counter values never cause a change. compile/steps.h turns a diff into the ordered steps of
// one transaction, which the backends encode.
#pragma once

#include <string>
#include <vector>

#include "ir/ir.h"

namespace ipchains::compile {

struct TableDiff {
    struct Append {
        std::string chain;
        size_t first;  // index of the first new rule in the `after` chain
        bool operator==(const Append& o) const { return chain == o.chain && first == o.first; }
    };

    std::vector<std::string> add;       // only in `after`
    std::vector<std::string> remove;    // only in `before`
    std::vector<std::string> recreate;  // in both, but base (hook/priority/type) or comment differ
    std::vector<std::string> repolicy;  // base chains in both, only their own policy differs
    std::vector<std::string> refill;    // in both, rules differ, or they jump to a chain that is
                                        // removed or recreated (the jump must go first)
    std::vector<Append> append;         // in both, `before` rules are a strict prefix of `after`
    std::vector<std::string> add_counters, remove_counters;

    struct Elements {
        std::string set;
        std::vector<size_t> index;  // into the set's elements in `before` (remove) or `after`
        bool operator==(const Elements& o) const { return set == o.set && index == o.index; }
    };
    std::vector<std::string> add_sets;       // only in `after`
    std::vector<std::string> remove_sets;    // only in `before`
    std::vector<std::string> recreate_sets;  // in both, definition differs
    std::vector<Elements> remove_elements, add_elements;  // sets in both, same definition

    // Derived lists, for compile/steps.h's order.
    std::vector<std::string> flush;     // remove + recreate + refill, `before` order
    std::vector<std::string> create;    // add + recreate, `after` order
    std::vector<std::string> fill;      // add + recreate + refill, `after` order
    std::vector<std::string> create_sets;  // add_sets + recreate_sets, `after` order

    bool empty() const
    {
        return add.empty() && remove.empty() && recreate.empty() && repolicy.empty() &&
               refill.empty() &&
               append.empty() && add_counters.empty() && remove_counters.empty() &&
               add_sets.empty() && remove_sets.empty() && recreate_sets.empty() &&
               remove_elements.empty() && add_elements.empty();
    }
};

TableDiff diff(const ir::Table& before, const ir::Table& after);

}  // namespace ipchains::compile
