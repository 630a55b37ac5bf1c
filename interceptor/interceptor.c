/*
 * interceptor: reads packets from a divert socket, shows them and optionally puts them back,
 * in the manner of the Divert Sockets mini-HOWTO's example (section 6.4), written for today's
 * compilers.  Built against libdivert (docs/porting.md covers building the 1999 original).
 *
 *   interceptor [-r] [-f] [-c chain] [-p proto] [-n count] port
 *     -r  reinject every packet (also the default when built with -DREINJECT)
 *     -f  install "-p proto -j DIVERT port" in chain through IP_FW_APPEND at start and
 *         remove it with IP_FW_DELETE on SIGINT/SIGTERM (default with -DFIREWALL)
 *     -c  chain for -f (default output)      -p  protocol for -f (default 1, ICMP)
 *     -n  exit after count packets (0 = run until interrupted)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <linux/ip_fw.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { kBufSize = 65535, kDumpBytes = 40 };

#ifdef REINJECT
static const bool kReinjectDefault = true;
#else
static const bool kReinjectDefault = false;
#endif
#ifdef FIREWALL
static const bool kFirewallDefault = true;
#else
static const bool kFirewallDefault = false;
#endif

struct options {
    unsigned port;
    bool reinject;
    bool firewall;
    const char *chain;
    unsigned proto;
    unsigned long count;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int signo)
{
    (void)signo;
    stop_requested = 1;
}

static void usage(const char *prog)
{
    fprintf(stderr, "Usage: %s [-r] [-f] [-c chain] [-p proto] [-n count] <port number>\n", prog);
}

static bool parse_options(int argc, char **argv, struct options *o)
{
    *o = (struct options){.reinject = kReinjectDefault, .firewall = kFirewallDefault,
                          .chain = IP_FW_LABEL_OUTPUT, .proto = IPPROTO_ICMP};
    int c;
    while ((c = getopt(argc, argv, "rfc:p:n:h")) != -1) {
        switch (c) {
        case 'r': o->reinject = true; break;
        case 'f': o->firewall = true; break;
        case 'c': o->chain = optarg; break;
        case 'p': o->proto = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'n': o->count = strtoul(optarg, NULL, 0); break;
        default: return false;
        }
    }
    if (optind != argc - 1) return false;
    char *end;
    unsigned long port = strtoul(argv[optind], &end, 10);
    if (*end != '\0' || port == 0 || port > 65535) return false;
    o->port = (unsigned)port;
    return strlen(o->chain) <= IP_FW_MAX_LABEL_LENGTH;
}

/* The rule the HOWTO example installs, except that the TOS masks leave TOS alone (the
 * example's zero-filled struct cleared it). */
static struct ip_fwchange divert_rule(const struct options *o)
{
    struct ip_fwchange c;
    memset(&c, 0, sizeof c);
    struct ip_fw *fw = &c.fwc_rule.ipfw;
    fw->fw_proto = (__u16)o->proto;
    fw->fw_redirpt = (__u16)o->port;  /* host order */
    fw->fw_spts[1] = 0xFFFF;
    fw->fw_dpts[1] = 0xFFFF;
    fw->fw_outputsize = 0xFFFF;
    fw->fw_tosand = 0xFF;
    strcpy(c.fwc_rule.label, IP_FW_LABEL_DIVERT);
    strcpy(c.fwc_label, o->chain);
    return c;
}

static void show_packet(const char *prog, const unsigned char *pkt, ssize_t n,
                        const struct sockaddr_in *from)
{
    const struct iphdr *ip = (const struct iphdr *)pkt;
    printf("%s: The packet looks like this:\n", prog);
    for (ssize_t i = 0; i < n && i < kDumpBytes; i++)
        printf("%02x%s", pkt[i], (i + 1) % 16 ? " " : "\n");
    printf("\n");
    if ((size_t)n < sizeof *ip) return;
    struct in_addr a = {ip->saddr};
    printf("%s: Source address: %s\n", prog, inet_ntoa(a));
    a.s_addr = ip->daddr;
    printf("%s: Destination address: %s\n", prog, inet_ntoa(a));
    printf("%s: Receiving IF address: %s\n", prog, inet_ntoa(from->sin_addr));
    printf("%s: Protocol number: %i\n", prog, ip->protocol);
}

