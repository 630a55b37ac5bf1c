// The whole ipchains state: three built-in chains plus user chains in creation order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/rule.h"

namespace ipchains::model {

// Longest chain or target label 2.2 accepted (IP_FW_MAX_LABEL_LENGTH).
constexpr std::size_t kMaxLabel = 8;

enum class Policy { Accept, Deny, Reject, Masq };

const char* policy_name(Policy p);                       // "ACCEPT", "DENY", ...
std::optional<Policy> policy_from_name(const std::string& name);

struct Chain {
    std::string name;
    std::optional<Policy> policy;   // set exactly for input, forward, output
    Counters policy_counters;       // never zeroed by -Z
    std::vector<Rule> rules;

    bool builtin() const { return policy.has_value(); }
    bool operator==(const Chain& o) const
    {
        return name == o.name && policy == o.policy && rules == o.rules;
    }
};

struct Ruleset {
    std::vector<Chain> chains;      // input, forward, output first, then user chains
    bool divert_passthrough = false;  // DIVERT with nobody bound: false = drop (2.2 default)
    // The resume site id the kernel's table gives each DIVERT/TEE call path, by the key of the
    // path (compile/plan.cpp). Like the counters it is read from the kernel and not part of the
    // ruleset's identity; compile() keeps these ids, so a packet a program holds across a
    // command still resumes after its own DIVERT rule (docs/design.md "Resume site ids").
    std::map<std::string, uint32_t> resume_sites;

    // A fresh 2.2 boot: three empty built-in chains with policy ACCEPT.
    static Ruleset initial();

    Chain* find(const std::string& name);
    const Chain* find(const std::string& name) const;
    // References to a chain: the number of rules whose target is that chain (1 for built-ins,
    // as /proc/net/ip_fwnames showed).
    int refcount(const std::string& name) const;

    bool operator==(const Ruleset& o) const
    {
        return chains == o.chains && divert_passthrough == o.divert_passthrough;
    }
};

inline bool is_builtin_chain_name(const std::string& n)
{
    return n == "input" || n == "forward" || n == "output";
}

}  // namespace ipchains::model
