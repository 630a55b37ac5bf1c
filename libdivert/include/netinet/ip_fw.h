/*
 * <netinet/ip_fw.h>: some Linux copies of the divert interceptor example include the 2.2
 * ipchains API under this name.  This is NOT FreeBSD's ipfw API (IP_FW_ADD, fw_divert_port):
 * FreeBSD-only source will not compile against it.  Installed only in the divert-compat
 * include directory, so it never shadows a system header for other programs.
 */
#ifndef _DIVERT_COMPAT_NETINET_IP_FW_H
#define _DIVERT_COMPAT_NETINET_IP_FW_H
#include "../linux/ip_fw.h"
#endif
