// The ordered operations that turn table `before` into `after` in ONE transaction: the one walk
// over compile::diff that both the nft backend (netlink messages, backend/nft/commit_plan.cpp)
// and the text backend (`nft '...'` lines, backend/text/commands.cpp) encode step by step.
// Steps are plain values naming objects; an encoder takes chain headers, rules, set
// definitions, elements and counter values from `after`, and the elements to delete from
// `before`.
//
// The kernel checks every message against the state the transaction has built so far, so:
//    1. AddTable        when the kernel has no table yet
//    2. FlushChain      every chain that is removed, recreated or refilled (`before` order): no
//                       rule then jumps to a chain deleted next or looks up a set deleted next
//    3. DeleteChain     removed chains, then recreated ones (hook, type and comment cannot
//                       change in place)
//    4. DeleteSet       removed sets, then recreated ones (definition changed)
//    5. DeleteElements  members gone from a kept set
//    6. AddSet          new and recreated sets (`after` order), each followed by AddElements
//                       with all its members
//    7. AddElements     members new to a kept set
//    8. DeleteCounter, then AddCounter
//    9. AddChain        new and recreated chains (`after` order), then SetPolicy for the
//                       kept base chains whose own policy changes (in place: the chain keeps
//                       its rules and its policy counters go on counting)
//   10. AddRule         all rules of every new, recreated or refilled chain (`after` order),
//                       then the new tail of every chain whose old rules are a prefix
#pragma once

#include <set>
#include <string>
#include <variant>
#include <vector>

#include "ir/ir.h"

namespace ipchains::compile {

struct AddTable {  // `after`'s name and comment
    bool operator==(const AddTable&) const { return true; }
};
struct FlushChain {
    std::string chain;
    bool operator==(const FlushChain& o) const { return chain == o.chain; }
};
struct DeleteChain {
    std::string chain;
    bool operator==(const DeleteChain& o) const { return chain == o.chain; }
};
struct DeleteSet {
    std::string set;
    bool operator==(const DeleteSet& o) const { return set == o.set; }
};
struct DeleteElements {
    std::string set;
    std::vector<size_t> index;  // into the elements of `before`'s set
    bool operator==(const DeleteElements& o) const { return set == o.set && index == o.index; }
};
struct AddSet {  // the definition only; its members follow as AddElements
    std::string set;
    bool operator==(const AddSet& o) const { return set == o.set; }
};
struct AddElements {
    std::string set;
    std::vector<size_t> index;  // into the elements of `after`'s set
    bool operator==(const AddElements& o) const { return set == o.set && index == o.index; }
};
struct DeleteCounter {
    std::string counter;
    bool operator==(const DeleteCounter& o) const { return counter == o.counter; }
};
struct AddCounter {
    std::string counter;
    bool operator==(const AddCounter& o) const { return counter == o.counter; }
};
struct AddChain {  // the header (hook, priority, type, comment); rules follow as AddRule
    std::string chain;
    bool operator==(const AddChain& o) const { return chain == o.chain; }
};
struct SetPolicy {  // `after`'s policy for a base chain that stays
    std::string chain;
    bool operator==(const SetPolicy& o) const { return chain == o.chain; }
};
struct AddRule {  // rule `index` of `after`'s chain, appended at the chain's end
    std::string chain;
    size_t index;
    bool operator==(const AddRule& o) const { return chain == o.chain && index == o.index; }
};

using Step = std::variant<AddTable, FlushChain, DeleteChain, DeleteSet, DeleteElements, AddSet,
                          AddElements, DeleteCounter, AddCounter, AddChain, SetPolicy,
                          AddRule>;

// `before` is nullptr when the kernel has no table yet: then the table is created first.
std::vector<Step> commit_steps(const ir::Table* before, const ir::Table& after);

// Rebuilds the nft chains `chains` of `table` as they are (flush, members of their runs
// deleted and added again, rules added again), for an encoder given `table` as both `before`
// and `after`: -Z on kernels that cannot reset rule counters in place, and ipfw zero N.
// `done` are the steps of a commit to `table` earlier in the same transaction: the chains it
// flushes or creates and the sets whose definition or members it touches already carry
// `table`'s counts, and are left alone.
std::vector<Step> refill_steps(const ir::Table& table, const std::vector<std::string>& chains,
                               const std::vector<Step>& done = {});

// The ipchains chains of which `steps` (from `before` to `after`) add, remove or rebuild a
// chain: a copy for another hook comes or goes, or one is flushed or recreated. Each copy
// counts its own share of a rule's packets and the model holds the totals, which only the
// primary copy is given (docs/design.md "Counters of a chain with copies"): so all chains of
// these ipchains chains must be rebuilt with `after`'s counts, or a kept copy would lose a
// removed copy's share, or count its own again beside the totals.
std::set<std::string> reshaped_chains(const ir::Table* before, const ir::Table& after,
                                      const std::vector<Step>& steps);

}  // namespace ipchains::compile
