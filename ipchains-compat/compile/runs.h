// Rule runs (docs/nftables-mapping.md "Rule runs"): adjacent ipchains rules of one nft chain
// that differ only in one field (an address, a port, an interface, the protocol) or in two
// (a concatenation such as source address . destination port) become one rule looking that
// key up in a named set (a verdict map where they ACCEPT some packets and DENY others), whose
// elements carry each rule's counter and save line. The compile layer decides what merges;
// the nft and text backends only encode it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
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
    size_t first = 0, count = 0;      // rules [first, first + count) of the chain
    std::vector<ir::SetField> fields;  // the member key: one field or a concatenation of two
    bool vmap = false;                 // a verdict map: members differ in accept/drop too
    bool operator==(const Run& o) const
    {
        return first == o.first && count == o.count && fields == o.fields && vmap == o.vmap;
    }
};

// The keys a run may have, in the order that breaks ties between runs of equal length: one
// field first (address, port, interface, protocol), then concatenations of two.
const std::vector<std::vector<ir::SetField>>& run_keys();

// Runs of at least kMinRunLength compiled ipchains rules, left to right, greedily. Members
// must be carriers (non-empty comment) equal in everything (other matches, counter aside every
// statement, so the same target and side effects) but the key's fields, each a non-inverted
// match: a contiguous-mask address, a port or port range (the protocol stays in the shape, so
// all members match the same one), an interface name or `+` wildcard (a range of names), or a
// protocol (only in rules without port, ICMP or -y matches, which depend on it). A member whose key overlaps an
// earlier member's (in every field) ends the run before it: first match and per-rule counters
// would change. Where several keys could vary, the longest run wins, ties by run_keys().
// Members whose only statements are their counter and accept or drop (ACCEPT, DENY) may also
// differ in that verdict: a verdict map run, taken only where it is longer than any set run.
std::vector<Run> find_runs(const std::vector<ir::Rule>& rules);

// Replaces each run of `chain` by its lookup rule and appends the run's set to `sets`.
void merge_runs(ir::Chain& chain, std::vector<ir::Set>& sets);

// Whether this compiled rule can be a run member at all (the nft append fast path leaves
// those to the full commit, which decides whether they extend a run).
bool may_join_run(const ir::Rule& r);

// The element (key, and verdict in a verdict map) of `candidate` as the next member of a run
// on `fields` whose members look like `member` (the same shape: everything but those fields,
// and the verdict in a map, equal); nullopt when it has another shape or is no member of such
// a run at all. Counter and comment are left empty.
std::optional<ir::SetElement> run_member(const ir::Rule& member, const ir::Rule& candidate,
                                         const std::vector<ir::SetField>& fields, bool vmap);
// Whether two members' keys overlap: in every field (ranges intersect, names equal).
bool keys_overlap(const std::vector<ir::SetKey>& a, const std::vector<ir::SetKey>& b);
// Whether an element with this key needs an interval set on `fields`.
bool needs_interval(const std::vector<ir::SetField>& fields, const std::vector<ir::SetKey>& key);

// The size of a hash set (one field, no interval) of `elements` members: a power of two at
// least twice the count, and at least kMinRunSetSize. Given a size the kernel picks its
// fixed-size hash over the resizable one (docs/nftables-mapping.md "Rule runs"), but refuses
// elements beyond it, so a run outgrowing half its size gets a new set with twice the size.
// A pure function of the count: `before` and `after` compile alike, and a different size is
// a different set definition (ir::Set::same_definition) that the diff recreates.
constexpr uint32_t kMinRunSetSize = 64;
uint32_t run_set_size(size_t elements);
// The size of set `s` (its definition) as compiled with `elements` members: run_set_size of
// that count for a hash set, 0 for an interval set or a concatenation.
uint32_t run_set_size(const ir::Set& s, size_t elements);

// Set of the k-th run (1-based) on key `fields` of nft chain `chain`: "<chain>-<key>-<k>", a
// verdict map's "<chain>-<key>-vmap-<k>", the key's fields named saddr, daddr, sport, dport,
// iif, oif, proto and joined by `-`, the
// chain's name spelled with `-` doubled, `~` as `-` and `@` as `-i` (`input-saddr-1`,
// `input-1-dport-2`, `ppp--in-i1-saddr-dport-1`, user chain `a-1`: `a--1-saddr-1`), so that no
// two runs share a set name and no name is one an older version gave a set ("<chain>-run<k>",
// docs/nftables-mapping.md "Rule runs").
std::string run_set_name(const std::string& chain, const std::vector<ir::SetField>& fields,
                         bool vmap, size_t k);

// Whether the members' numbers (their "#<k>", in any order) are 1..count, each once: what
// every commit writes. A set element dump continues where its previous message stopped by
// counting elements, and the kernel resizes a hash set in the background without a new
// generation, so a dump read across a resize can repeat some members and skip others while
// the generation before and after it agree (docs/design.md "Rule runs").
bool run_numbers_complete(const std::vector<size_t>& numbers);

// "#<k> <save line>" and back; false when `comment` is not in that form.
std::string run_member_comment(size_t k, std::string save_line);
bool parse_run_member_comment(const std::string& comment, size_t& k, std::string& save_line);
// The same on a view (of a netlink message): `save_line` views into `comment`.
bool parse_run_member_comment(std::string_view comment, size_t& k, std::string_view& save_line);

}  // namespace ipchains::compile
