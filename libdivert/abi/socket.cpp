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
            return divert::open_socket(type);
        return DIVERT_REAL(socket, domain, type, protocol);
    });
}
