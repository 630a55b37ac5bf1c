/* The compat <linux/ip_fw.h> included first, with nothing before it (it must be self-
 * sufficient), then the HOWTO's own redefinition of IPPROTO_DIVERT, which must be accepted. */
#include <linux/ip_fw.h>
#include <stddef.h>
#include <string.h>

#define IPPROTO_DIVERT 254

#include "layout_checks.h"

LAYOUT_CHECKS(_Static_assert);

int main(void)
{
    /* Label macros are the exact 2.2 strings. */
    return strcmp(IP_FW_LABEL_BLOCK, "DENY") != 0 || strcmp(IP_FW_LABEL_DIVERT, "DIVERT") != 0 ||
           strcmp(IP_FW_LABEL_MASQUERADE, "MASQ") != 0 || strcmp(IP_FW_PROC_CHAINS, "ip_fwchains") != 0;
}
