/* The batch API of divert.h, as a new program would use it.
 *   batch <port> <count> echo       read up to 16 per divert_recv_batch, write each batch back
 *                                   unchanged with one divert_send_batch
 *   batch <port> <count> upper      the same with the UDP payload's lowercase letters made
 *                                   capitals (checksum fixed)
 *   batch <port> <count> hold       read all <count> packets first, then write them back
 *                                   unchanged, 64 per divert_send_batch
 *   batch <port> <count> holdedit   the same with the oldest one made capitals
 *   batch <port> <count> trunc      read into 100-byte buffers, write nothing back
 *   batch send <addr> <port> <count> <size>   (no divert socket) <count> UDP datagrams of <size>
 *                                   bytes, "p<i>" padded with dots and a newline
 *   batch sink <addr> <port>        (no divert socket) every datagram to stdout, with a receive
 *                                   buffer deep enough for a burst; "ready" on stderr
 * Prints "ready" once bound; at the end "done <n>", one "len <l> orig <o> trunc <0|1>" line per
 * packet in trunc mode, and the socket's counters: "received <r> reinjected <x> batched <b>". */
#include "common.h"
#include <ctype.h>

#include "divert.h"

#define SLOT 2048
#define MAXCOUNT 2000

static unsigned char bufs[MAXCOUNT][SLOT];
static struct divert_packet pkts[MAXCOUNT];

static int send_datagrams(const char *addr, int port, int count, int size)
{
	struct sockaddr_in dst;
	char text[SLOT];
	int fd = socket(AF_INET, SOCK_DGRAM, 0), i;

	if (fd < 0 || size < 8 || size > SLOT)
		return 1;
	memset(&dst, 0, sizeof dst);
	dst.sin_family = AF_INET;
	dst.sin_port = htons(port);
	dst.sin_addr.s_addr = inet_addr(addr);
	for (i = 0; i < count; i++) {
		int n = snprintf(text, sizeof text, "p%d", i);
		memset(text + n, '.', size - n - 1);
		text[size - 1] = '\n';
		if (sendto(fd, text, size, 0, (struct sockaddr *)&dst, sizeof dst) != size) {
			fprintf(stderr, "sendto: %s\n", strerror(errno));
			return 1;
		}
	}
	return 0;
}

static int sink(const char *addr, int port)
{
	struct sockaddr_in sin;
	char buf[SLOT];
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rcvbuf = 16 << 20;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = inet_addr(addr);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		fprintf(stderr, "sink: %s\n", strerror(errno));
		return 1;
	}
	fprintf(stderr, "ready\n");
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n > 0) {
			fwrite(buf, 1, n, stdout);
			fflush(stdout);
		}
	}
}

static void upper(struct divert_packet *p)
{
	unsigned char *pkt = p->data;
	struct iphdr *ip = (struct iphdr *)pkt;
	size_t i;

	if (ip->protocol != IPPROTO_UDP)
		return;
	for (i = ip->ihl * 4 + 8; i < p->len; i++)
		pkt[i] = toupper(pkt[i]);
	fix_udp(pkt);
}

static void write_back(int fd, struct divert_packet *p, int n)
{
	while (n > 0) {
		int k = divert_send_batch(fd, p, n, 0);
		if (k <= 0) {
			fprintf(stderr, "divert_send_batch: %s\n", strerror(errno));
			exit(1);
		}
		p += k;
		n -= k;
	}
}

int main(int argc, char **argv)
{
	struct divert_stats st;
	const char *mode;
	int fd, count, got = 0, i;

	if (argc == 6 && strcmp(argv[1], "send") == 0)
		return send_datagrams(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	if (argc == 4 && strcmp(argv[1], "sink") == 0)
		return sink(argv[2], atoi(argv[3]));
	if (argc != 4) {
		fprintf(stderr, "usage: %s <port> <count> echo|upper|hold|holdedit|trunc\n", argv[0]);
		return 2;
	}
	count = atoi(argv[2]);
	mode = argv[3];
	if (count < 1 || count > MAXCOUNT)
		return 2;
	for (i = 0; i < count; i++) {
		pkts[i].data = bufs[i];
		pkts[i].size = strcmp(mode, "trunc") == 0 ? 100 : SLOT;
	}
	fd = divert_open(atoi(argv[1]), 0);
	if (fd < 0) {
		fprintf(stderr, "divert_open: %s\n", strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (got < count) {
		int want = count - got < 16 ? count - got : 16;
		int n = divert_recv_batch(fd, pkts + got, want, 0);
		if (n <= 0) {
			fprintf(stderr, "divert_recv_batch: %s\n", strerror(errno));
			return 1;
		}
		if (strcmp(mode, "upper") == 0)
			for (i = got; i < got + n; i++)
				upper(&pkts[i]);
		if (strcmp(mode, "echo") == 0 || strcmp(mode, "upper") == 0)
			write_back(fd, pkts + got, n);
		got += n;
	}
	if (strcmp(mode, "holdedit") == 0)
		upper(&pkts[0]);
	if (strncmp(mode, "hold", 4) == 0)
		for (i = 0; i < count; i += 64)
			write_back(fd, pkts + i, count - i < 64 ? count - i : 64);
	if (strcmp(mode, "trunc") == 0)
		for (i = 0; i < count; i++)
			printf("len %zu orig %zu trunc %d\n", pkts[i].len, pkts[i].orig_len,
			       (pkts[i].flags & MSG_TRUNC) != 0);
	printf("done %d\n", got);
	if (divert_get_stats(fd, &st, sizeof st) == 0)
		printf("received %llu reinjected %llu batched %llu\n", (unsigned long long)st.received,
		       (unsigned long long)st.reinjected, (unsigned long long)st.batched);
	fflush(stdout);
	return 0;
}
