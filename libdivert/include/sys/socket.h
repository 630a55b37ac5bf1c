/*
 * <sys/socket.h> for divert programs: FreeBSD 14 programs open divert sockets with
 * socket(PF_DIVERT, SOCK_RAW, 0) and get PF_DIVERT from this header, which glibc's lacks.
 * Only the divert-compat include directory that `pkg-config --cflags libdivert` puts first
 * holds this wrapper: programs that do not ask for libdivert keep the plain system header.
 */
#ifndef _DIVERT_COMPAT_SYS_SOCKET_H
#define _DIVERT_COMPAT_SYS_SOCKET_H

#if defined(__GNUC__)
#pragma GCC system_header
#endif

#include_next <sys/socket.h>

/* Not FreeBSD's 44 (AF_XDP on Linux): a value no Linux address family uses, so AF_XDP
 * sockets stay AF_XDP sockets (docs/divert.7 "FreeBSD semantics"). The same replacement list
 * as in <divert.h>, so including both is a valid redefinition. */
#ifndef PF_DIVERT
#define PF_DIVERT 254
#endif
#ifndef AF_DIVERT
#define AF_DIVERT PF_DIVERT
#endif

#endif
