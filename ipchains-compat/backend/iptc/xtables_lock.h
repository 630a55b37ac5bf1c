// The lock iptables-legacy takes around its read-modify-commit (XTABLES_LOCKFILE, by default
// /run/xtables.lock, flock'ed exclusively). Held across our own check-then-commit, it keeps
// other ipchains processes and iptables from replacing a table between libiptc's snapshot,
// its replace and its counter update.
#pragma once

#include "core/result.h"

namespace ipchains::backend::iptc {

class XtablesLock {
public:
    // Waits up to `wait_ms` for the lock. A lock file that cannot be opened (no /run, not
    // root) gives an unlocked value: the lock only orders cooperating writers, and the kernel
    // still refuses what it can tell is stale. EAGAIN when someone held it all that time.
    static Result<XtablesLock> acquire(int wait_ms = 10000);
    XtablesLock(XtablesLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    XtablesLock& operator=(XtablesLock&&) = delete;
    XtablesLock(const XtablesLock&) = delete;
    ~XtablesLock();

private:
    explicit XtablesLock(int fd) : fd_(fd) {}
    int fd_;
};

}  // namespace ipchains::backend::iptc
