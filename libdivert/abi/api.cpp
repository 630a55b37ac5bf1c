// The divert_* API of divert.h: validate the handle, forward to the core, -1/errno.
#include <cerrno>
#include <cstring>

#include <unistd.h>

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

}  // namespace

extern "C" DIVERT_EXPORT int divert_open(unsigned short port, int flags)
{
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
        errno = EINVAL;
        return -1;
    }
    const int fd = divert::open_socket(SOCK_RAW | flags);
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
}

extern "C" DIVERT_EXPORT int divert_recv_batch(int fd, struct divert_packet* pkts, unsigned int n,
                                               int flags)
{
    auto s = lookup(fd);
    if (!s) return -1;
    if (pkts == nullptr && n != 0) {
        errno = EFAULT;
        return -1;
    }
    unsigned got = 0;
    while (got < n) {
        divert_packet& p = pkts[got];
        const iovec iov{p.data, p.size};
        socklen_t alen = sizeof p.addr;
        int mflags = 0;
        const int f = got == 0 ? (flags & MSG_DONTWAIT) : MSG_DONTWAIT;
        ssize_t r = s->recv(fd, &iov, 1, f | MSG_TRUNC, reinterpret_cast<sockaddr*>(&p.addr), &alen,
                            &mflags);
        if (r < 0) {
            if (got == 0) return -1;
            break;
        }
        p.orig_len = static_cast<size_t>(r);
        p.len = p.orig_len < p.size ? p.orig_len : p.size;
        p.flags = mflags;
        ++got;
    }
    return static_cast<int>(got);
}

extern "C" DIVERT_EXPORT int divert_send_batch(int fd, const struct divert_packet* pkts,
                                               unsigned int n, int flags)
{
    auto s = lookup(fd);
    if (!s) return -1;
    unsigned sent = 0;
    for (; sent < n; ++sent) {
        const divert_packet& p = pkts[sent];
        const bool addressed = p.addr.sin_family != 0;
        if (s->send(fd, p.data, p.len, flags, addressed ? reinterpret_cast<const sockaddr*>(&p.addr) : nullptr,
                    addressed ? sizeof p.addr : 0) < 0) {
            if (sent == 0) return -1;
            break;
        }
    }
    return static_cast<int>(sent);
}

extern "C" DIVERT_EXPORT int divert_flush(int fd)
{
    auto s = lookup(fd);
    return s ? s->flush(fd) : -1;
}

extern "C" DIVERT_EXPORT int divert_get_stats(int fd, struct divert_stats* st, size_t size)
{
    auto s = lookup(fd);
    if (!s) return -1;
    if (st == nullptr) {
        errno = EFAULT;
        return -1;
    }
    const divert_stats v = s->stats();
    std::memcpy(st, &v, size < sizeof v ? size : sizeof v);
    return 0;
}
