#include "model/ruleset.h"

#include <algorithm>

namespace ipchains::model {

const char* policy_name(Policy p)
{
    switch (p) {
    case Policy::Accept: return "ACCEPT";
    case Policy::Deny: return "DENY";
    case Policy::Reject: return "REJECT";
    case Policy::Masq: return "MASQ";
    }
    return "ACCEPT";
}

std::optional<Policy> policy_from_name(const std::string& name)
{
    if (name == "ACCEPT") return Policy::Accept;
    if (name == "DENY") return Policy::Deny;
    if (name == "REJECT") return Policy::Reject;
    if (name == "MASQ") return Policy::Masq;
    return std::nullopt;
}

Ruleset Ruleset::initial()
{
    Ruleset rs;
    for (const char* n : {"input", "forward", "output"}) {
        Chain c;
        c.name = n;
        c.policy = Policy::Accept;
        rs.chains.push_back(c);
    }
    return rs;
}

Chain* Ruleset::find(const std::string& name)
{
    auto it = std::find_if(chains.begin(), chains.end(),
                           [&](const Chain& c) { return c.name == name; });
    return it == chains.end() ? nullptr : &*it;
}

const Chain* Ruleset::find(const std::string& name) const
{
    return const_cast<Ruleset*>(this)->find(name);
}

int Ruleset::refcount(const std::string& name) const
{
    if (is_builtin_chain_name(name)) return 1;
    int n = 0;
    for (const auto& c : chains)
        for (const auto& r : c.rules)
            if (r.target == TargetKind::Chain && r.target_chain == name) ++n;
    return n;
}

}  // namespace ipchains::model
