// The descriptor-level operations behind the hooks: creating a divert socket, and keeping the
// registry right across close/dup/dup2/dup3/fcntl(F_DUPFD*) and fork.
#pragma once

#include <memory>

#include "core/divert_socket.h"
#include "core/guard.h"
#include "core/registry.h"

namespace divert {

// The socket behind fd when a hooked call on fd is ours to handle; null: forward to libc.
inline std::shared_ptr<DivertSocket> hooked(int fd)
{
    if (inside_library() || !registry::maybe_any()) return nullptr;
    return registry::find(fd);
}

// True when a hook must look closer at fd (a divert socket or one of our internal fds).
inline bool watching() { return !inside_library() && registry::maybe_any(); }

// socket(AF_INET, SOCK_RAW | flags, IPPROTO_DIVERT) (domain AF_INET) or
// socket(PF_DIVERT, SOCK_RAW | flags, 0) (domain PF_DIVERT, FreeBSD semantics). An AF_INET
// socket takes FreeBSD semantics when $LIBDIVERT_SEMANTICS is "freebsd" ("linux22" or unset:
// 2.2's; anything else: EINVAL). EPERM without CAP_NET_ADMIN and CAP_NET_RAW (binding a queue
// needs the first, injecting the second).
int open_socket(int domain, int type);

int close_fd(int fd);
// After a successful dup-style call created newfd as a copy of oldfd: newfd, or -1/ENOMEM
// when it could not be registered (newfd is closed again then).
int after_dup(int oldfd, int newfd);
// Before dup2/dup3 replaces newfd: EBADF for our internal fds; releases a divert socket whose
// last descriptor newfd was. 0 or -1/errno.
int before_replace(int newfd);

}  // namespace divert
