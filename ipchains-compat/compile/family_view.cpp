// family_view: the ruleset one address family's table is compiled from (docs/ipfw.md "IPv6").
#include "compile/compile.h"

namespace ipchains::compile {

model::Ruleset family_view(const model::Ruleset& rs, bool ip6)
{
    model::Ruleset view;
    view.divert_passthrough = rs.divert_passthrough;
    view.resume_sites = rs.resume_sites;
    for (const auto& c : rs.chains) {
        if (ip6 && !c.builtin()) continue;
        model::Chain v = c;
        v.rules.clear();
        for (const auto& r : c.rules)
            if (r.ip6 == ip6) v.rules.push_back(r);
        // IPv6 packets that no ip6 rule decides are accepted: the policies are ipchains' and
        // ipchains was IPv4 (docs/ipfw.md "IPv6").
        if (ip6) {
            v.policy = model::Policy::Accept;
            v.policy_counters = {};
        }
        view.chains.push_back(std::move(v));
    }
    return view;
}

}  // namespace ipchains::compile
