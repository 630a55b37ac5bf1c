#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT ssize_t recvmsg(int fd, struct msghdr* msg, int flags)
{
    return divert::c_entry([&]() -> ssize_t {
        if (auto s = divert::hooked(fd)) {
            msg->msg_controllen = 0;  // no control messages on a divert socket
            return s->recv(fd, msg->msg_iov, msg->msg_iovlen, flags,
                           static_cast<sockaddr*>(msg->msg_name), &msg->msg_namelen, &msg->msg_flags);
        }
        return DIVERT_REAL(recvmsg, fd, msg, flags);
    });
}
