// _FORTIFY_SOURCE builds call these instead of read/recv/recvfrom. An overflowing call is
// passed to the real checker, which reports it as it would without us.
#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT ssize_t __read_chk(int fd, void* buf, size_t len, size_t buflen)
{
    return divert::c_entry([&]() -> ssize_t {
        if (len <= buflen)
            if (auto s = divert::hooked(fd)) {
                const iovec iov{buf, len};
                return s->recv(fd, &iov, 1, 0, nullptr, nullptr, nullptr);
            }
        return DIVERT_REAL(read_chk, fd, buf, len, buflen);
    });
}

extern "C" DIVERT_EXPORT ssize_t __recv_chk(int fd, void* buf, size_t len, size_t buflen, int flags)
{
    return divert::c_entry([&]() -> ssize_t {
        if (len <= buflen)
            if (auto s = divert::hooked(fd)) {
                const iovec iov{buf, len};
                return s->recv(fd, &iov, 1, flags, nullptr, nullptr, nullptr);
            }
        return DIVERT_REAL(recv_chk, fd, buf, len, buflen, flags);
    });
}

extern "C" DIVERT_EXPORT ssize_t __recvfrom_chk(int fd, void* buf, size_t len, size_t buflen,
                                                int flags, struct sockaddr* from,
                                                socklen_t* fromlen)
{
    return divert::c_entry([&]() -> ssize_t {
        if (len <= buflen)
            if (auto s = divert::hooked(fd)) {
                const iovec iov{buf, len};
                return s->recv(fd, &iov, 1, flags, from, fromlen, nullptr);
            }
        return DIVERT_REAL(recvfrom_chk, fd, buf, len, buflen, flags, from, fromlen);
    });
}
