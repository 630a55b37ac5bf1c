/*
 * <netinet/in.h> for divert programs: FreeBSD (and much portable divert code) gets
 * IPPROTO_DIVERT from this header alone, but glibc does not declare it, so such programs
 * fail with "IPPROTO_DIVERT undeclared".  Only the divert-compat include directory that
 * `pkg-config --cflags libdivert` puts first holds this wrapper: programs that do not ask
 * for libdivert keep the plain system header.
 */
#ifndef _DIVERT_COMPAT_NETINET_IN_H
#define _DIVERT_COMPAT_NETINET_IN_H

/* Keeps -Wpedantic quiet about #include_next, as it is in the header this wraps. */
#if defined(__GNUC__)
#pragma GCC system_header
#endif

#include_next <netinet/in.h>

/* Programs write `#define IPPROTO_DIVERT 254` themselves, before or after this include; an
 * identical replacement list is a valid redefinition, so keep this one exactly `254` (as in
 * <divert.h> and <linux/ip_fw.h>) and never an enum member. */
#ifndef IPPROTO_DIVERT
#define IPPROTO_DIVERT 254
#endif

#endif
