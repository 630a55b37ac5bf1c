#include <cerrno>

#include <unistd.h>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT ssize_t write(int fd, const void* buf, size_t len)
{
    return divert::c_entry([&]() -> ssize_t {
        if (auto s = divert::hooked(fd)) return s->send(fd, buf, len, 0, nullptr, 0);
        return DIVERT_REAL(write, fd, buf, len);
    });
}
