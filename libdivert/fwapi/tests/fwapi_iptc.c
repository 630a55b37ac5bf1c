/*
 * fwapi_iptc: libiptc and the 2.2 API in one process (run under divert-run). iptables reuses
 * option numbers 64 and 65; libdivert must hand libiptc's calls to the kernel untouched while
 * still taking the 2.2 ones (docs/reference/firewall-api.md 11). Prints one line per step.
 * Exit 77 when the kernel has no ip_tables (legacy iptables cannot be tested).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
/* libiptc pulls in glibc's <netinet/ip_icmp.h>; coming first, it makes <linux/ip_fw.h> use
 * that struct icmphdr instead of <linux/icmp.h>'s. */
#include <libiptc/libiptc.h>
#include <linux/ip_fw.h>

#include <errno.h>
#include <linux/netfilter/x_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *err_name(int rc)
{
    return rc == 0 ? "ok" : strerrorname_np(errno);
}

/* A commit of table `filter` through libiptc: IPT_SO_SET_REPLACE + IPT_SO_SET_ADD_COUNTERS. */
static int iptc_step(const char *what, int create)
{
    struct xtc_handle *h = iptc_init("filter");
    if (!h) {
        printf("iptc_init: %s\n", iptc_strerror(errno));
        return -1;
    }
    int ok = create ? iptc_create_chain("fwapiT", h) : iptc_delete_chain("fwapiT", h);
    if (ok) ok = iptc_commit(h);
    printf("%s: %s\n", what, ok ? "ok" : iptc_strerror(errno));
    iptc_free(h);
    return ok ? 0 : -1;
}

int main(void)
{
    int s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (s < 0) {
        printf("socket: %s\n", strerrorname_np(errno));
        return 1;
    }
    struct xtc_handle *probe = iptc_init("filter");
    if (!probe && (errno == ENOPROTOOPT || errno == ENOENT || errno == EAFNOSUPPORT)) {
        printf("no ip_tables: %s\n", iptc_strerror(errno));
        return 77;
    }
    if (probe) iptc_free(probe);

    iptc_step("iptc create chain", 1);

    /* A 2.2 call in between goes to the emulation. */
    struct ip_fwchange c;
    memset(&c, 0, sizeof c);
    c.fwc_rule.ipfw.fw_proto = IPPROTO_UDP;
    c.fwc_rule.ipfw.fw_spts[1] = 0xFFFF;
    c.fwc_rule.ipfw.fw_dpts[0] = c.fwc_rule.ipfw.fw_dpts[1] = 9999;
    c.fwc_rule.ipfw.fw_tosand = 0xFF;
    strcpy(c.fwc_rule.label, IP_FW_LABEL_BLOCK);
    strcpy(c.fwc_label, IP_FW_LABEL_INPUT);
    printf("2.2 append: %s\n", err_name(setsockopt(s, IPPROTO_IP, IP_FW_APPEND, &c, sizeof c)));

    /* IPT_SO_SET_ADD_COUNTERS with 2 counters is 72 bytes, a 2.2 struct length. The kernel
     * answers ENOENT for an unknown table; the emulation would have said EINVAL. */
    unsigned char buf[sizeof(struct xt_counters_info) + 2 * sizeof(struct xt_counters)];
    memset(buf, 0, sizeof buf);
    struct xt_counters_info info;
    memset(&info, 0, sizeof info);
    strcpy(info.name, "nosuchtbl");
    info.num_counters = 2;
    memcpy(buf, &info, sizeof info);
    printf("add_counters(%zu bytes): %s\n", sizeof buf,
           err_name(setsockopt(s, IPPROTO_IP, IPT_SO_SET_ADD_COUNTERS, buf, sizeof buf)));

    iptc_step("iptc delete chain", 0);
    printf("2.2 delete: %s\n", err_name(setsockopt(s, IPPROTO_IP, IP_FW_DELETE, &c, sizeof c)));
    return 0;
}
