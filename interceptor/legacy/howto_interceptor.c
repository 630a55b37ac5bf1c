/*
 * A 1999-style divert interceptor, equivalent to the Divert Sockets mini-HOWTO's example
 * (section 6.4) and written the way such programs were: it is the compatibility fixture for
 * the installed headers and library, not an example to copy.  Deliberately kept:
 *   - struct ip_fw / ip_fwuser / ip_fwchange globals, labels copied without their NUL
 *     (the zero-initialised globals terminate them), a zero-filled rule (TOS masks 0);
 *   - fw_redirpt = htons(port.sin_port): the divert port in host order on little endian;
 *   - inet_ntoa() called without <arpa/inet.h> (the compat header declares it);
 *   - struct sockaddr_in * passed straight to bind/recvfrom/sendto, an int length;
 *   - IP_MULTICAST_IF on the divert socket, setsockopt from the SIGINT handler.
 * Build: cc -DREINJECT -DFIREWALL howto_interceptor.c `pkg-config --cflags --libs libdivert`
 */
#include <stdio.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/types.h>
#include <signal.h>

#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <net/if.h>
#include <sys/param.h>

#include <linux/types.h>
#include <linux/icmp.h>
#include <linux/ip_fw.h>

#define IPPROTO_DIVERT 254
#define PKTSIZE 65535

char *me;

char *rule_target = "DIVERT";
char *rule_chain = "output";
struct ip_fw rule;
struct ip_fwuser rule_user;
struct ip_fwchange rule_change;
int ctl_sock;

void on_interrupt(int sig)
{
    if (setsockopt(ctl_sock, IPPROTO_IP, IP_FW_DELETE, &rule_change, sizeof(rule_change)) == -1) {
        fprintf(stderr, "%s: rule removal failed: %s\n", me, strerror(errno));
        exit(1);
    }
    fprintf(stderr, "%s: rule removed\n", me);
    exit(0);
}

int main(int argc, char **argv)
{
    int dfd, rc, len, k;
    struct sockaddr_in port, from;
    int fromlen;
    struct iphdr *ip;
    unsigned char pkt[PKTSIZE];
    struct in_addr a;

    me = argv[0];
    if (argc != 2) {
        fprintf(stderr, "Usage: %s <port number>\n", argv[0]);
        exit(1);
    }

    fprintf(stderr, "%s: opening divert socket\n", me);
    dfd = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
    if (dfd == -1) {
        fprintf(stderr, "%s: no divert socket\n", me);
        exit(1);
    }

    port.sin_family = AF_INET;
    port.sin_port = htons(atol(argv[1]));
    port.sin_addr.s_addr = 0;

    fprintf(stderr, "%s: binding\n", me);
    rc = bind(dfd, &port, sizeof(struct sockaddr_in));
    if (rc != 0) {
        fprintf(stderr, "%s: bind failed: %s", me, strerror(rc));
        exit(1);
    }

#ifdef FIREWALL
    bzero(&rule, sizeof(struct ip_fw));
    rule.fw_proto = 1;
    rule.fw_redirpt = htons(port.sin_port);
    rule.fw_spts[0] = 0;
    rule.fw_spts[1] = 0xffff;
    rule.fw_dpts[0] = 0;
    rule.fw_dpts[1] = 0xffff;
    rule.fw_outputsize = 0xffff;

    memcpy(&rule_user.ipfw, &rule, sizeof(struct ip_fw));
    memcpy(rule_user.label, rule_target, strlen(rule_target));

    memcpy(&rule_change.fwc_rule, &rule_user, sizeof(struct ip_fwuser));
    memcpy(rule_change.fwc_label, rule_chain, strlen(rule_chain));

    if ((ctl_sock = socket(AF_INET, SOCK_RAW, IPPROTO_RAW)) == -1) {
        fprintf(stderr, "%s: no raw socket: %s\n", me, strerror(errno));
        exit(1);
    }
    if (setsockopt(ctl_sock, IPPROTO_IP, IP_FW_APPEND, &rule_change, sizeof(rule_change)) == -1) {
        fprintf(stderr, "%s: rule not installed: %s\n", me, strerror(errno));
        exit(1);
    }
    fprintf(stderr, "%s: rule installed\n", me);
    signal(SIGINT, on_interrupt);
#endif

    printf("%s: waiting for packets\n", me);
    fflush(stdout);
    fromlen = sizeof(struct sockaddr_in);
    for (;;) {
        len = recvfrom(dfd, pkt, PKTSIZE, 0, &from, &fromlen);
        ip = (struct iphdr *)pkt;
        printf("%s: got %i bytes:\n", me, len);
        for (k = 0; k < 40; k++) {
            printf("%02x ", (int)*(pkt + k));
            if (!((k + 1) % 16))
                printf("\n");
        }
        printf("\n");
        a.s_addr = ip->saddr;
        printf("%s: from %s\n", me, inet_ntoa(a));
        a.s_addr = ip->daddr;
        printf("%s: to %s\n", me, inet_ntoa(a));
        printf("%s: interface address %s\n", me, inet_ntoa(from.sin_addr));
        printf("%s: protocol %i\n", me, ip->protocol);

#ifdef REINJECT
        if (IN_MULTICAST((ntohl(ip->daddr)))) {
            printf("%s: multicast\n", me);
            a.s_addr = ip->saddr;
            errno = 0;
            if (from.sin_addr.s_addr == 0)
                printf("%s: IP_MULTICAST_IF gives %i, errno %i\n", me,
                       setsockopt(dfd, IPPROTO_IP, IP_MULTICAST_IF, &a, sizeof(a)), errno);
        }
        len = sendto(dfd, pkt, len, 0, &from, fromlen);
        printf("%s: reinjected %i bytes\n", me, len);
        if (len <= 0)
            printf("%s: reinjection failed, errno %i\n", me, errno);
#endif
        fflush(stdout);
    }
    return 0;
}
