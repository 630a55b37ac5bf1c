#include "backend/iptc/xtables_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>

namespace ipchains::backend::iptc {

Result<XtablesLock> XtablesLock::acquire(int wait_ms)
{
    const char* path = getenv("XTABLES_LOCKFILE");
    if (path == nullptr || *path == '\0') path = "/run/xtables.lock";
    int fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) return XtablesLock(-1);
    constexpr int kStepMs = 5;
    for (int waited = 0;; waited += kStepMs) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) return XtablesLock(fd);
        if (errno != EWOULDBLOCK && errno != EINTR) {
            close(fd);
            return XtablesLock(-1);
        }
        if (waited >= wait_ms) break;
        timespec ts{0, kStepMs * 1000000L};
        nanosleep(&ts, nullptr);
    }
    close(fd);
    return Error::kernel(EAGAIN, std::string("another program holds the xtables lock (") + path +
                                     ")");
}

XtablesLock::~XtablesLock()
{
    if (fd_ >= 0) close(fd_);  // closing the only descriptor releases the flock
}

}  // namespace ipchains::backend::iptc
