// Rule validation shared by every rule-carrying operation (append, insert, replace, delete by
// spec): what 2.2's convert_ipfw checked, plus the project's own refusals.
#pragma once

#include "model/ruleset.h"

namespace ipchains::engine {

// Validates `r` against `rs` and normalizes it the way the kernel stored it (WILDIF for an
// empty interface, special target names resolved first). Returns 0 or the errno 2.2 gave.
int convert_rule(const model::Ruleset& rs, model::Rule& r);

// True when a jump loop can be reached from a built-in chain. 2.2 accepted such rules and denied
// the looping packet at run time; nftables refuses loops at commit time, so we refuse the rule.
bool has_reachable_loop(const model::Ruleset& rs);

}  // namespace ipchains::engine
