#include <cerrno>

#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT int bind(int fd, const struct sockaddr* addr, socklen_t len)
{
    if (auto s = divert::hooked(fd)) return s->bind(fd, addr, len);
    return DIVERT_REAL(bind, fd, addr, len);
}
