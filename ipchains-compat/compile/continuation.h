// Internal to compile/: resume dispatch and continuation chains.
#pragma once

#include <string>
#include <vector>

#include "compile/plan.h"
#include "ir/ir.h"

namespace ipchains::compile::detail {

std::string policy_chain_name(const std::string& builtin);  // "~input-policy"

// False for sites in chains no built-in chain reaches: they can never fire and get no
// continuation or dispatch rule.
bool site_reached(const Plan& plan, const Site& s);

// [clear kind+id, jump <rest of segment>, jump <rest of each caller>..., jump <policy>]
ir::Chain continuation_chain(const Plan& plan, const Site& s);

// True when a REJECT rule in a chain instance of `hook` that a built-in chain reaches, or the
// hook's built-in policy, stamps packets for the deferred reject of the post chains.
bool hook_rejects(const Plan& plan, const model::Ruleset& rs, ir::Hook hook);

// Only what the hook needs (docs/design.md "Chain layout"): with DIVERT/TEE sites reached on
// the hook `~<in|fwd|out>-post-<i>`, i = 1..K+1 at priorities hook+i; without, one
// `~<hook>-post-1` holding the deferred reject when `reject`; else none. `ip6`: the ip6
// table's, whose reject answers with ICMPv6 (docs/ipfw.md "IPv6").
std::vector<ir::Chain> post_chains(const Plan& plan, ir::Hook hook, int hook_priority,
                                   bool reject, bool ip6 = false);

}  // namespace ipchains::compile::detail
