/*
 * fwapi_sockopt: one or more 2.2 IP_FW_* setsockopt calls from the command line, for the
 * kernel suites.  Built against the compat <linux/ip_fw.h>, NOT linked with libdivert: the
 * suites run it under divert-run, the way an old binary is run.
 *
 *   fwapi_sockopt CALL [; CALL ...]       each call prints "ok" or the errno name, one line
 *
 *   append|delete CHAIN TARGET [key=value ...]
 *   insert|replace CHAIN NUM TARGET [key=value ...]
 *   delnum CHAIN NUM          flush|zero|create|delchain LABEL      policy CHAIN POLICY
 *   check CHAIN [proto= src= dst= sport= dport= iface= syn=1 frag=1 ihl=]
 *   masqtimeouts TCP TCPFIN UDP     raw OPTNAME LEN     efault OPTNAME LEN
 *   getsockopt OPTNAME
 * Rule keys: proto src smsk dst dmsk sport=LO:HI dport=LO:HI redir iface flags invflags
 * tosand tosxor mark outsize (zero-filled struct otherwise, like the HOWTO's; ports default
 * to 0:65535).  The firewall socket is socket(AF_INET, SOCK_RAW, IPPROTO_RAW); with
 * FWAPI_SOCKET=udp it is a UDP socket (2.2 accepted any AF_INET socket).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <linux/ip_fw.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fw_sock = -1;

static void report(int rc)
{
    if (rc == 0)
        puts("ok");
    else
        puts(strerrorname_np(errno) ? strerrorname_np(errno) : "E?");
}

/* Copies at most n bytes of s into a zeroed field: unterminated when s is that long (the
 * suites use this to send labels without a NUL). */
static void set_field(char *dst, size_t n, const char *s)
{
    size_t len = strlen(s);
    memset(dst, 0, n);
    memcpy(dst, s, len < n ? len : n);
}

static void set_label(char *dst, const char *s)
{
    set_field(dst, sizeof(ip_chainlabel), s);
}

static unsigned long num(const char *s)
{
    return strtoul(s, NULL, 0);
}

static void range(__u16 r[2], const char *s)
{
    const char *colon = strchr(s, ':');
    r[0] = (__u16)num(s);
    r[1] = colon ? (__u16)num(colon + 1) : r[0];
}

static int rule_key(struct ip_fw *fw, const char *kv)
{
    const char *v = strchr(kv, '=');
    if (!v) return -1;
    size_t k = (size_t)(v++ - kv);
#define KEY(name) (k == strlen(name) && strncmp(kv, name, k) == 0)
    if (KEY("proto")) fw->fw_proto = (__u16)num(v);
    else if (KEY("src")) inet_aton(v, &fw->fw_src);
    else if (KEY("smsk")) inet_aton(v, &fw->fw_smsk);
    else if (KEY("dst")) inet_aton(v, &fw->fw_dst);
    else if (KEY("dmsk")) inet_aton(v, &fw->fw_dmsk);
    else if (KEY("sport")) range(fw->fw_spts, v);
    else if (KEY("dport")) range(fw->fw_dpts, v);
    else if (KEY("redir")) fw->fw_redirpt = (__u16)num(v);
    else if (KEY("iface")) set_field(fw->fw_vianame, sizeof fw->fw_vianame, v);
    else if (KEY("flags")) fw->fw_flg = (__u16)num(v);
    else if (KEY("invflags")) fw->fw_invflg = (__u16)num(v);
    else if (KEY("tosand")) fw->fw_tosand = (__u8)num(v);
    else if (KEY("tosxor")) fw->fw_tosxor = (__u8)num(v);
    else if (KEY("mark")) fw->fw_mark = (__u32)num(v);
    else if (KEY("outsize")) fw->fw_outputsize = (__u16)num(v);
    else return -1;
#undef KEY
    return 0;
}

static int fill_rule(struct ip_fwuser *u, const char *target, char **kv, int n)
{
    memset(u, 0, sizeof *u);
    u->ipfw.fw_spts[1] = 0xFFFF;
    u->ipfw.fw_dpts[1] = 0xFFFF;
    set_label(u->label, target);
    for (int i = 0; i < n; ++i)
        if (rule_key(&u->ipfw, kv[i]) != 0) {
            fprintf(stderr, "fwapi_sockopt: bad key %s\n", kv[i]);
            return -1;
        }
    return 0;
}

static int check_key(struct ip_fwpkt *p, const char *kv)
{
    const char *v = strchr(kv, '=');
    if (!v) return -1;
    size_t k = (size_t)(v++ - kv);
#define KEY(name) (k == strlen(name) && strncmp(kv, name, k) == 0)
    if (KEY("proto")) p->fwp_iph.protocol = (__u8)num(v);
    else if (KEY("src")) p->fwp_iph.saddr = inet_addr(v);
    else if (KEY("dst")) p->fwp_iph.daddr = inet_addr(v);
    else if (KEY("sport")) p->fwp_protoh.fwp_tcph.source = htons((__u16)num(v));
    else if (KEY("dport")) p->fwp_protoh.fwp_tcph.dest = htons((__u16)num(v));
    else if (KEY("type")) p->fwp_protoh.fwp_icmph.type = (__u8)num(v);
    else if (KEY("code")) p->fwp_protoh.fwp_icmph.code = (__u8)num(v);
    else if (KEY("syn")) p->fwp_protoh.fwp_tcph.syn = num(v) != 0;
    else if (KEY("frag")) p->fwp_iph.frag_off = htons((__u16)num(v));
    else if (KEY("ihl")) p->fwp_iph.ihl = num(v) & 0xF;
    else if (KEY("iface")) set_field(p->fwp_vianame, sizeof p->fwp_vianame, v);
    else return -1;
#undef KEY
    return 0;
}

