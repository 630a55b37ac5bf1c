// The divert_* API of divert.h: validate the handle, forward to the core, -1/errno.
#include <cerrno>
#include <cstring>

#include <unistd.h>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"
#include "divert.h"

namespace {

std::shared_ptr<divert::DivertSocket> lookup(int fd)
{
    auto s = divert::registry::find(fd);
    if (!s) errno = ENOTSOCK;
    return s;
}

// The socket for a batch call, or null with errno set (ENOTSOCK, EFAULT for no array).
std::shared_ptr<divert::DivertSocket> batch_socket(int fd, const void* pkts, unsigned n)
{
    auto s = lookup(fd);
    if (s && pkts == nullptr && n != 0) {
        errno = EFAULT;
        return nullptr;
    }
    return s;
}

}  // namespace

extern "C" DIVERT_EXPORT int divert_open(unsigned short port, int flags)
{
    return divert::c_entry([&]() -> int {
        if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
            errno = EINVAL;
            return -1;
        }
        const int fd = divert::open_socket(AF_INET, SOCK_RAW | flags);
        if (fd < 0) return -1;
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_port = htons(port);
        if (divert::registry::find(fd)->bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) < 0) {
            const int err = errno;
            divert::close_fd(fd);
            errno = err;
            return -1;
        }
        return fd;
    });
}

extern "C" DIVERT_EXPORT int divert_recv_batch(int fd, struct divert_packet* pkts, unsigned int n,
                                               int flags)
{
    return divert::c_entry([&]() -> int {
        auto s = batch_socket(fd, pkts, n);
        return s ? s->recv_batch(fd, pkts, n, flags) : -1;
    });
}

extern "C" DIVERT_EXPORT int divert_send_batch(int fd, const struct divert_packet* pkts,
                                               unsigned int n, int flags)
{
    return divert::c_entry([&]() -> int {
        auto s = batch_socket(fd, pkts, n);
        return s ? s->send_batch(fd, pkts, n, flags) : -1;
    });
}

extern "C" DIVERT_EXPORT int divert_flush(int fd)
{
    return divert::c_entry([&]() -> int {
        auto s = lookup(fd);
        return s ? s->flush(fd) : -1;
    });
}

extern "C" DIVERT_EXPORT int divert_get_stats(int fd, struct divert_stats* st, size_t size)
{
    return divert::c_entry([&]() -> int {
        auto s = lookup(fd);
        if (!s) return -1;
        if (st == nullptr) {
            errno = EFAULT;
            return -1;
        }
        const divert_stats v = s->stats();
        std::memcpy(st, &v, size < sizeof v ? size : sizeof v);
        return 0;
    });
}
