// A kernel backend: reads the ruleset back from the kernel as a snapshot and turns (snapshot,
// change) into one kernel transaction. Implementations: backend/nft (libnftnl), backend/iptc
// (libiptc); backend/choice picks one. A Backend keeps nothing from a read for the commit that
// follows: everything the commit needs is in the Snapshot it is given.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/common/kernel_state.h"
#include "core/result.h"
#include "model/change.h"
#include "model/command.h"
#include "model/ruleset.h"

namespace ipchains::backend {

// What one read found. Taken by const reference everywhere: a snapshot is never edited, the
// engine builds a model::Change beside it (engine::make_change).
struct Snapshot {
    model::Ruleset ruleset;  // rules, policies and counters
    bool table_exists = false;  // our rules were in the kernel (else: a fresh 2.2 boot)
    // The kernel's state the read saw: nft, the ruleset generation; legacy, a fingerprint of
    // our mangle chains. A commit against this snapshot fails with ERESTART, changing
    // nothing, when the kernel no longer has it. nullopt: unknown, the commit is unchecked.
    std::optional<uint64_t> generation;
    // Our chains as read (names and comments): which layout revision the kernel holds, so a
    // commit recreates the chains an older version left behind.
    std::vector<common::KernelChain> chains;
    // nft: the rule runs' sets the kernel holds (a run whose set is missing is rebuilt).
    std::vector<std::string> sets;
    // nft: the size each of them was created with (NFTA_SET_DESC_SIZE), 0 for none: a hash set
    // whose size is not the one compiled (an older version made it without) is recreated.
    std::map<std::string, uint32_t> set_sizes;
    // nft: the counter objects the kernel holds (a policy counter the layout no longer keeps
    // in one is removed by the next commit).
    std::vector<std::string> counters;
    // nft: the `ip6` table of the same name that holds ipfw's ip6 rules (docs/ipfw.md
    // "IPv6"): whether it exists, its chains and sets. Their rules are in `ruleset`.
    bool table6_exists = false;
    std::vector<common::KernelChain> chains6;
    std::vector<std::string> sets6;
    std::map<std::string, uint32_t> set_sizes6;
    std::vector<std::string> counters6;
};

class Backend {
public:
    virtual ~Backend() = default;

    // Current state from the kernel. With zero_counters, rule counters are read and reset in
    // the same step (-L -Z); policy counters are never reset.
    virtual Result<Snapshot> read(bool zero_counters = false) = 0;

    // Make the kernel hold `change.after` (computed from `before.ruleset`), and zero the
    // counters of `change.zeroed`, as one transaction. Fails with ERESTART, changing nothing,
    // when the kernel moved on since `before` was read (backend::execute then runs the command
    // again on a fresh read).
    virtual Result<void> commit(const Snapshot& before, const model::Change& change) = 0;

    // Append fast path: returns true when done, false when the caller must take the slow path
    // (read, engine::make_change, commit). Errors as the slow path would give them.
    virtual Result<bool> append_fast(const std::string& chain,
                                     const std::vector<model::Rule>& rules) = 0;

    // -P fast path, likewise: true when the policy was set (or already was `policy`) without
    // reading the ruleset, false when the caller must take the slow path.
    virtual Result<bool> policy_fast(const std::string& chain, model::Policy policy) = 0;

    // One line for --version / --status, e.g.
    // "nftables (DIVERT via xt NFQUEUE: kernel has no nft_queue)".
    virtual std::string describe() = 0;
};

// Picks the backend (IPCHAINS_DIVERT_BACKEND=nft|legacy|auto, config file, probing) and says
// why: backend/choice/.
Result<std::unique_ptr<Backend>> open_backend();

}  // namespace ipchains::backend
