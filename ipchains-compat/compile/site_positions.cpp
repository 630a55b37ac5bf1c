// divert_site_positions: resume site id -> the ipfw number of its DIVERT/TEE rule, or its
// position when it has none, from the same plan compile() builds the table from (libdivert
// reports it in sin_port; docs/ipfw.md "Rule numbers").
#include <algorithm>

#include "compile/compile.h"
#include "compile/plan.h"
#include "model/prefix6.h"

namespace ipchains::compile {

namespace {

Result<void> add_sites(const model::Ruleset& rs, detail::SiteRange range,
                       std::map<uint32_t, uint16_t>& out)
{
    auto plan = detail::make_plan(rs, range);
    if (!plan) return plan.error();
    for (const auto& s : plan->sites) {
        const model::Rule& r = plan->instances[s.instance].chain->rules[s.rule];
        out.emplace(s.id, r.number != 0 ? r.number
                                        : static_cast<uint16_t>(std::min<size_t>(s.rule + 1, 65535)));
    }
    return {};
}

}  // namespace

Result<std::map<uint32_t, uint16_t>> divert_site_positions(const model::Ruleset& rs)
{
    std::map<uint32_t, uint16_t> out;
    if (!model::has_ip6_rules(rs)) {
        if (auto r = add_sites(rs, detail::site_range(false, false), out); !r) return r.error();
        return out;
    }
    // Both tables, as compile() builds them (docs/ipfw.md "IPv6").
    if (auto r = add_sites(family_view(rs, false), detail::site_range(false, true), out); !r)
        return r.error();
    if (auto r = add_sites(family_view(rs, true), detail::site_range(true, true), out); !r)
        return r.error();
    return out;
}

}  // namespace ipchains::compile
