// Kernel objects of our table (kernel_state.h) -> model::Ruleset, for every backend. Pure: the
// unit tests feed it dumps by hand.
//   chains:   from the ChainTag comments (instance 0, segments in order, user order by
//             ChainTag::position, policy from the tag or, when the tag says "*", from
//             the base chain that holds it);
//   rules:    from the carrier rules' comments (save syntax), parsed back;
//   counters: rule counters summed over every instance of the same (chain, rule index);
//             policy counters from the counter objects "<chain>-policy";
//   divert pass-through: the `~passthrough` chain exists;
//   resume sites: each continuation chain's id and key (compile::parse_continuation_comment).
#pragma once

#include <vector>

#include "backend/common/kernel_state.h"
#include "core/result.h"
#include "model/ruleset.h"

namespace ipchains::backend::common {

// A table that does not exist reads as a fresh 2.2 boot (Ruleset::initial()). A carrier whose
// comment does not parse fails with exit status 3, like 1.3.9 on an unexpected /proc format.
Result<model::Ruleset> rebuild_model(const KernelState& k, const std::string& table);

}  // namespace ipchains::backend::common
