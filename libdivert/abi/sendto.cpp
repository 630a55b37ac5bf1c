#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT ssize_t sendto(int fd, const void* buf, size_t len, int flags,
                                        const struct sockaddr* to, socklen_t tolen)
{
    return divert::c_entry([&]() -> ssize_t {
        if (auto s = divert::hooked(fd)) return s->send(fd, buf, len, flags, to, tolen);
        return DIVERT_REAL(sendto, fd, buf, len, flags, to, tolen);
    });
}