/* Runs one call from argv[0..n-1]; returns -2 for a usage error. */
static int one_call(char **a, int n)
{
    const char *op = a[0];
    if (n >= 3 && (!strcmp(op, "append") || !strcmp(op, "delete"))) {
        struct ip_fwchange c;
        memset(&c, 0, sizeof c);
        if (fill_rule(&c.fwc_rule, a[2], a + 3, n - 3)) return -2;
        set_label(c.fwc_label, a[1]);
        return setsockopt(fw_sock, IPPROTO_IP, op[0] == 'a' ? IP_FW_APPEND : IP_FW_DELETE, &c,
                          sizeof c);
    }
    if (n >= 4 && (!strcmp(op, "insert") || !strcmp(op, "replace"))) {
        struct ip_fwnew w;
        memset(&w, 0, sizeof w);
        w.fwn_rulenum = (__u32)num(a[2]);
        if (fill_rule(&w.fwn_rule, a[3], a + 4, n - 4)) return -2;
        set_label(w.fwn_label, a[1]);
        return setsockopt(fw_sock, IPPROTO_IP, op[0] == 'i' ? IP_FW_INSERT : IP_FW_REPLACE, &w,
                          sizeof w);
    }
    if (n == 3 && !strcmp(op, "delnum")) {
        struct ip_fwdelnum d;
        memset(&d, 0, sizeof d);
        d.fwd_rulenum = (__u32)num(a[2]);
        set_label(d.fwd_label, a[1]);
        return setsockopt(fw_sock, IPPROTO_IP, IP_FW_DELETE_NUM, &d, sizeof d);
    }
    if (n == 2) {
        int opt = !strcmp(op, "flush") ? IP_FW_FLUSH : !strcmp(op, "zero") ? IP_FW_ZERO
                : !strcmp(op, "create") ? IP_FW_CREATECHAIN
                : !strcmp(op, "delchain") ? IP_FW_DELETECHAIN : -1;
        if (!strcmp(op, "getsockopt")) {
            char buf[84];
            socklen_t len = sizeof buf;
            return getsockopt(fw_sock, IPPROTO_IP, (int)num(a[1]), buf, &len);
        }
        if (opt >= 0) {
            ip_chainlabel l;
            set_label(l, a[1]);
            return setsockopt(fw_sock, IPPROTO_IP, opt, l, sizeof l);
        }
    }
    if (n == 3 && !strcmp(op, "policy")) {
        struct ip_fwpolicy p;
        set_label(p.fwp_label, a[1]);
        set_label(p.fwp_policy, a[2]);
        return setsockopt(fw_sock, IPPROTO_IP, IP_FW_POLICY, &p, sizeof p);
    }
    if (n >= 2 && !strcmp(op, "check")) {
        struct ip_fwtest t;
        memset(&t, 0, sizeof t);
        t.fwt_packet.fwp_iph.version = 4;
        t.fwt_packet.fwp_iph.ihl = 5;
        t.fwt_packet.fwp_iph.tot_len = 60;  /* host order, as libipfwc sent it */
        set_label(t.fwt_label, a[1]);
        for (int i = 2; i < n; ++i)
            if (check_key(&t.fwt_packet, a[i]) != 0) return -2;
        return setsockopt(fw_sock, IPPROTO_IP, IP_FW_CHECK, &t, sizeof t);
    }
    if (n == 4 && !strcmp(op, "masqtimeouts")) {
        int t[3] = {(int)num(a[1]), (int)num(a[2]), (int)num(a[3])};
        return setsockopt(fw_sock, IPPROTO_IP, IP_FW_MASQ_TIMEOUTS, t, sizeof t);
    }
    if (n == 3 && !strcmp(op, "raw")) {
        unsigned char buf[256];
        memset(buf, 0, sizeof buf);
        size_t len = num(a[2]);
        return setsockopt(fw_sock, IPPROTO_IP, (int)num(a[1]), buf,
                          (socklen_t)(len > sizeof buf ? sizeof buf : len));
    }
    if (n == 3 && !strcmp(op, "efault"))
        return setsockopt(fw_sock, IPPROTO_IP, (int)num(a[1]), (void *)8, (socklen_t)num(a[2]));
    return -2;
}

int main(int argc, char **argv)
{
    const char *kind = getenv("FWAPI_SOCKET");
    if (kind && !strcmp(kind, "udp"))
        fw_sock = socket(AF_INET, SOCK_DGRAM, 0);
    else
        fw_sock = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (fw_sock < 0) {
        printf("socket: %s\n", strerrorname_np(errno));
        return 1;
    }
    int start = 1;
    for (int i = 1; i <= argc; ++i) {
        if (i < argc && strcmp(argv[i], ";") != 0) continue;
        if (i > start) {
            errno = 0;
            int rc = one_call(argv + start, i - start);
            if (rc == -2) {
                fprintf(stderr, "fwapi_sockopt: bad call '%s'\n", argv[start]);
                return 2;
            }
            report(rc);
        }
        start = i + 1;
    }
    return 0;
}
