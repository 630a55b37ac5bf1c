/* Injection: writes packets that were never diverted.
 *   inject <port> out <src> <dst> <dport> <text>    outbound: sendto with sin_addr 0
 *   inject <port> null <src> <dst> <dport> <text>   outbound: write() (no address)
 *   inject <port> in <via> <src> <dst> <dport> <text>  inbound, as if received on the
 *                                                    interface that has address <via>
 *   inject <port> errors <local> <peer>             prints "<case> <errno name>" per case
 *   inject <port> mcast <ifaddr> <group> <dport>    IP_MULTICAST_IF (three forms), then an
 *                                                    outbound datagram to the group
 * <port> 0 means an unbound socket (allowed, docs/reference/divert-semantics.md 3). */
#include "common.h"
#include <net/if.h>

static const char *ename(int e)
{
	switch (e) {
	case 0: return "OK";
	case EINVAL: return "EINVAL";
	case EBADRQC: return "EBADRQC";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case ENETUNREACH: return "ENETUNREACH";
	case EMSGSIZE: return "EMSGSIZE";
	case EPERM: return "EPERM";
	default: return strerror(e);
	}
}

static int open_sock(int port)
{
	if (port)
		return divert_open_port(port);
	return socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
}

static void report(const char *what, int rc, int want_len)
{
	printf("%s %s\n", what, rc == want_len ? "OK" : ename(errno));
}

int main(int argc, char **argv)
{
	unsigned char pkt[BUFSIZE];
	struct sockaddr_in sin;
	int fd, n;

	if (argc < 3) {
		fprintf(stderr, "usage: see source\n");
		return 2;
	}
	fd = open_sock(atoi(argv[1]));
	if (fd < 0) {
		fprintf(stderr, "socket: %s\n", strerror(errno));
		return 1;
	}
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	if (!strcmp(argv[2], "out") && argc == 7) {
		n = build_udp(pkt, argv[3], 4000, argv[4], atoi(argv[5]), argv[6]);
		report("out", sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, sizeof sin), n);
	} else if (!strcmp(argv[2], "null") && argc == 7) {
		n = build_udp(pkt, argv[3], 4000, argv[4], atoi(argv[5]), argv[6]);
		report("null", write(fd, pkt, n), n);
	} else if (!strcmp(argv[2], "in") && argc == 8) {
		n = build_udp(pkt, argv[4], 4000, argv[5], atoi(argv[6]), argv[7]);
		sin.sin_addr.s_addr = inet_addr(argv[3]);
		report("in", sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, sizeof sin), n);
	} else if (!strcmp(argv[2], "errors") && argc == 5) {
		n = build_udp(pkt, argv[3], 4000, argv[4], 9, "x");
		report("short-packet", sendto(fd, pkt, 19, 0, (struct sockaddr *)&sin, sizeof sin), 19);
		report("short-sockaddr", sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, 8), n);
		sin.sin_family = AF_INET6;
		report("wrong-family", sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, sizeof sin), n);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = inet_addr("10.199.254.254");
		report("unknown-local", sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, sizeof sin), n);
		sin.sin_addr.s_addr = 0;
		n = build_udp(pkt, argv[3], 4000, "203.0.113.1", 9, "x");
		report("no-route", sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, sizeof sin), n);
		memset(pkt + 28, 'x', 1600);
		n = build_udp(pkt, argv[3], 4000, argv[4], 9, "x");
		{
			struct iphdr *ip = (struct iphdr *)pkt;
			struct udphdr *udp = (struct udphdr *)(pkt + 20);
			n = 1600;
			ip->tot_len = htons(n);
			udp->len = htons(n - 20);
			fix_udp(pkt);
		}
		report("over-mtu", sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, sizeof sin), n);
		sin.sin_addr.s_addr = inet_addr(argv[3]);
		report("over-mtu-in", sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, sizeof sin), n);
	} else if (!strcmp(argv[2], "mcast") && argc == 6) {
		struct in_addr a;
		struct ip_mreq mreq;
		struct ip_mreqn mreqn;
		a.s_addr = inet_addr(argv[3]);
		memset(&mreq, 0, sizeof mreq);
		mreq.imr_interface = a;
		memset(&mreqn, 0, sizeof mreqn);
		mreqn.imr_address = a;
		errno = 0;
		n = setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq);
		printf("mreq %d errno %d\n", n, errno);
		n = setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreqn, sizeof mreqn);
		printf("mreqn %d errno %d\n", n, errno);
		/* the HOWTO's form last, so it is the one in effect */
		n = setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &a, sizeof a);
		printf("in_addr %d errno %d\n", n, errno);
		n = build_udp(pkt, argv[3], 4000, argv[4], atoi(argv[5]), "mcast\n");
		report("mcast", sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, sizeof sin), n);
	} else {
		fprintf(stderr, "bad arguments\n");
		return 2;
	}
	return 0;
}
