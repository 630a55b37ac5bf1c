#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/gather.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT ssize_t writev(int fd, const struct iovec* iov, int iovcnt)
{
    return divert::c_entry([&]() -> ssize_t {
        if (auto s = divert::hooked(fd)) {
            size_t len = 0;
            const size_t n = iovcnt < 0 ? 0 : static_cast<size_t>(iovcnt);
            const uint8_t* buf = divert::gather(iov, n, &len);
            if (buf == nullptr) return -1;
            return s->send(fd, buf, len, 0, nullptr, 0);
        }
        return DIVERT_REAL(writev, fd, iov, iovcnt);
    });
}
