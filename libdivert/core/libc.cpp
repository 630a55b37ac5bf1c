#include "core/libc.h"

#include <dlfcn.h>
#include <pthread.h>

namespace divert {
namespace {

Libc g_libc;
pthread_once_t g_once = PTHREAD_ONCE_INIT;

template <typename F>
void resolve(F& slot, const char* name)
{
    void* next = dlsym(RTLD_NEXT, name);
    // A symbol that resolves back into libdivert itself would recurse forever.
    Dl_info info{};
    if (next != nullptr && dladdr(next, &info) != 0 && info.dli_fbase != nullptr) {
        Dl_info self{};
        if (dladdr(reinterpret_cast<void*>(&resolve<F>), &self) != 0 &&
            self.dli_fbase == info.dli_fbase)
            next = nullptr;
    }
    slot = reinterpret_cast<F>(next);
}

void init()
{
    Libc& l = g_libc;
    resolve(l.socket, "socket");
    resolve(l.bind, "bind");
    resolve(l.close, "close");
    resolve(l.dup, "dup");
    resolve(l.dup2, "dup2");
    resolve(l.dup3, "dup3");
    resolve(l.fcntl, "fcntl");
    resolve(l.fcntl64, "fcntl64");
    if (l.fcntl64 == nullptr) l.fcntl64 = l.fcntl;  // glibc < 2.28
    resolve(l.recv, "recv");
    resolve(l.recvfrom, "recvfrom");
    resolve(l.recvmsg, "recvmsg");
    resolve(l.read, "read");
    resolve(l.readv, "readv");
    resolve(l.send, "send");
    resolve(l.sendto, "sendto");
    resolve(l.sendmsg, "sendmsg");
    resolve(l.write, "write");
    resolve(l.writev, "writev");
    resolve(l.setsockopt, "setsockopt");
    resolve(l.getsockopt, "getsockopt");
    resolve(l.getsockname, "getsockname");
    resolve(l.getpeername, "getpeername");
    resolve(l.read_chk, "__read_chk");
    resolve(l.recv_chk, "__recv_chk");
    resolve(l.recvfrom_chk, "__recvfrom_chk");
}

}  // namespace

const Libc& libc()
{
    pthread_once(&g_once, init);
    return g_libc;
}

}  // namespace divert
