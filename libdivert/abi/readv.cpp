#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT ssize_t readv(int fd, const struct iovec* iov, int iovcnt)
{
    return divert::c_entry([&]() -> ssize_t {
        if (auto s = divert::hooked(fd))
            return s->recv(fd, iov, iovcnt < 0 ? 0 : static_cast<size_t>(iovcnt), 0, nullptr,
                           nullptr, nullptr);
        return DIVERT_REAL(readv, fd, iov, iovcnt);
    });
}
