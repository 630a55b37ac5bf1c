// TEE rules (docs/divert.7 "Tee"): the rule stamps the packet's mark TEE|site (docs/design.md
// "Mark bits") and queues it to the port. The original must go on at once, after the rule,
// as a written-back packet does: NF_REPEAT with the mark RESUME|site. The program gets a copy
// that owes no verdict; writing the copy injects a new packet.
#pragma once

#include <cstdint>

namespace divert::tee {

// True when `mark` is a TEE stamp.
bool is_tee(uint32_t mark);

// The mark the original of a teed packet continues with: RESUME and the same site, the
// bits outside the stamp (user marks, MASQ) kept.
uint32_t resume_mark(uint32_t mark);

}  // namespace divert::tee
