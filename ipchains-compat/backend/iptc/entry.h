// One legacy iptables rule as a plain value, and its ipt_entry codec. The layout code builds
// these, the kernel code compares them with what libiptc holds: two rules are the same
// kernel object exactly when their identity() strings are equal, so an unchanged chain is
// left alone and keeps its counters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <libiptc/libiptc.h>

namespace ipchains::backend::iptc {

// An xt match or target extension: name, revision and its info struct as raw bytes
// (without the xt_entry_match/xt_entry_target header and without alignment padding).
struct Extension {
    std::string name;
    uint8_t revision = 0;
    std::vector<uint8_t> data;
    bool operator==(const Extension& o) const
    {
        return name == o.name && revision == o.revision && data == o.data;
    }
};

struct LegacyRule {
    ipt_ip ip{};                       // addresses, interfaces, protocol, -f, goto flag
    std::vector<Extension> matches;    // in evaluation order
    // Standard target: a label ("ACCEPT", "DROP", "RETURN", a chain name, or "" to fall
    // through); otherwise an extension target.
    bool standard = true;
    std::string label;
    Extension target;
    uint64_t packets = 0, bytes = 0;   // initial counters (not part of identity)
};

// The entry bytes libiptc's insert/append functions take, counters included.
std::vector<uint8_t> build_entry(const LegacyRule& r);

// A kernel entry back as a value; `target_label` is iptc_get_target()'s answer (libiptc keeps
// jumps as chain references, so the label is the only reliable name of a jump).
LegacyRule parse_entry(const ipt_entry* e, const char* target_label);

// Everything that makes the kernel object, counters excluded.
std::string identity(const LegacyRule& r);

// The text of the first comment match whose text starts with `prefix` ("" = any), or "".
std::string comment_of(const LegacyRule& r, const std::string& prefix = {});

}  // namespace ipchains::backend::iptc
