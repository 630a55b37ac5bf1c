#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/gather.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT ssize_t sendmsg(int fd, const struct msghdr* msg, int flags)
{
    return divert::c_entry([&]() -> ssize_t {
        if (auto s = divert::hooked(fd)) {
            size_t len = 0;
            const uint8_t* buf = divert::gather(msg->msg_iov, msg->msg_iovlen, &len);
            if (buf == nullptr) return -1;
            return s->send(fd, buf, len, flags, static_cast<const sockaddr*>(msg->msg_name),
                           msg->msg_name ? msg->msg_namelen : 0);
        }
        return DIVERT_REAL(sendmsg, fd, msg, flags);
    });
}
