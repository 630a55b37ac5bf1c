#include <cerrno>

#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT int getsockname(int fd, struct sockaddr* addr, socklen_t* len)
{
    if (auto s = divert::hooked(fd)) return s->getsockname(addr, len);
    return DIVERT_REAL(getsockname, fd, addr, len);
}
