/* Injections that meet the writer's own DIVERT rule must not come back to it.
 *   inject_own <port> out <src> <dst> <dport> <how> <text>         outbound (sin_addr 0)
 *   inject_own <port> in <via> <src> <dst> <dport> <how> <text>    inbound, as if received on
 *                                                                   the interface with <via>
 *   inject_own <port> modify <how> <text>   waits (5 s at most) for one diverted UDP packet,
 *                                           replaces its payload with <text> and writes the
 *                                           copy as a new packet: sin_zero zeroed, sin_addr
 *                                           as received
 * <how> is what sin_port holds on the write: net = htons(port) (the HOWTO's style), zero = 0,
 * host = port in host byte order, keep = as received (modify only).
 * Then reads its own socket for 0.5 s, writes every packet that came back to it back
 * unchanged (so nothing is lost) and prints "loop <n> <len> <sin_port>" for each and
 * "looped <count>" at the end. */
#include "common.h"
#include <sys/select.h>
#include <sys/time.h>

static unsigned short port_as(const char *how, int port, unsigned short keep)
{
	if (!strcmp(how, "net"))
		return htons(port);
	if (!strcmp(how, "host"))
		return port;
	if (!strcmp(how, "keep"))
		return keep;
	return 0;
}

/* Replaces the UDP payload of the datagram in pkt with text; returns the new length. */
static int new_payload(unsigned char *pkt, const char *text)
{
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *udp = (struct udphdr *)(pkt + ip->ihl * 4);
	int hl = ip->ihl * 4, n = strlen(text);
	memcpy(pkt + hl + 8, text, n);
	udp->len = htons(8 + n);
	ip->tot_len = htons(hl + 8 + n);
	ip->id = htons(4242); /* a different packet, not the diverted one */
	fix_udp(pkt);
	return hl + 8 + n;
}

int main(int argc, char **argv)
{
	unsigned char pkt[BUFSIZE];
	struct sockaddr_in sin, from;
	socklen_t fromlen;
	int fd, n, port, looped = 0;
	const char *how;

	if (argc < 3) {
		fprintf(stderr, "usage: see source\n");
		return 2;
	}
	port = atoi(argv[1]);
	fd = divert_open_port(port);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	if (!strcmp(argv[2], "out") && argc == 8) {
		how = argv[6];
		n = build_udp(pkt, argv[3], 4000, argv[4], atoi(argv[5]), argv[7]);
	} else if (!strcmp(argv[2], "in") && argc == 9) {
		how = argv[7];
		n = build_udp(pkt, argv[4], 4000, argv[5], atoi(argv[6]), argv[8]);
		sin.sin_addr.s_addr = inet_addr(argv[3]);
	} else if (!strcmp(argv[2], "modify") && argc == 5) {
		struct iphdr *ip = (struct iphdr *)pkt;
		how = argv[3];
		printf("ready\n");
		fflush(stdout);
		for (;;) {
			if (wait_readable(fd, 5000000) <= 0) {
				fprintf(stderr, "modify: nothing diverted to %d\n", port);
				return 1;
			}
			fromlen = sizeof sin;
			n = recvfrom(fd, pkt, BUFSIZE, 0, (struct sockaddr *)&sin, &fromlen);
			if (n < 0) {
				fprintf(stderr, "recvfrom: %s\n", strerror(errno));
				return 1;
			}
			if (ip->protocol == IPPROTO_UDP)
				break;
			sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, fromlen);
		}
		printf("diverted %s sin_port %d\n", sin.sin_addr.s_addr ? "in" : "out", sin.sin_port);
		n = new_payload(pkt, argv[4]);
		memset(sin.sin_zero, 0, sizeof sin.sin_zero);
	} else {
		fprintf(stderr, "bad arguments\n");
		return 2;
	}
	sin.sin_port = port_as(how, port, sin.sin_port);
	if (sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, sizeof sin) != n) {
		fprintf(stderr, "sendto: %s\n", strerror(errno));
		return 1;
	}
	printf("wrote %d sin_port %d\n", n, sin.sin_port);
	fflush(stdout);
	while (wait_readable(fd, 500000) > 0) {
		fromlen = sizeof from;
		n = recvfrom(fd, pkt, BUFSIZE, 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			break;
		printf("loop %d %d %d\n", ++looped, n, from.sin_port);
		fflush(stdout);
		/* reinjected, so a packet that came back still arrives once */
		sendto(fd, pkt, n, 0, (struct sockaddr *)&from, fromlen);
		if (looped >= 100)
			break;
	}
	printf("looped %d\n", looped);
	return 0;
}
