#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT ssize_t send(int fd, const void* buf, size_t len, int flags)
{
    return divert::c_entry([&]() -> ssize_t {
        if (auto s = divert::hooked(fd)) return s->send(fd, buf, len, flags, nullptr, 0);
        return DIVERT_REAL(send, fd, buf, len, flags);
    });
}
