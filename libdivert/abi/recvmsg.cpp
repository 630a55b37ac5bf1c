#include <cerrno>

#include "core/c_entry.h"
#include "core/descriptors.h"
#include "core/export.h"
#include "core/libc.h"

extern "C" DIVERT_EXPORT ssize_t recvmsg(int fd, struct msghdr* msg, int flags)
{
    return divert::c_entry([&]() -> ssize_t {
        if (auto s = divert::hooked(fd)) {
            if (!s->wants_metadata()) {
                msg->msg_controllen = 0;  // no control messages unless DIVERT_METADATA asked
                return s->recv(fd, msg->msg_iov, msg->msg_iovlen, flags,
                               static_cast<sockaddr*>(msg->msg_name), &msg->msg_namelen,
                               &msg->msg_flags);
            }
            divert::Metadata meta;
            const ssize_t n = s->recv(fd, msg->msg_iov, msg->msg_iovlen, flags,
                                      static_cast<sockaddr*>(msg->msg_name), &msg->msg_namelen,
                                      &msg->msg_flags, &meta);
            if (n >= 0) divert::put_cmsgs(msg, meta);
            return n;
        }
        return DIVERT_REAL(recvmsg, fd, msg, flags);
    });
}
