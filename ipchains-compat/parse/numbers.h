// Numeric option values (-I/-R/-D rule numbers, -m, -t, -o, -S), with 1.3.9's parsing rules
// and messages. Internal to parse/.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace ipchains::parse::detail {

// strtol(s, 10) that must consume the whole word and land in [min, max]; -1 otherwise.
// Leading blanks and a sign are accepted, as strtol accepts them.
long string_to_number(const std::string& s, long min, long max);

Result<uint32_t> parse_rulenumber(const std::string& s);   // 1..INT_MAX
Result<int> parse_timeout(const std::string& s);           // 0..INT_MAX seconds
Result<uint8_t> parse_hexbyte(const std::string& s);       // -t: strtol base 16, 0..255
Result<uint16_t> parse_outputsize(const std::string& s);   // -o: 0..65535

struct Mark {
    uint32_t value = 0;
    bool absolute = false;
};
// -m [+-]value (strtoul base 0). Absolute marks must fit the 16 user bits (docs/design.md
// "Mark bits"); relative ones are the 32-bit two's complement value, as 1.3.9 stored them.
Result<Mark> parse_mark(const std::string& s);

}  // namespace ipchains::parse::detail
