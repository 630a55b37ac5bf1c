#include <cerrno>

#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT int close(int fd)
{
    if (divert::watching()) return divert::close_fd(fd);
    return DIVERT_REAL(close, fd);
}
