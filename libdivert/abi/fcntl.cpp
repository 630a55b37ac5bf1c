// fcntl and fcntl64 (what glibc >= 2.28 headers call with _FILE_OFFSET_BITS=64): F_DUPFD and
// F_DUPFD_CLOEXEC make a copy of a divert socket; everything else, O_NONBLOCK included, acts on
// the real descriptor directly.
#include <cerrno>
#include <cstdarg>

#include <fcntl.h>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

namespace {

int after(int fd, int cmd, int rc)
{
    if (rc >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && divert::watching())
        return divert::after_dup(fd, rc);
    return rc;
}

}  // namespace

// Every fcntl argument fits a pointer-sized slot on Linux ABIs; pass it on unchanged.
extern "C" DIVERT_EXPORT int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void* arg = va_arg(ap, void*);
    va_end(ap);
    return divert::c_entry(
        [&]() -> int { return after(fd, cmd, DIVERT_REAL(fcntl, fd, cmd, arg)); });
}

extern "C" DIVERT_EXPORT int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void* arg = va_arg(ap, void*);
    va_end(ap);
    return divert::c_entry(
        [&]() -> int { return after(fd, cmd, DIVERT_REAL(fcntl64, fd, cmd, arg)); });
}
