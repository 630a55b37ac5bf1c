// dup, dup2, dup3: the copy refers to the same divert socket.
#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

namespace {

int replace(int oldfd, int newfd, int flags, bool is_dup3)
{
    if (!divert::watching() || oldfd == newfd)
        return is_dup3 ? DIVERT_REAL(dup3, oldfd, newfd, flags) : DIVERT_REAL(dup2, oldfd, newfd);
    if (DIVERT_REAL(fcntl, oldfd, F_GETFD) < 0) return -1;  // fail before touching newfd
    if (divert::before_replace(newfd) < 0) return -1;
    int rc = is_dup3 ? DIVERT_REAL(dup3, oldfd, newfd, flags) : DIVERT_REAL(dup2, oldfd, newfd);
    return rc >= 0 ? divert::after_dup(oldfd, rc) : rc;
}

}  // namespace

extern "C" DIVERT_EXPORT int dup(int fd)
{
    return divert::c_entry([&]() -> int {
        int rc = DIVERT_REAL(dup, fd);
        return rc >= 0 && divert::watching() ? divert::after_dup(fd, rc) : rc;
    });
}

extern "C" DIVERT_EXPORT int dup2(int oldfd, int newfd)
{
    return divert::c_entry([&]() -> int { return replace(oldfd, newfd, 0, false); });
}

extern "C" DIVERT_EXPORT int dup3(int oldfd, int newfd, int flags)
{
    return divert::c_entry([&]() -> int { return replace(oldfd, newfd, flags, true); });
}
