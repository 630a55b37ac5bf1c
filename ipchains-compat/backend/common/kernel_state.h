// What a kernel holds for our table, as plain values, whatever the backend: the nft backend
// fills it from its dumps (backend/nft/dump.h), the legacy backend from its mangle chains
// (backend/iptc/read_state.h). read_model.h rebuilds the model from it, so both backends read
// the model back with the same code.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ipchains::backend::common {

struct KernelChain {
    std::string name;
    std::string comment;  // the chain's comment (compile::chain_comment or a layout role)
    bool base = false;
    // nft: a base chain's own policy is drop (else accept).
    bool drop = false;
    // nft: how many rules jump or go to it (NFTA_CHAIN_USE); the legacy reader leaves 0.
    uint32_t references = 0;
    // nft: a base chain's own policy counters, when it has them (NFTA_CHAIN_COUNTERS).
    bool counts = false;
    uint64_t packets = 0, bytes = 0;
};

struct KernelRule {
    std::string chain;
    std::string comment;     // the rule's save line, "" for layout rules
    uint64_t packets = 0;    // summed over the rule's counters
    uint64_t bytes = 0;
};

struct KernelCounter {
    std::string name;
    uint64_t packets = 0, bytes = 0;
};

struct KernelState {
    bool table_exists = false;
    std::vector<KernelChain> chains;
    std::vector<KernelRule> rules;
    std::vector<KernelCounter> counters;
    std::vector<std::string> sets;  // nft: rule runs' sets (compile/runs.h); legacy: none
    std::map<std::string, uint32_t> set_sizes;  // nft: each set's size, 0 for none
};

}  // namespace ipchains::backend::common
