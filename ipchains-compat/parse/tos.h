// -t and/xor checks of 1.3.9 (RFC 1349: bit 0 is untouchable, at most one TOS bit).
// Internal to parse/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace ipchains::parse::detail {

// Fails for masks that always break RFC 1349; appends a warning (without newline) for each
// standard TOS value the masks might turn into a multi-bit value.
Result<void> check_tos(uint8_t tos_and, uint8_t tos_xor, std::vector<std::string>* warnings);

}  // namespace ipchains::parse::detail
