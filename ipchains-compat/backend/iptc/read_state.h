// Our legacy mangle chains -> the plain kernel view backend/common/read_model.h rebuilds the
// model from, so both backends read the model back with the same code. Legacy specifics handled here:
//   chain tags live in the `~meta` chain (one marker rule per tagged chain);
//   a save line longer than one comment match is split over several (kMoreComment);
//   the ^F/^P copies (layout.h) add their counters to the original's, rule by rule;
//   policy counters are the counters of the rules marked kCounterComment.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "backend/common/kernel_state.h"
#include "backend/iptc/layout.h"

namespace ipchains::backend::iptc {

common::KernelState kernel_state(const std::vector<LegacyChain>& ours, const std::string& prefix);

// The save line a carrier holds, or "" for layout rules.
std::string carrier_comment(const LegacyRule& r);

// Which ipchains chain each of our legacy chains carries, from the chain tags a read found in
// `~meta` (Snapshot::chains): a tagged IR chain and its ^F/^P copies all belong to the tag's
// chain. Layout chains (dispatch, executors, nat) belong to none.
std::map<std::string, std::string> chain_owners(const std::vector<common::KernelChain>& chains,
                                                const std::string& prefix);

// Chains whose counters -Z resets: all of ours but the policy chains (never reset) and meta.
std::vector<std::string> zeroable(const std::vector<LegacyChain>& ours, const std::string& prefix);

}  // namespace ipchains::backend::iptc
