// divert_site_positions: resume site id -> the ipfw number of its DIVERT/TEE rule, or its
// position when it has none, from the same plan compile() builds the table from (libdivert
// reports it in sin_port; docs/ipfw.md "Rule numbers").
#include <algorithm>

#include "compile/compile.h"
#include "compile/plan.h"

namespace ipchains::compile {

Result<std::map<uint32_t, uint16_t>> divert_site_positions(const model::Ruleset& rs)
{
    auto plan = detail::make_plan(rs);
    if (!plan) return plan.error();
    std::map<uint32_t, uint16_t> out;
    for (const auto& s : plan->sites) {
        const model::Rule& r = plan->instances[s.instance].chain->rules[s.rule];
        out.emplace(s.id, r.number != 0 ? r.number
                                        : static_cast<uint16_t>(std::min<size_t>(s.rule + 1, 65535)));
    }
    return out;
}

}  // namespace ipchains::compile
