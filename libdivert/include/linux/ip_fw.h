/*
 * <linux/ip_fw.h>: the Linux 2.2 ipchains firewall API (IP_FW_* setsockopt), as shipped by
 * libdivert for programs written against the 2.2 kernel header.  libdivert emulates the calls
 * on nftables; see libdivert(3).  Installed under $(includedir)/divert-compat, which
 * `pkg-config --cflags libdivert` puts on the include path.
 *
 * Layout and values are those of Linux 2.2 (every field is at most 4 bytes wide, so ILP32 and
 * LP64 agree).  Addresses and masks are in network byte order; flags, ports, fw_redirpt,
 * fw_mark and rule numbers in host byte order; labels are NUL-terminated within 9 bytes.
 *
 * The 2.2 header included nothing and relied on the program to have included the network
 * headers first.  This one includes what it needs itself, choosing between the glibc and the
 * kernel copy of each header so that it never redefines a struct the program already has,
 * in either include order the 2.2-era programs used.  Only C89 constructs are used here.
 */
#ifndef _DIVERT_COMPAT_LINUX_IP_FW_H
#define _DIVERT_COMPAT_LINUX_IP_FW_H
/* The 2.2 guard, for programs that test it. */
#ifndef _IP_FW_H
#define _IP_FW_H
#endif

#include <errno.h>
#include <linux/types.h>
#include <sys/types.h>
#include <sys/socket.h>
/* Before any <linux/...> network header, so the kernel's libc-compat defers to glibc. */
#include <netinet/in.h>
/* 2.2 programs call inet_ntoa() without declaring it; on LP64 the implicit int truncates the
 * returned pointer and the program crashes when printing. */
#include <arpa/inet.h>

/* IFNAMSIZ.  <linux/if.h> after <net/if.h> is fine, before it is not (IFF_UP redeclared). */
#if !defined(_NET_IF_H) && !defined(_LINUX_IF_H)
#include <net/if.h>
#endif
#ifndef IFNAMSIZ
#define IFNAMSIZ 16
#endif

/* struct iphdr: <linux/ip.h> and <netinet/ip.h> collide; use whichever the program chose. */
#ifndef _LINUX_IP_H
#include <netinet/ip.h>
#endif

/* struct tcphdr: glibc defines it (with the Linux field names) only under __USE_MISC. */
#ifndef _LINUX_TCP_H
#if defined(__USE_MISC)
#include <netinet/tcp.h>
#else
#include <linux/tcp.h>
#endif
#endif

/* struct udphdr */
#ifndef _LINUX_UDP_H
#include <netinet/udp.h>
#endif

/* struct icmphdr: <linux/icmp.h> (what 2.2 programs include) unless glibc's copy was seen,
 * or unless a kernel header came before glibc's <netinet/in.h>: libc-compat then decided
 * that <linux/in6.h>, which <linux/icmp.h> includes, defines struct in6_addr again. */
#if !defined(__NETINET_IP_ICMP_H) && !defined(_NETINET_IP_ICMP_H) && !defined(_LINUX_ICMP_H)
#if defined(__UAPI_DEF_IN6_ADDR) && __UAPI_DEF_IN6_ADDR && !defined(_LINUX_IN6_H)
#include <netinet/ip_icmp.h>
#else
#include <linux/icmp.h>
#endif
#endif

/* Programs write `#define IPPROTO_DIVERT 254` themselves; an identical replacement list is
 * a valid redefinition, so keep this one exactly `254` and never an enum member. */
#ifndef IPPROTO_DIVERT
#define IPPROTO_DIVERT 254
#endif

#define IP_FW_MAX_LABEL_LENGTH 8
typedef char ip_chainlabel[IP_FW_MAX_LABEL_LENGTH + 1];

/* Special targets and built-in chains. */
#define IP_FW_LABEL_FORWARD     "forward"
#define IP_FW_LABEL_INPUT       "input"
#define IP_FW_LABEL_OUTPUT      "output"
#define IP_FW_LABEL_MASQUERADE  "MASQ"
#define IP_FW_LABEL_REDIRECT    "REDIRECT"
#define IP_FW_LABEL_ACCEPT      "ACCEPT"
#define IP_FW_LABEL_BLOCK       "DENY"
#define IP_FW_LABEL_REJECT      "REJECT"
#define IP_FW_LABEL_RETURN      "RETURN"
/* In the 2.2 header, but the 2.2 kernel (and so libdivert) rejects it with ENOENT. */
#define IP_FW_LABEL_QUEUE       "QUEUE"
/* Divert-socket patch: `-j DIVERT <port>`, the port in fw_redirpt (host order). */
#define IP_FW_LABEL_DIVERT      "DIVERT"

/* /proc/net files of 2.2. */
#define IP_FW_PROC_CHAINS       "ip_fwchains"
#define IP_FW_PROC_CHAIN_NAMES  "ip_fwnames"

/* fw_flg */
#define IP_FW_F_PRN      0x0001  /* log matches (-l) */
#define IP_FW_F_TCPSYN   0x0002  /* TCP SYN with ACK and RST clear (-y) */
#define IP_FW_F_FRAG     0x0004  /* second and later fragments (-f) */
#define IP_FW_F_MARKABS  0x0008  /* set fw_mark instead of adding it */
#define IP_FW_F_WILDIF   0x0010  /* fw_vianame is a prefix; set for an empty name */
#define IP_FW_F_NETLINK  0x0020  /* copy to netlink (-o) */
#define IP_FW_F_MASK     0x003F  /* any other bit: EINVAL */

