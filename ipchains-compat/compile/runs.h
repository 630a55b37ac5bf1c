// Rule runs (docs/nftables-mapping.md "Rule runs"): adjacent ipchains rules of one nft chain
// that differ only in their source (or only in their destination) address become one rule
// looking the address up in a named set, whose elements carry each rule's counter and save
// line. The compile layer decides what merges; the nft and text backends only encode it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ir/ir.h"

namespace ipchains::compile {

// Shorter runs stay linear: up to three rules cost the kernel no more than one lookup, and
// stay easier to read in `nft list`.
constexpr size_t kMinRunLength = 4;

// The comment of a run's lookup rule: this prefix and the set's name. Its members are the
// set's elements (ir::SetElement::comment holds "#<k> <save line>").
constexpr const char* kRunRulePrefix = "ipchains-run:";

struct Run {
    size_t first = 0, count = 0;  // rules [first, first + count) of the chain
    bool source = true;           // the member field: ip saddr (true) or ip daddr
    bool operator==(const Run& o) const
    {
        return first == o.first && count == o.count && source == o.source;
    }
};

// Runs of at least kMinRunLength compiled ipchains rules, left to right, greedily. Members
// must be carriers (non-empty comment) equal in everything (other matches, counter aside every
// statement, so the same target and side effects) but one non-inverted contiguous-mask
// address of the same field; a member whose address overlaps an earlier member's ends the run
// before it (first match and per-rule counters would change). Where both fields could vary,
// the longer run wins, the source address on a tie.
std::vector<Run> find_runs(const std::vector<ir::Rule>& rules);

// Replaces each run of `chain` by its lookup rule and appends the run's set to `sets`.
void merge_runs(ir::Chain& chain, std::vector<ir::Set>& sets);

// Whether this compiled rule can be a run member at all (the nft append fast path leaves
// those to the full commit, which decides whether they extend a run).
bool may_join_run(const ir::Rule& r);

// Whether `candidate` would extend a run on `source` whose members look like `member`: both
// members of that field, the same shape (everything but that address equal).
bool extends_run(const ir::Rule& member, const ir::Rule& candidate, bool source);
// The member address of `r` on that field (valid when extends_run said yes).
ir::Addr run_member_address(const ir::Rule& r, bool source);

// Set of the k-th run (1-based) of nft chain `chain`: "<chain>-run<k>", with the chain's `~`
// and `@` spelled `-` and `-i` (`input-run1`, `input-1-run2`, `ppp-in-i1-run1`).
std::string run_set_name(const std::string& chain, size_t k);

// "#<k> <save line>" and back; false when `comment` is not in that form.
std::string run_member_comment(size_t k, const std::string& save_line);
bool parse_run_member_comment(const std::string& comment, size_t& k, std::string& save_line);

}  // namespace ipchains::compile
