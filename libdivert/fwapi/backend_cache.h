// The firewall API's backend, one per process. Opening a backend chooses it (environment,
// configuration file, probing) and probes the kernel (nft_queue, the legacy tables); a 2.2
// program adds its rules one setsockopt at a time and would pay that for every rule. The
// cached one is opened again when the kernel's rulesets moved since this process's last
// call (core/ruleset_evidence.h: someone else changed them, so nothing the backend learnt
// may be trusted) and in a forked child (its netlink sockets are the parent's).
//
// Lock order: the cache's mutex is taken first and alone, by the setsockopt entry point;
// what runs under it (the backend, under the reentrancy guard) takes no other library lock.
#pragma once

#include <functional>

#include "backend/backend.h"

namespace divert::fwapi {

// Runs call(backend) under the cache's lock and returns its result (0 or an errno); the
// errno of a backend that cannot be opened otherwise.
int with_backend(const std::function<int(ipchains::backend::Backend&)>& call);

}  // namespace divert::fwapi
