#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/fwapi_hook.h"
#include "core/libc.h"

namespace {

bool is_inet(int fd)
{
    int domain = 0;
    socklen_t len = sizeof domain;
    return DIVERT_REAL(getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 &&
           domain == AF_INET;
}

}  // namespace

extern "C" DIVERT_EXPORT int getsockopt(int fd, int level, int name, void* val, socklen_t* len)
{
    return divert::c_entry([&]() -> int {
        auto s = divert::hooked(fd);
        if (!divert::inside_library() && divert_fwapi_getsockopt != nullptr &&
            divert::is_ipfw_get(level, name) && (s || is_inet(fd))) {
            divert::Guard g;
            int handled = 0;
            const int rc = divert_fwapi_getsockopt(fd, name, val, len, &handled);
            if (handled) return rc;
        }
        if (s) return s->getsockopt(fd, level, name, val, len);
        return DIVERT_REAL(getsockopt, fd, level, name, val, len);
    });
}