/* Outgoing multicast needs an interface: use the sender's address, as the HOWTO did. */
static void prepare_multicast(const char *prog, int fd, const unsigned char *pkt,
                              const struct sockaddr_in *from)
{
    const struct iphdr *ip = (const struct iphdr *)pkt;
    if (!IN_MULTICAST(ntohl(ip->daddr)) || from->sin_addr.s_addr != 0) return;
    struct in_addr ifaddr = {ip->saddr};
    int rc = setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ifaddr, sizeof ifaddr);
    printf("%s: Multicast address! IP_MULTICAST_IF: %s\n", prog, rc == 0 ? "ok" : strerror(errno));
}

int main(int argc, char **argv)
{
    const char *prog = argv[0];
    struct options o;
    if (!parse_options(argc, argv, &o)) {
        usage(prog);
        return 2;
    }

    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot open a divert socket: %s\n", prog, strerror(errno));
        return 1;
    }
    struct sockaddr_in bind_port = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o.port)};
    if (bind(fd, (struct sockaddr *)&bind_port, sizeof bind_port) != 0) {
        fprintf(stderr, "%s: bind(): %s\n", prog, strerror(errno));
        return 1;
    }

    /* No SA_RESTART: a signal must end the blocking recvfrom. */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int fw_sock = -1;
    struct ip_fwchange rule = divert_rule(&o);
    if (o.firewall) {
        fw_sock = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
        if (fw_sock < 0) {
            fprintf(stderr, "%s: could not create a raw socket: %s\n", prog, strerror(errno));
            return 1;
        }
        if (setsockopt(fw_sock, IPPROTO_IP, IP_FW_APPEND, &rule, sizeof rule) != 0) {
            fprintf(stderr, "%s: could not set rule: %s\n", prog, strerror(errno));
            return 1;
        }
        printf("%s: rule installed: -A %s -p %u -j DIVERT %u\n", prog, o.chain, o.proto, o.port);
    }

    printf("%s: Waiting for data...\n", prog);
    fflush(stdout);
    static unsigned char packet[kBufSize];
    unsigned long seen = 0;
    int status = 0;
    while (!stop_requested && (o.count == 0 || seen < o.count)) {
        struct sockaddr_in from;
        socklen_t fromlen = sizeof from;
        ssize_t n = recvfrom(fd, packet, sizeof packet, 0, (struct sockaddr *)&from, &fromlen);
        if (n < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "%s: recvfrom: %s\n", prog, strerror(errno));
            status = 1;
            break;
        }
        ++seen;
        show_packet(prog, packet, n, &from);
        if (o.reinject) {
            prepare_multicast(prog, fd, packet, &from);
            printf("%s: Reinjecting DIVERT %zd bytes\n", prog, n);
            ssize_t sent = sendto(fd, packet, (size_t)n, 0, (struct sockaddr *)&from, fromlen);
            if (sent < 0)
                printf("%s: Oops: %s\n", prog, strerror(errno));
            else
                printf("%s: %zd bytes reinjected.\n", prog, sent);
        }
        fflush(stdout);
    }

    if (fw_sock >= 0) {
        if (setsockopt(fw_sock, IPPROTO_IP, IP_FW_DELETE, &rule, sizeof rule) != 0) {
            fprintf(stderr, "%s: could not remove rule: %s\n", prog, strerror(errno));
            status = 1;
        } else {
            printf("%s: rule removed\n", prog);
        }
        close(fw_sock);
    }
    close(fd);
    return status;
}
