// What an ipfw command does to the one ruleset both syntaxes share (docs/ipfw.md "One ruleset,
// two syntaxes"): add places a numbered rule into input and/or output, delete/flush/zero act on
// those two chains. Pure functions on model::Ruleset; the engine checks every change.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "ipfw/command.h"
#include "model/command.h"
#include "model/ruleset.h"

namespace ipchains::ipfw {

// FreeBSD's autoincrement step: `add` without a number takes the highest number + this.
constexpr uint16_t kAutoStep = 100;

// The number `add` gives a rule: the one asked for, else the highest number of input and
// output + kAutoStep (kAutoStep on an empty ruleset). Fails when that passes 65534 (65535 is
// the default rule).
Result<uint16_t> number_for_add(const model::Ruleset& rs, const Command& cmd);

// Applies add (with `number`), delete, flush or zero to `rs`; on failure `rs` is unchanged.
// delete N fails with ENOENT "rule N does not exist" when no rule carries N; zero N with
// FreeBSD's "rule N: setsockopt(IP_FW_ZERO): Invalid argument" (EINVAL). With `ran`, the
// model commands it applied, in order, are appended there (what the backend commits).
Result<void> apply(model::Ruleset& rs, const Command& cmd, uint16_t number,
                   std::vector<model::Command>* ran = nullptr);

}  // namespace ipchains::ipfw
