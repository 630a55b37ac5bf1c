// `-s`/`-d` address words: a.b.c.d, network name or host name, with an optional /mask
// (dotted or bit count). Internal to parse/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace ipchains::parse::detail {

// A complete dotted quad, each part 0-255 (host order result).
std::optional<uint32_t> dotted_to_addr(const std::string& s);

struct AddressSet {
    std::vector<uint32_t> addrs;   // masked, duplicates merged, in resolver order
    uint32_t mask = 0xFFFFFFFF;
};

// "name[/mask]". A zero mask ignores the name ("any/0"). With resolve=false only dotted quads
// are accepted (network and host names give the "not found" error).
Result<AddressSet> parse_hostnetworkmask(const std::string& word, bool resolve);

}  // namespace ipchains::parse::detail
