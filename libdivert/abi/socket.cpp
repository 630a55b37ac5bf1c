#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT int socket(int domain, int type, int protocol)
{
    return divert::c_entry([&]() -> int {
        if (domain == AF_INET && (type & 0xf) == SOCK_RAW && protocol == IPPROTO_DIVERT &&
            !divert::inside_library())
            return divert::open_socket(AF_INET, type);
        // FreeBSD 14's divert(4). PF_DIVERT is no Linux family (divert.h), so nothing else
        // reaches this branch; every other family goes to the kernel untouched.
        if (domain == PF_DIVERT && !divert::inside_library()) {
            if ((type & 0xf) != SOCK_RAW) {
                errno = EPROTOTYPE;
                return -1;
            }
            if (protocol != 0) {
                errno = EPROTONOSUPPORT;
                return -1;
            }
            return divert::open_socket(PF_DIVERT, type);
        }
        return DIVERT_REAL(socket, domain, type, protocol);
    });
}
