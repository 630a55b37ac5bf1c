// A kernel backend: reads the ruleset back from the kernel and commits changes as one
// transaction. Implementations: backend/nft (libnftnl), backend/iptc (libiptc).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/command.h"
#include "model/ruleset.h"

namespace ipchains::backend {

class Backend {
public:
    virtual ~Backend() = default;

    // Current state from the kernel. With zero_counters, rule counters are read and reset in
    // the same step (-L -Z); policy counters are never reset.
    virtual Result<model::Ruleset> read(bool zero_counters = false) = 0;

    // Make the kernel hold `after` (the engine's result from `before`), as one transaction.
    // Fails with ERESTART, changing nothing, when the backend can tell that the kernel's
    // ruleset changed since the read that gave `before` (backend::execute then runs the
    // command again).
    virtual Result<void> commit(const model::Ruleset& before, const model::Ruleset& after) = 0;

    // Append fast path: returns true when done, false when the caller must take the slow path
    // (read, engine::apply, commit). Errors as the slow path would give them.
    virtual Result<bool> append_fast(const std::string& chain,
                                     const std::vector<model::Rule>& rules) = 0;

    // One line for --version / --status, e.g.
    // "nftables (DIVERT via xt NFQUEUE: kernel has no nft_queue)".
    virtual std::string describe() = 0;
};

// Picks the backend (IPCHAINS_DIVERT_BACKEND=nft|legacy|auto, config file, probing) and says why.
Result<std::unique_ptr<Backend>> open_backend();

}  // namespace ipchains::backend
