// The ICMP type names of ipchains 1.3.9 (docs/reference/ipchains-commands.md section 5.4), shared
// by the parser (--icmp-type, `-s addr NAME`), -L (names instead of type/code numbers) and -h icmp.
// The table order is significant: prefix matching reports the first two hits of an ambiguous prefix
// in this order, -L prints the first entry whose ranges match, and -h icmp groups aliases by
// comparing each entry with the one before it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ipchains::model {

struct IcmpName {
    const char* name;
    uint16_t type;
    uint16_t code_min, code_max;
    // -C tests a name with a wide code range using its lowest code; the four range-only
    // names (destination-unreachable, redirect, time-exceeded/ttl-exceeded,
    // parameter-problem) cannot be tested.
    bool test_with_min_code;
};

// The whole table, in 1.3.9 order.
const IcmpName* icmp_names(std::size_t* count);

// Case-insensitive prefix lookup. Returns the entry, nullptr if nothing matches; when two
// entries match, *second is set to the second one (the caller reports the ambiguity).
const IcmpName* icmp_find_prefix(const std::string& prefix, const IcmpName** second);

// The first entry with exactly this type and code range, for listings.
const IcmpName* icmp_find_exact(uint16_t type, uint16_t code_min, uint16_t code_max);

}  // namespace ipchains::model
