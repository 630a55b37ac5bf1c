// The Linux 2.2 IP_FW_* setsockopt API (docs/reference/firewall-api.md), called from libdivert's
// setsockopt and getsockopt hooks. Every call runs through the same engine and backend as the
// ipchains command, so a rule added by a program and one added by the command are
// indistinguishable.
#pragma once

#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

// For setsockopt(fd, IPPROTO_IP, optname, val, len) on an AF_INET socket, optname 64..76.
// Sets *handled = 1 and returns 0, or -1 with errno, when the call is a 2.2 firewall command.
// Sets *handled = 0 and returns 0 when the call belongs to someone else (a libiptc
// IPT_SO_SET_* call of the same option number): the caller must pass it to the kernel.
int divert_fwapi_setsockopt(int fd, int optname, const void* val, socklen_t len, int* handled);

// For getsockopt(fd, IPPROTO_IP, optname, ...) with optname 64..76. 2.2 had no readable
// firewall option (state came from /proc), so the 2.2-only numbers 68..76 fail with
// ENOPROTOOPT; 64..67 are libiptc's IPT_SO_GET_* and are left to the kernel (*handled = 0).
int divert_fwapi_getsockopt(int fd, int optname, void* val, socklen_t* len, int* handled);

#ifdef __cplusplus
}
#endif
