// Which Queue encoding this kernel accepts. Asked once per process, and only when a compiled
// table contains a Queue statement.
#pragma once

#include <string>

#include "backend/nft/netlink.h"
#include "backend/nft/serialize.h"
#include "core/result.h"

namespace ipchains::backend::nft {

struct QueueChoice {
    QueueImpl impl;
    std::string reason;  // for describe(): "kernel has no nft_queue", "forced by ..."
    bool forced = false; // by IPCHAINS_DIVERT_NFT_QUEUE, not by the probe
};

// IPCHAINS_DIVERT_NFT_QUEUE=native|compat forces the choice (tests); anything else probes.
Result<QueueChoice> choose_queue_impl(Netlink& nl);

// The probe itself: a transaction that creates a scratch table, chain and native queue rule,
// then fails on purpose, so the kernel aborts it and nothing is left behind. ENOENT on the
// queue rule means no nft_queue.
Result<bool> kernel_has_nft_queue(Netlink& nl);

}  // namespace ipchains::backend::nft
