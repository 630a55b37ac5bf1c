// Internal to compile/: one ipchains rule -> its single nft rule (the "carrier"), given what the
// layout decided for it.
#pragma once

#include <cstdint>
#include <string>

#include "compile/compile.h"
#include "ir/ir.h"
#include "model/rule.h"

namespace ipchains::compile::detail {

struct TargetContext {
    std::string jump_to;       // Chain target: the callee instance's first segment; "" = no jump
    uint32_t site = 0;         // DIVERT: resume site id
    uint32_t redirect_id = 0;  // REDIRECT: id of its port, 0 = not executable on this hook
    bool passthrough = false;  // DIVERT: queue with bypass
    uint32_t position = 0;     // 1-based number of the rule in its ipchains chain (-l: "(#N)")
};

ir::Rule carrier(const std::string& chain, const model::Rule& r, ir::Hook hook,
                 const TargetContext& ctx);

// Statement writing kind+id into the mark while keeping the -m bits and the MASQ bit.
ir::SetMark stamp(MarkKind kind, uint32_t id);

// Match on the kind+id bits of the mark.
ir::Mark stamp_match(MarkKind kind, uint32_t id, bool negate = false);

}  // namespace ipchains::compile::detail
