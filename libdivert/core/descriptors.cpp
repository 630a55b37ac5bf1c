#include "core/descriptors.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <pthread.h>

#include <linux/capability.h>
#include <linux/netlink.h>
#include <unistd.h>

#include "core/caps.h"
#include "core/ifaddr.h"
#include "core/inject_in.h"
#include "core/libc.h"
#include "core/reaper.h"
#include "core/rule_position.h"

namespace divert {
namespace {

// fork(): no lock may be inherited held, and the child must not think it owns the parent's
// pending packets. Batches are flushed first so no verdict is held by both processes. The
// locks are taken in the library's lock order (libdivert/README.md "Locks"): registry, then
// each socket (fd_mu_, mu_), then the leaf locks.
std::vector<std::shared_ptr<DivertSocket>>* g_fork_sockets;

void fork_prepare()
{
    // An atfork handler must not throw. Out of memory here, the sockets' locks are not taken:
    // a child could then inherit one held, which is the lesser evil against terminating.
    auto* socks = new (std::nothrow) std::vector<std::shared_ptr<DivertSocket>>;
    if (socks != nullptr) {
        try {
            registry::snapshot_into(*socks);
        } catch (const std::bad_alloc&) {
            socks->clear();
        }
        // One global order for the sockets' locks: by address (fd_mu_ and mu_ ascend within
        // each object), whatever descriptors they sit on this time.
        std::sort(socks->begin(), socks->end());
    }
    registry::lock_for_fork();
    if (socks != nullptr)
        for (auto& s : *socks) s->lock_for_fork();
    ifaddr::lock_for_fork();
    inject_in::lock_for_fork();
    rule_position::lock_for_fork();
    reaper::lock_for_fork();
    g_fork_sockets = socks;
}

void fork_finish(bool child)
{
    auto* socks = g_fork_sockets;
    g_fork_sockets = nullptr;
    reaper::unlock_after_fork(child);
    rule_position::unlock_after_fork();
    inject_in::unlock_after_fork();
    ifaddr::unlock_after_fork();
    if (socks != nullptr)
        for (auto& s : *socks) s->unlock_after_fork(child);
    registry::unlock_after_fork();
    delete socks;
    if (child) ifaddr::invalidate();
}

void fork_parent() { fork_finish(false); }
void fork_child() { fork_finish(true); }

pthread_once_t g_atfork_once = PTHREAD_ONCE_INIT;
void install_atfork() { pthread_atfork(fork_prepare, fork_parent, fork_child); }

// Registers fd; when the registry cannot grow, the descriptor is closed again (a divert
// descriptor the registry does not know would be a raw netlink socket to the program).
bool add_or_close(int fd, std::shared_ptr<DivertSocket> s)
{
    try {
        registry::add(fd, std::move(s));
        return true;
    } catch (const std::bad_alloc&) {
        DIVERT_REAL(close, fd);
        errno = ENOMEM;
        return false;
    }
}

}  // namespace

int open_socket(int domain, int type)
{
    Guard g;
    pthread_once(&g_atfork_once, install_atfork);
    int semantics = DIVERT_SEMANTICS_FREEBSD;
    if (domain != PF_DIVERT) {
        // docs/divert.7 "FreeBSD semantics": the switch for FreeBSD programs that still use
        // IPPROTO_DIVERT. A misspelt value fails loudly rather than give 2.2's sin_zero.
        const char* env = getenv("LIBDIVERT_SEMANTICS");
        if (env == nullptr || *env == 0 || strcmp(env, "linux22") == 0) {
            semantics = DIVERT_SEMANTICS_LINUX22;
        } else if (strcmp(env, "freebsd") != 0) {
            errno = EINVAL;
            return -1;
        }
    }
    if (!has_capability(CAP_NET_ADMIN) || !has_capability(CAP_NET_RAW)) {
        errno = EPERM;  // [DECISION] docs/reference/divert-semantics.md 2
        return -1;
    }
    const int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    // Allocated before the descriptor exists: running out of memory then leaks nothing.
    auto sock = std::make_shared<DivertSocket>(domain, semantics);
    int fd = DIVERT_REAL(socket, AF_NETLINK, SOCK_RAW | flags, NETLINK_NETFILTER);
    if (fd < 0) return -1;
    // Room for bursts: 4 MiB of kernel memory, not ours (SO_RCVBUFFORCE needs CAP_NET_ADMIN,
    // which we just checked; plain SO_RCVBUF is capped by rmem_max).
    const int rcvbuf = 4 << 20;
    if (DIVERT_REAL(setsockopt, fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
        DIVERT_REAL(setsockopt, fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (DIVERT_REAL(bind, fd, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0) {
        const int err = errno;
        DIVERT_REAL(close, fd);
        errno = err;
        return -1;
    }
    if (!add_or_close(fd, std::move(sock))) return -1;
    return fd;
}

int close_fd(int fd)
{
    if (registry::is_internal(fd)) {  // never let the program close our plumbing
        errno = EBADF;
        return -1;
    }
    // Unregister first: a thread that races us must not find a half-closed socket.
    std::shared_ptr<DivertSocket> s = registry::remove(fd);
    if (s && registry::count_refs(s.get()) == 0) {
        Guard g;
        s->release(fd);
    }
    s.reset();
    return DIVERT_REAL(close, fd);
}

int after_dup(int oldfd, int newfd)
{
    if (newfd < 0 || oldfd == newfd) return newfd;
    if (std::shared_ptr<DivertSocket> s = registry::find(oldfd))
        if (!add_or_close(newfd, std::move(s))) return -1;
    return newfd;
}

int before_replace(int newfd)
{
    if (registry::is_internal(newfd)) {
        errno = EBADF;
        return -1;
    }
    std::shared_ptr<DivertSocket> s = registry::remove(newfd);
    if (s && registry::count_refs(s.get()) == 0) {
        Guard g;
        s->release(newfd);
    }
    return 0;
}

}  // namespace divert
