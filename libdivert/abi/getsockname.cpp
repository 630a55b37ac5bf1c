#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT int getsockname(int fd, struct sockaddr* addr, socklen_t* len)
{
    return divert::c_entry([&]() -> int {
        if (auto s = divert::hooked(fd)) return s->getsockname(addr, len);
        return DIVERT_REAL(getsockname, fd, addr, len);
    });
}
