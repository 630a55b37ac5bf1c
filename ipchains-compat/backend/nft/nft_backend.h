// backend::Backend on nftables: table `ip ipchains` (IPCHAINS_DIVERT_TABLE overrides the name).
// read: dumps of our table only -> backend/common/read_model.h, plus the generation.
// commit: compile the snapshot's and the change's ruleset, diff, one batch carrying the
// snapshot's generation (commit_plan.h). append_fast: one chain dump + one batch, never a
// rule dump.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "backend/backend.h"
#include "backend/common/read_model.h"
#include "backend/nft/batch.h"
#include "backend/nft/dump.h"
#include "backend/nft/netlink.h"
#include "backend/nft/queue_probe.h"
#include "ir/ir.h"

namespace ipchains::backend::nft {

struct Config {
    std::string table = "ipchains";
    // compile::Options::unhook_empty_accept, from `empty-chains` (backend/choice/choice.h).
    bool unhook_empty_chains = false;
};

// IPCHAINS_DIVERT_TABLE, when set and not empty, names the table.
Config config_from_env();

// What the backend choice (backend/choice/) asks of nftables.
struct NftPresence {
    bool available = false;  // nf_tables answers (an EPERM answer counts: it exists)
    bool has_ours = false;   // table ip <table_name> exists
};
NftPresence probe_nft(const std::string& table_name);

class NftBackend : public Backend {
public:
    explicit NftBackend(Config cfg);
    ~NftBackend() override;

    Result<Snapshot> read(bool zero_counters = false) override;
    Result<void> commit(const Snapshot& before, const model::Change& change) override;
    Result<bool> append_fast(const std::string& chain,
                             const std::vector<model::Rule>& rules) override;
    Result<bool> policy_fast(const std::string& chain, model::Policy policy) override;
    std::string describe() override;

    // The queue encoding, probing the kernel on first use (once per process).
    Result<QueueChoice> queue_choice();
    const std::string& table() const { return cfg_.table; }
    // Behave as on kernels before 6.2 (no NFT_MSG_GETRULE_RESET): tests of the fallback.
    void assume_no_rule_reset() { counter_reset_ = false; }

private:
    Result<Netlink*> netlink();
    // Our table's chains as one dump saw them, and the generation from before the dump, to
    // which a fast path binds its batch.
    struct ChainsRead {
        Netlink* nl;
        uint32_t generation;
        std::vector<KernelChain> chains;
    };
    Result<ChainsRead> read_chains();
    // Whether the table is in the form this command's `empty-chains` setting compiles to
    // (compile::kUnhookedChain); a fast path leaves a table of the other form to the full
    // commit, which converts it.
    bool in_configured_form(const std::vector<KernelChain>& chains) const;
    // Whether the kernel resets rule and set element counters in place (probe_counter_reset,
    // once per backend). Without, -Z rebuilds the zeroed chains in a transaction that carries
    // the generation of the read it zeroes (docs/design.md "Zeroing counters").
    Result<bool> counter_reset();
    Result<void> read_state(KernelState& k, bool reset, uint8_t family);
    // -L -Z without counter reset: the chains of `rs` (both tables) rebuilt with zero counts in
    // one batch carrying `generation`, the read's; ERESTART when the kernel moved on.
    Result<void> refill_zeroed(const model::Ruleset& rs, bool table6_exists, uint32_t generation);
    Result<void> send(Batch& batch);
    // `before` compiled, adjusted to the chains and sets the snapshot found in its table (`ip`
    // or `ip6`): a layout chain whose comment differs (an older layout revision) is recreated
    // by the diff, a chain the kernel lacks is created; likewise sets and counter objects.
    static void reconcile_with_kernel(ir::Table& before, const std::vector<KernelChain>& read,
                                      const std::vector<std::string>& sets,
                                      const std::map<std::string, uint32_t>& set_sizes,
                                      const std::vector<std::string>& counters);
    // Resets in place the rule counters of the ipchains chains `names` (all nft chains holding
    // them) in `t`, the compiled current ruleset; only where counter_reset() holds.
    Result<void> reset_chains(const ir::Table& t, const std::set<std::string>& names,
                              uint8_t family);

    Config cfg_;
    std::unique_ptr<Netlink> nl_;
    std::optional<QueueChoice> queue_;
    // What the kernel can do, learnt once per process; no state of the ruleset is kept here
    // (that is in the Snapshot).
    std::optional<bool> counter_reset_;  // NFT_MSG_GETRULE_RESET (6.2+), GETSETELEM_RESET (6.5+)
};

}  // namespace ipchains::backend::nft
