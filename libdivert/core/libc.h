// The real libc functions behind our hooks, resolved once with dlsym(RTLD_NEXT) under
// pthread_once from whichever hook runs first (another library's constructor may call a hook
// before ours has run). A lookup that fails, or that finds our own hook again, leaves the
// pointer null and the call fails with ENOSYS: a library must not abort its host program.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

namespace divert {

struct Libc {
    int (*socket)(int, int, int);
    int (*bind)(int, const sockaddr*, socklen_t);
    int (*close)(int);
    int (*dup)(int);
    int (*dup2)(int, int);
    int (*dup3)(int, int, int);
    int (*fcntl)(int, int, ...);
    int (*fcntl64)(int, int, ...);
    ssize_t (*recv)(int, void*, size_t, int);
    ssize_t (*recvfrom)(int, void*, size_t, int, sockaddr*, socklen_t*);
    ssize_t (*recvmsg)(int, msghdr*, int);
    ssize_t (*read)(int, void*, size_t);
    ssize_t (*readv)(int, const iovec*, int);
    ssize_t (*send)(int, const void*, size_t, int);
    ssize_t (*sendto)(int, const void*, size_t, int, const sockaddr*, socklen_t);
    ssize_t (*sendmsg)(int, const msghdr*, int);
    ssize_t (*write)(int, const void*, size_t);
    ssize_t (*writev)(int, const iovec*, int);
    int (*setsockopt)(int, int, int, const void*, socklen_t);
    int (*getsockopt)(int, int, int, void*, socklen_t*);
    int (*getsockname)(int, sockaddr*, socklen_t*);
    int (*getpeername)(int, sockaddr*, socklen_t*);
    ssize_t (*read_chk)(int, void*, size_t, size_t);
    ssize_t (*recv_chk)(int, void*, size_t, size_t, int);
    ssize_t (*recvfrom_chk)(int, void*, size_t, size_t, int, sockaddr*, socklen_t*);
};

// Never null; individual members may be null (see above), so call through real().
const Libc& libc();

}  // namespace divert

// Calls the real function, or fails with ENOSYS when it could not be resolved.
#define DIVERT_REAL(name, ...)                                                   \
    (::divert::libc().name ? ::divert::libc().name(__VA_ARGS__)                 \
                           : (errno = ENOSYS, static_cast<decltype(::divert::libc().name(__VA_ARGS__))>(-1)))
