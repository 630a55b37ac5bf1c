// Cheap evidence that the kernel's rulesets changed: a short string that moves with every
// nft commit (the ruleset generation) and with the size and layout of every loaded legacy
// table (filter, mangle, nat). A few system calls and no heap allocation, so housekeeping
// may ask often. Used by rule_position (when to re-read the DIVERT rule positions) and the
// firewall API (when its cached backend must be opened again).
#pragma once

#include <optional>
#include <string>

namespace divert {

// nullopt when neither nftables nor a legacy table could be asked.
std::optional<std::string> ruleset_evidence() noexcept;

}  // namespace divert
