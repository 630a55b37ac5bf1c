// model::Ruleset -> ir::Table: the chain layout of docs/design.md (segments, resume sites,
// deferred REJECT/MASQ/REDIRECT, policy chains). Pure function; same input, same output.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "ir/ir.h"
#include "model/ruleset.h"

namespace ipchains::compile {

// Mark layout (docs/design.md "Mark bits"). The only place these numbers are defined; libdivert
// uses them too (kInjected for injected packets).
constexpr uint32_t kUserMarkMask = 0x0000FFFFu;
constexpr uint32_t kIdShift = 16;
constexpr uint32_t kIdMask = 0x0FFF0000u;
constexpr uint32_t kKindShift = 28;
constexpr uint32_t kKindMask = 0x70000000u;
constexpr uint32_t kMasqBit = 0x80000000u;
enum class MarkKind : uint32_t { None = 0, Resume = 1, Redirect = 2, Injected = 3, Reject = 4 };
constexpr uint32_t mark_stamp(MarkKind k, uint32_t id)
{
    return (static_cast<uint32_t>(k) << kKindShift) | ((id << kIdShift) & kIdMask);
}

struct Options {
    std::string table_name = "ipchains";
};

// Fails (ELOOP) when a jump would make a loop reachable from a built-in chain: nftables refuses
// those at commit time, where 2.2 denied the looping packet at run time (documented difference).
Result<ir::Table> compile(const model::Ruleset& rs, const Options& opt = {});

// The canonical save-syntax line for a rule ("-A input -s ... -j DIVERT 1234"), which is also
// the userdata each compiled rule carries.
std::string rule_comment(const std::string& chain, const model::Rule& r);  // = format::save_line

}  // namespace ipchains::compile
