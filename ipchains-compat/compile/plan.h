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
};

struct Plan {
    std::vector<Instance> instances;  // in creation order
    std::vector<Site> sites;          // id order; sites[i].id == site_base + i + 1
    std::map<uint16_t, uint32_t> redirect_ids;  // REDIRECT port -> id, ids from 1
    std::vector<uint16_t> redirect_ports;       // id order
};

// Fails with ELOOP when a loop is reachable from a built-in chain, ENOSPC when the sites or
// redirect ports do not fit the 12-bit id field.
Result<Plan> make_plan(const model::Ruleset& rs, uint32_t site_base = 0);

// The hook a built-in chain hangs on, and the short name used in layout chain names.
ir::Hook builtin_hook(const std::string& builtin);
const char* hook_short_name(ir::Hook h);  // "in", "fwd", "out"

}  // namespace ipchains::compile::detail
