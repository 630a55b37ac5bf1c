// setsockopt: the 2.2 IP_FW_* calls (on any AF_INET socket) go to the fwapi module; options on
// a divert socket to the socket; everything else, libiptc's IPT_SO_* included, to libc.
#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/fwapi_hook.h"
#include "core/libc.h"

namespace {

bool is_inet(int fd)
{
    if (divert::hooked(fd)) return true;
    int domain = 0;
    socklen_t len = sizeof domain;
    return DIVERT_REAL(getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 &&
           domain == AF_INET;
}

}  // namespace

extern "C" DIVERT_EXPORT int setsockopt(int fd, int level, int name, const void* val,
                                        socklen_t len)
{
    return divert::c_entry([&]() -> int {
        if (!divert::inside_library() && divert_fwapi_setsockopt != nullptr &&
            divert::is_ipfw_call(level, name, len) && is_inet(fd)) {
            divert::Guard g;
            int handled = 0;
            const int rc = divert_fwapi_setsockopt(fd, name, val, len, &handled);
            if (handled) return rc;
        }
        if (auto s = divert::hooked(fd)) return s->setsockopt(fd, level, name, val, len);
        return DIVERT_REAL(setsockopt, fd, level, name, val, len);
    });
}
