// What one command (or one restore file) does to the kernel's ruleset, as a backend receives
// it: the ruleset the kernel must hold afterwards and the chains whose rule counters it zeroes
// (-Z). Counters are left out of Ruleset::operator==, so the zeroing is said here, once
// (engine::make_change), instead of every backend deriving it by comparing counters.
#pragma once

#include <set>
#include <string>

#include "model/ruleset.h"

namespace ipchains::model {

struct Change {
    Ruleset after;
    // ipchains chains whose rules all stay and whose rule counters go to zero.
    std::set<std::string> zeroed;
    // Chains whose rules all stay and whose counters take the values of `after`, some zeroed
    // and some not (`ipfw zero N`, docs/ipfw.md "One ruleset, two syntaxes").
    std::set<std::string> recounted;
};

}  // namespace ipchains::model
