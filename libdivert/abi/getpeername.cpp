#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

// A divert socket has no peer (FreeBSD treats it as connected for writes, but reports none).
extern "C" DIVERT_EXPORT int getpeername(int fd, struct sockaddr* addr, socklen_t* len)
{
    return divert::c_entry([&]() -> int {
        if (divert::hooked(fd)) {
            errno = ENOTCONN;
            return -1;
        }
        return DIVERT_REAL(getpeername, fd, addr, len);
    });
}
