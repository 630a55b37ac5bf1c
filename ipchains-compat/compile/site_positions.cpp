// divert_site_positions: resume site id -> position of its DIVERT rule, from the same plan
// compile() builds the table from (libdivert reports it in sin_port).
#include <algorithm>

#include "compile/compile.h"
#include "compile/plan.h"

namespace ipchains::compile {

Result<std::map<uint32_t, uint16_t>> divert_site_positions(const model::Ruleset& rs)
{
    auto plan = detail::make_plan(rs);
    if (!plan) return plan.error();
    std::map<uint32_t, uint16_t> out;
    for (const auto& s : plan->sites)
        out.emplace(s.id, static_cast<uint16_t>(std::min<size_t>(s.rule + 1, 65535)));
    return out;
}

}  // namespace ipchains::compile
