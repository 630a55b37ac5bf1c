// The stored form of a rule. The kernel backends keep each rule as its save line
// (format::save_line) and rebuild it with the restore-line parser, so fields that line cannot
// carry -- fw_outputsize without IP_FW_F_NETLINK, fw_redirpt on a target other than REDIRECT
// or DIVERT -- do not survive. They do not change what the rule does, but 2.2 compared them in
// IP_FW_DELETE, so a program deleting with the struct it appended must be compared against
// the same canonical form the kernel will give back.
#pragma once

#include "core/result.h"
#include "model/rule.h"

namespace divert::fwapi {

// `r` as it will read back from the kernel. EINVAL when it has no save-line form, or when
// that form would match or act differently (see canonical.cpp).
ipchains::Result<ipchains::model::Rule> canonical_rule(const ipchains::model::Rule& r);

}  // namespace divert::fwapi
