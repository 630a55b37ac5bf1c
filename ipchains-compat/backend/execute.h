// Runs one modifying command against the kernel: the one place where the fast path, the
// read (Snapshot) -> engine::make_change (Change) -> commit sequence and the "nothing changes
// on error" rule live.
// Used by ipchains, ipchains-restore (one Command per file, see apply_all) and libdivert.
#pragma once

#include <functional>
#include <vector>

#include "backend/backend.h"
#include "core/result.h"
#include "model/command.h"

namespace ipchains::backend {

Result<void> execute(Backend& be, const model::Command& cmd);

// Several commands as one transaction (ipchains-restore, multi-address commands): all apply
// or none. Errors carry the index of the failing command in Error::line (1-based).
Result<void> execute_all(Backend& be, const std::vector<model::Command>& cmds);

// Commands that depend on the ruleset itself (ipfw: placement by rule number), as one
// transaction: read, ask `edit` for the commands on that snapshot's ruleset, make the change,
// commit, and the same again on a stale read.
using Edit = std::function<Result<std::vector<model::Command>>(const model::Ruleset&)>;
Result<void> execute_edit(Backend& be, const Edit& edit);

}  // namespace ipchains::backend
