#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT ssize_t recvfrom(int fd, void* buf, size_t len, int flags,
                                          struct sockaddr* from, socklen_t* fromlen)
{
    return divert::c_entry([&]() -> ssize_t {
        if (auto s = divert::hooked(fd)) {
            const iovec iov{buf, len};
            return s->recv(fd, &iov, 1, flags, from, fromlen, nullptr);
        }
        return DIVERT_REAL(recvfrom, fd, buf, len, flags, from, fromlen);
    });
}
