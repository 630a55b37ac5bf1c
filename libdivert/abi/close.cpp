#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT int close(int fd)
{
    return divert::c_entry([&]() -> int {
        if (divert::watching()) return divert::close_fd(fd);
        return DIVERT_REAL(close, fd);
    });
}
