#include "fwapi/backend_cache.h"

#include <cerrno>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <pthread.h>
#include <unistd.h>

#include "core/ruleset_evidence.h"

namespace divert::fwapi {
namespace {

struct Cache {
    std::mutex mu;
    std::unique_ptr<ipchains::backend::Backend> backend;
    std::optional<std::string> evidence;  // after this process's last call
    pid_t owner = 0;                      // the process that opened `backend`
};

// Never destroyed: a program may call setsockopt from its own static destructors.
Cache& cache()
{
    static Cache* c = new Cache;
    return *c;
}

// fork() while another thread is inside a call must not hand the child a held lock.
void lock_for_fork() { cache().mu.lock(); }
void unlock_after_fork() { cache().mu.unlock(); }
pthread_once_t g_atfork_once = PTHREAD_ONCE_INIT;
void install_atfork() { pthread_atfork(lock_for_fork, unlock_after_fork, unlock_after_fork); }

}  // namespace

int with_backend(const std::function<int(ipchains::backend::Backend&)>& call)
{
    pthread_once(&g_atfork_once, install_atfork);
    Cache& c = cache();
    std::lock_guard<std::mutex> lk(c.mu);
    const bool stale = c.owner != getpid() || !c.evidence || ruleset_evidence() != c.evidence;
    if (c.backend && stale) c.backend.reset();
    if (!c.backend) {
        auto be = ipchains::backend::open_backend();
        if (!be) return be.error().code != 0 ? be.error().code : EINVAL;
        c.backend = std::move(*be);
        c.owner = getpid();
    }
    const int err = call(*c.backend);
    // Our own change moved the evidence: record where it stands now, so that only someone
    // else's change makes the next call open the backend again.
    c.evidence = ruleset_evidence();
    return err;
}

}  // namespace divert::fwapi
