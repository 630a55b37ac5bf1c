// Chain/target labels, interface names and policies. Internal to parse/.
#pragma once

#include <string>

#include "core/result.h"
#include "model/ruleset.h"

namespace ipchains::parse::detail {

using model::kMaxLabel;
constexpr std::size_t kIfNameSize = 16; // IFNAMSIZ as 1.3.9 checked it

// -j: 1-8 characters, no whitespace.
Result<std::string> parse_target(const std::string& s);

struct Interface {
    std::string name;   // without the wildcard '+'
    bool wildcard = false;
};
// -i name[+]: an empty name, or a trailing '+', is a wildcard. `kernel_names` (restore lines)
// also takes a full 16-character name plus its '+', which the kernel can hold but 1.3.9's
// length check refused.
Result<Interface> parse_interface(const std::string& s, bool kernel_names);

// -P chain policy (checks in 1.3.9's order: MASQ outside forward, user chain, unknown policy).
Result<model::Policy> parse_policy(const std::string& chain, const std::string& policy);

}  // namespace ipchains::parse::detail
