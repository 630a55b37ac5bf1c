#include <cerrno>

#include <unistd.h>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT ssize_t read(int fd, void* buf, size_t len)
{
    return divert::c_entry([&]() -> ssize_t {
        if (auto s = divert::hooked(fd)) {
            const iovec iov{buf, len};
            return s->recv(fd, &iov, 1, 0, nullptr, nullptr, nullptr);
        }
        return DIVERT_REAL(read, fd, buf, len);
    });
}
