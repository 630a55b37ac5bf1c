// One ipfw invocation (docs/ipfw.md "Grammar"), parsed, before it meets the ruleset.
#pragma once

#include <cstdint>
#include <vector>

#include "model/rule.h"

namespace ipchains::ipfw {

enum class Verb {
    Add,     // add [N] ACTION BODY
    Delete,  // delete N [N ...]
    Show,    // show [N ...]: with counters
    List,    // list [N ...]: without
    Flush,   // flush
    Zero,    // zero [N ...]: every rule's counters, or those of the rules numbered N
};

// Which ipchains built-in chains an ipfw rule lives in: `in` = input, `out` = output, neither
// = both (FreeBSD runs ipfw on both directions).
enum class Direction { Both, In, Out };

// EX_USAGE of <sysexits.h>: FreeBSD's ipfw exits with it on every command-line error.
constexpr int kExitUsage = 64;
// EX_UNAVAILABLE: the kernel refused, or `delete N` found no rule N.
constexpr int kExitUnavailable = 69;

struct Command {
    Verb verb = Verb::Show;
    bool quiet = false;            // -q: no echo of what add/flush/zero did
    bool syntax_only = false;      // -n: parse, print what add would add, change nothing
    std::vector<uint16_t> numbers; // add: at most one (none = last + 100); delete/show/list/zero
    model::Rule rule;              // add: the rule as it goes into each chain (number unset)
    Direction direction = Direction::Both;
};

}  // namespace ipchains::ipfw
