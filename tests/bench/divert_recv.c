/* Receiver of the divert benchmark: counts UDP datagrams on <addr>:<port>. The clock starts
 * when <warmup> datagrams have arrived and stops after <count> more, so every rate covers the
 * same number of packets whatever the machine's speed.
 *
 * usage: divert_recv ADDR PORT WARMUP COUNT TIMEOUT
 * Prints "ready" once bound, then "pps <rate> packets <count> seconds <t> received <all>
 * cpu_us <cpu>" (exit 0), or "timeout after <n> packets" when nothing arrived for TIMEOUT
 * seconds (exit 1). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "divert_common.h"

#define BATCH 64
#define SLOT 2048

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static unsigned char bufs[BATCH][SLOT];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sin;
	struct timeval tv;
	unsigned long long warmup, count, got = 0, g0 = 0;
	double t0 = 0, t1;
	int started = 0;
	int fd, i, rcvbuf = 8 << 20;

	if (argc != 6) {
		fprintf(stderr, "usage: %s ADDR PORT WARMUP COUNT TIMEOUT\n", argv[0]);
		return 2;
	}
	warmup = strtoull(argv[3], NULL, 10);
	count = strtoull(argv[4], NULL, 10);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", argv[1]);
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	/* A deep buffer, so the receiver's scheduling hiccups do not become drops that the
	 * stage under test would be blamed for. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	tv.tv_sec = atoi(argv[5]);
	tv.tv_usec = 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		perror("bind");
		return 1;
	}
	memset(msgs, 0, sizeof msgs);
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = SLOT;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	bench_ready();
	while (!started || got - g0 < count) {
		int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				printf("timeout after %llu packets\n", got);
				return 1;
			}
			perror("recvmmsg");
			return 1;
		}
		got += (unsigned)n;
		/* The clock starts at the batch that crosses the warm-up mark; only packets of
		 * later batches count, so the rate never includes packets read before t0. */
		if (!started && got >= warmup) {
			started = 1;
			t0 = now();
			g0 = got;
		}
	}
	t1 = now();
	printf("pps %.0f packets %llu seconds %.4f received %llu cpu_us %lld\n", (got - g0) / (t1 - t0),
	       got - g0, t1 - t0, got, bench_cpu_us());
	return 0;
}
