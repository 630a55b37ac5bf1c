// backend::Backend on nftables: table `ip ipchains` (IPCHAINS_DIVERT_TABLE overrides the name).
// read: dumps of our table only -> read_model.h. commit: compile both rulesets, diff, one
// batch (commit_plan.h). append_fast: one chain dump + one batch, never a rule dump.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "backend/backend.h"
#include "backend/nft/batch.h"
#include "backend/nft/netlink.h"
#include "backend/nft/queue_probe.h"
#include "backend/nft/read_model.h"
#include "ir/ir.h"

namespace ipchains::backend::nft {

struct Config {
    std::string table = "ipchains";
};

// IPCHAINS_DIVERT_TABLE, when set and not empty, names the table.
Config config_from_env();

class NftBackend : public Backend {
public:
    explicit NftBackend(Config cfg);
    ~NftBackend() override;

    Result<model::Ruleset> read(bool zero_counters = false) override;
    Result<void> commit(const model::Ruleset& before, const model::Ruleset& after) override;
    Result<bool> append_fast(const std::string& chain,
                             const std::vector<model::Rule>& rules) override;
    std::string describe() override;

    // The queue encoding, probing the kernel on first use (once per process).
    Result<QueueChoice> queue_choice();
    const std::string& table() const { return cfg_.table; }
    // Behave as on kernels before 6.2 (no NFT_MSG_GETRULE_RESET): tests of the fallback.
    void assume_no_rule_reset() { rule_reset_works_ = false; }

private:
    Result<Netlink*> netlink();
    Result<void> read_state(KernelState& k, bool zero_counters);
    Result<model::Ruleset> finish_read(const KernelState& k, bool zero_counters);
    Result<void> send(Batch& batch);
    // `before` compiled, adjusted to the chains the last read found: a layout chain whose
    // comment differs (an older layout revision) is recreated by the diff, a chain the kernel
    // lacks is created.
    void reconcile_with_kernel(ir::Table& before) const;
    // Zeroes the rule counters of the ipchains chains `names` (all nft chains holding them) in
    // `t`, the compiled current ruleset.
    Result<void> zero_chains(const ir::Table& t, const std::set<std::string>& names);

    Config cfg_;
    std::unique_ptr<Netlink> nl_;
    std::optional<QueueChoice> queue_;
    // Whether the table existed at the last read (or was created by our last commit); unknown
    // before the first read.
    std::optional<bool> table_exists_;
    bool rule_reset_works_ = true;  // NFT_MSG_GETRULE_RESET (Linux 6.2+)
    // What the last read saw, for the commit that follows it: the ruleset generation (0 =
    // unknown: commit unchecked) and our table's chains. A commit consumes both: the kernel
    // refuses a batch whose generation moved (ERESTART), so a diff is never applied to a
    // table someone changed after our read.
    uint32_t read_genid_ = 0;
    std::optional<std::vector<KernelChain>> read_chains_;
    std::optional<std::vector<std::string>> read_sets_;
};

}  // namespace ipchains::backend::nft
