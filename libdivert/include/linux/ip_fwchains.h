/* <linux/ip_fwchains.h>: the name ipfw(4) gives for the 2.2 ipchains API; same as <linux/ip_fw.h>. */
#ifndef _DIVERT_COMPAT_LINUX_IP_FWCHAINS_H
#define _DIVERT_COMPAT_LINUX_IP_FWCHAINS_H
#include "ip_fw.h"
#endif
