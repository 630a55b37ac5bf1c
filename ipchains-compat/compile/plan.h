// Internal to compile/: the chain layout decided before any nft chain is built.
//   Instance: one copy of an ipchains chain. Chains that cannot reach a DIVERT rule get one per
//             hook; chains that can get one per call path, so each DIVERT rule in them (a
//             "site") has exactly one continuation.
//   Segment:  an instance is cut after every resume point (a DIVERT rule, or a jump into a chain
//             that can reach one); segment k+1 is "the instance from the rule after it on".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "ir/ir.h"
#include "model/ruleset.h"

namespace ipchains::compile::detail {

struct Instance {
    const model::Chain* chain = nullptr;
    int position = 0;          // index in Ruleset::chains
    int index = 0;             // 0 = primary, n = `<name>@<n>`
    ir::Hook hook = ir::Hook::Prerouting;
    std::string root;          // built-in chain at the bottom of the call path, "" if unreached
    int parent = -1;           // calling instance, for per-path instances
    size_t parent_rule = 0;    // the calling rule in `parent`
    std::vector<int> callee;   // per rule: instance a jump enters, -1 = none (or a loop edge)
    std::vector<int> segment;  // per rule: its segment
    std::vector<uint32_t> site;  // per rule: DIVERT site id, 0 = none
    int segments = 1;

    std::string segment_name(int k) const;
};

struct Site {
    uint32_t id;
    int instance;
    size_t rule;
    std::string key;  // site_key(): what Ruleset::resume_sites remembers the id by
};

struct Plan {
    std::vector<Instance> instances;  // in creation order
    std::vector<Site> sites;          // walk order; ids kept from Ruleset::resume_sites
    std::map<uint16_t, uint32_t> redirect_ids;  // REDIRECT port -> id, ids from 1
    std::vector<uint16_t> redirect_ports;       // id order
};

// The site ids one family's table may use: above `base`, at most `limit`.
struct SiteRange {
    uint32_t base = 0;
    uint32_t limit = 0;
};
// IPv6 from kSite6Base + 1; IPv4 up to kSite6Base while the ruleset has ip6 rules.
SiteRange site_range(bool ip6, bool has_ip6_rules);

// Fails with ELOOP when a loop is reachable from a built-in chain, ENOSPC when the sites or
// redirect ports do not fit the id range. A site whose key rs.resume_sites holds keeps that
// id; a new one takes the lowest id that neither a site nor rs.resume_sites holds, so a packet
// still carrying the id of a path that just went never resumes on a new one (docs/design.md
// "Resume site ids").
Result<Plan> make_plan(const model::Ruleset& rs, SiteRange range);

// The hook a built-in chain hangs on, and the short name used in layout chain names.
ir::Hook builtin_hook(const std::string& builtin);
const char* hook_short_name(ir::Hook h);  // "in", "fwd", "out"

}  // namespace ipchains::compile::detail
