#include "fwapi/user_copy.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

namespace divert::fwapi {

namespace {

// A pipe write fails with EFAULT on an unreadable source, like process_vm_readv does; it is
// the fallback where a seccomp policy forbids process_vm_readv.
int copy_through_pipe(void* dst, const void* src, std::size_t len)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) return errno;
    int err = 0;
    ssize_t w = write(p[1], src, len);
    if (w < 0)
        err = errno;
    else if (static_cast<std::size_t>(w) != len || read(p[0], dst, len) != w)
        err = EFAULT;
    close(p[0]);
    close(p[1]);
    return err;
}

}  // namespace

int copy_from_user(void* dst, const void* src, std::size_t len)
{
    if (len == 0) return 0;
    if (src == nullptr) return EFAULT;
    struct iovec local = {dst, len};
    struct iovec remote = {const_cast<void*>(src), len};
    ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (n == static_cast<ssize_t>(len)) return 0;
    if (n >= 0 || errno == EFAULT) return EFAULT;
    return copy_through_pipe(dst, src, len);
}

}  // namespace divert::fwapi
