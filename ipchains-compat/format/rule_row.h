// One rule printed the way 1.3.9's print_firewall did: either a row of the -L table or the
// one-line -v echo of rule commands. Internal to format/.
#pragma once

#include <cstdint>
#include <string>

#include "format/names.h"
#include "model/rule.h"

namespace ipchains::format::detail {

struct RowFormat {
    bool table = true;          // false: the one-line echo (no padding, always numeric)
    bool numeric = false;       // -n
    bool counts = false;        // -v: packet and byte columns
    bool kilo = true;           // without -x: K/M/G
    bool extra = false;         // -v: tos, interface, mark and outsize columns
    bool line_numbers = false;  // --line-numbers
};

// The column titles for `f`, with newline.
std::string header(const RowFormat& f);

// One rule, with newline. `num` is the rule's position (for --line-numbers).
std::string row(const model::Rule& r, unsigned num, const RowFormat& f, NameLookup& names);

}  // namespace ipchains::format::detail
