// `ipfw show` / `ipfw list` of the shared ruleset (docs/ipfw.md "Listing"): the rules of input
// and output in number order, one line each, a rule added for both directions once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/ruleset.h"

namespace ipchains::ipfw {

// FreeBSD's default rule number: `show` lists the policies of input and output as it.
constexpr uint16_t kDefaultRule = 65535;

// One listed rule: a rule of input or output, or one rule of each that `add` made together.
struct Entry {
    uint16_t number = 0;       // the rule's own, or derived: the number of the rule before it
    bool numbered = false;     // false: an ipchains rule (its number is derived)
    std::string chain;         // "input", "output", or "" for both
    model::Rule rule;          // counters summed over both chains
};

// input's and output's rules in listing order, then the default rule 65535: one line
// `allow|deny|reject ip from any to any` when both policies agree, else one `in` and one `out`.
std::vector<Entry> entries(const model::Ruleset& rs);

// The rule body in ipfw syntax, as `add` takes it back: "divert 5000 udp from any to any in".
// Rules ipfw cannot express print as "ipchains <save line>".
std::string body(const Entry& e);

// The whole listing; `counters` for show (FreeBSD's widths: the widest value of each column),
// `only` restricts it to those numbers (empty = all).
std::string listing(const std::vector<Entry>& es, bool counters,
                    const std::vector<uint16_t>& only = {});

}  // namespace ipchains::ipfw
