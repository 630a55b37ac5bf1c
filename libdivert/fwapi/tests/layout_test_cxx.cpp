// The compat header from C++, after the HOWTO's prerequisite headers.
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <net/if.h>
#include <linux/types.h>
#include <linux/icmp.h>
#include <linux/ip_fw.h>
#include <linux/ip_fwchains.h>
#include <netinet/ip_fw.h>

#include <cstddef>
#include <cstring>

#include "layout_checks.h"

LAYOUT_CHECKS(static_assert);

int main()
{
    return std::strcmp(IP_FW_LABEL_QUEUE, "QUEUE") != 0;
}
