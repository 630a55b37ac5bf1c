// struct ip_fwuser (network-order addresses) -> model::Rule (host order): 2.2's
// convert_ipfw, with its checks and its leniency (docs/reference/firewall-api.md section 6).
#pragma once

#include <linux/ip_fw.h>

#include "core/result.h"
#include "model/rule.h"

namespace divert::fwapi {

// EINVAL for flag bits outside IP_FW_F_MASK, port ranges where 2.2 forbade them, a DIVERT
// rule without a port, and protocols above 255 (no backend can match them). Whether a
// target chain exists is the engine's question (ENOENT), asked after the chain lookup.
ipchains::Result<ipchains::model::Rule> convert_rule(const struct ip_fwuser& user);

}  // namespace divert::fwapi