/* fw_invflg */
#define IP_FW_INV_SRCIP  0x0001
#define IP_FW_INV_DSTIP  0x0002
#define IP_FW_INV_PROTO  0x0004
#define IP_FW_INV_SRCPT  0x0008
#define IP_FW_INV_DSTPT  0x0010
#define IP_FW_INV_VIA    0x0020
#define IP_FW_INV_SYN    0x0040
#define IP_FW_INV_FRAG   0x0080

/* setsockopt(fd, IPPROTO_IP, optname, ...) on any AF_INET socket. */
#define IP_FW_BASE_CTL       64
#define IP_FW_APPEND         (IP_FW_BASE_CTL)      /* struct ip_fwchange */
#define IP_FW_REPLACE        (IP_FW_BASE_CTL + 1)  /* struct ip_fwnew */
#define IP_FW_DELETE_NUM     (IP_FW_BASE_CTL + 2)  /* struct ip_fwdelnum */
#define IP_FW_DELETE         (IP_FW_BASE_CTL + 3)  /* struct ip_fwchange */
#define IP_FW_INSERT         (IP_FW_BASE_CTL + 4)  /* struct ip_fwnew */
#define IP_FW_FLUSH          (IP_FW_BASE_CTL + 5)  /* ip_chainlabel */
#define IP_FW_ZERO           (IP_FW_BASE_CTL + 6)  /* ip_chainlabel */
#define IP_FW_CHECK          (IP_FW_BASE_CTL + 7)  /* struct ip_fwtest */
#define IP_FW_MASQ_TIMEOUTS  (IP_FW_BASE_CTL + 8)  /* three ints, in jiffies */
#define IP_FW_CREATECHAIN    (IP_FW_BASE_CTL + 9)  /* ip_chainlabel */
#define IP_FW_DELETECHAIN    (IP_FW_BASE_CTL + 10) /* ip_chainlabel */
#define IP_FW_POLICY         (IP_FW_BASE_CTL + 11) /* struct ip_fwpolicy */
#define IP_FW_MASQ_CTL       (IP_FW_BASE_CTL + 12) /* not emulated: ENOPROTOOPT */

/* IP_FW_CHECK fails with this errno when the packet would be diverted (2.2 had no value for
 * it; ECONNABORTED, ECONNRESET, ECONNREFUSED, ELOOP, ENFILE and ETIMEDOUT keep their 2.2
 * meaning: redirected, masqueraded, rejected, loop, fell off a user chain, denied). */
#define IP_FW_CHECK_DIVERTED_ERRNO EREMOTE

struct ip_fw {
    struct in_addr fw_src, fw_dst;     /* addresses, network order */
    struct in_addr fw_smsk, fw_dmsk;   /* masks, network order; 0 = any */
    __u32 fw_mark;                     /* value to set (IP_FW_F_MARKABS) or add */
    __u16 fw_proto;                    /* IP protocol, 0 = any */
    __u16 fw_flg;                      /* IP_FW_F_* */
    __u16 fw_invflg;                   /* IP_FW_INV_* */
    __u16 fw_spts[2];                  /* source ports / ICMP types, inclusive; any = 0,0xFFFF */
    __u16 fw_dpts[2];                  /* destination ports / ICMP codes */
    __u16 fw_redirpt;                  /* REDIRECT port, or the DIVERT port */
    __u16 fw_outputsize;               /* bytes copied with IP_FW_F_NETLINK */
    char fw_vianame[IFNAMSIZ];         /* interface, "" = any */
    __u8 fw_tosand, fw_tosxor;         /* TOS masks: ipchains sends 0xFF,0x00; 0 clears TOS */
};

struct ip_fwuser {
    struct ip_fw ipfw;
    ip_chainlabel label;               /* target: "", a special target or a user chain */
};

struct ip_fwchange {                   /* IP_FW_APPEND, IP_FW_DELETE */
    struct ip_fwuser fwc_rule;
    ip_chainlabel fwc_label;           /* the chain */
};

struct ip_fwnew {                      /* IP_FW_INSERT, IP_FW_REPLACE */
    __u32 fwn_rulenum;                 /* 1-based */
    struct ip_fwuser fwn_rule;
    ip_chainlabel fwn_label;
};

struct ip_fwdelnum {                   /* IP_FW_DELETE_NUM */
    __u32 fwd_rulenum;
    ip_chainlabel fwd_label;
};

struct ip_fwpolicy {                   /* IP_FW_POLICY */
    ip_chainlabel fwp_policy;          /* ACCEPT, DENY, REJECT, or MASQ (forward only) */
    ip_chainlabel fwp_label;
};

struct ip_fwpkt {                      /* a test packet for IP_FW_CHECK */
    struct iphdr fwp_iph;              /* ihl must be 5 */
    union {
        struct tcphdr fwp_tcph;
        struct udphdr fwp_udph;
        struct icmphdr fwp_icmph;
    } fwp_protoh;
    struct in_addr fwp_via;            /* ignored, as by 2.2 */
    char fwp_vianame[IFNAMSIZ];        /* interface the packet "uses" */
};

struct ip_fwtest {                     /* IP_FW_CHECK */
    struct ip_fwpkt fwt_packet;
    ip_chainlabel fwt_label;           /* chain to start in */
};

/* IP_FW_MASQ_TIMEOUTS takes three ints (tcp, tcp_fin, udp) in jiffies, 0 = unchanged: the
 * kernel's struct ip_fw_masq, deliberately not declared here because 2.2 programs declared
 * their own copy (ipchains: struct masq_timeout). */

#endif /* _DIVERT_COMPAT_LINUX_IP_FW_H */
