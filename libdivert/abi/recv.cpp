#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT ssize_t recv(int fd, void* buf, size_t len, int flags)
{
    return divert::c_entry([&]() -> ssize_t {
        if (auto s = divert::hooked(fd)) {
            const iovec iov{buf, len};
            return s->recv(fd, &iov, 1, flags, nullptr, nullptr, nullptr);
        }
        return DIVERT_REAL(recv, fd, buf, len, flags);
    });
}
