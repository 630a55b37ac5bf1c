// The IP_FW_* setsockopt API lives in libdivert/fwapi (another module). The setsockopt hook
// hands it the 2.2 calls; declared weak so libdivert still links and runs (forwarding such
// calls to libc) while that module is absent.
#pragma once

#include <sys/socket.h>

extern "C" int divert_fwapi_setsockopt(int fd, int optname, const void* val, socklen_t len,
                                       int* handled) __attribute__((weak));
extern "C" int divert_fwapi_getsockopt(int fd, int optname, void* val, socklen_t* len,
                                       int* handled) __attribute__((weak));

namespace divert {

// True for a call that can only be the 2.2 IP_FW_* API: level IPPROTO_IP, optname 64..76 and
// one of the 2.2 structure sizes. libiptc's IPT_SO_* calls share the numbers but are far larger.
bool is_ipfw_call(int level, int optname, socklen_t len);
// getsockopt: every 64..76 on IPPROTO_IP goes to the module, which leaves libiptc's to libc.
inline bool is_ipfw_get(int level, int optname) { return level == 0 /* IPPROTO_IP */ && optname >= 64 && optname <= 76; }

}  // namespace divert
