/* Sender of the divert benchmark: floods <addr>:<port> with <payload>-byte UDP datagrams in
 * sendmmsg batches until <seconds> have passed or SIGTERM arrives.
 *
 * The socket stays blocking on purpose: while a queue program holds packets they are still
 * charged to this socket, so a full send buffer stalls the sender instead of letting it burn
 * a core on packets the queue would drop. The buffer is sized so that about a thousand
 * packets can be in flight: below the queue length (4096), so nothing is dropped at the
 * queue, and deep enough that a loop which falls behind finds work waiting instead of every
 * stage waiting for the next wake-up. The limit keeps a stuck run from hanging the bench.
 *
 * usage: divert_send ADDR PORT PAYLOAD SECONDS    (prints "sent <n> cpu_us <t> ...") */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "divert_common.h"

#define BATCH 64
#define MAX_PAYLOAD 1472

int main(int argc, char **argv)
{
	static unsigned char payload[MAX_PAYLOAD];
	struct mmsghdr msgs[BATCH];
	struct iovec iov;
	struct sockaddr_in dst;
	unsigned long long sent = 0;
	size_t size;
	int fd, i, sndbuf = 1 << 20;

	if (argc != 5) {
		fprintf(stderr, "usage: %s ADDR PORT PAYLOAD SECONDS\n", argv[0]);
		return 2;
	}
	size = strtoul(argv[3], NULL, 10);
	if (size > MAX_PAYLOAD) {
		fprintf(stderr, "payload at most %d bytes\n", MAX_PAYLOAD);
		return 2;
	}
	memset(&dst, 0, sizeof dst);
	dst.sin_family = AF_INET;
	dst.sin_port = htons(atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", argv[1]);
		return 2;
	}
	/* The signal must break a sendmmsg blocked on the send buffer (no SA_RESTART). */
	bench_catch_signals(1);
	alarm(atoi(argv[4]));

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0) {
		perror("socket/connect");
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) != 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	iov.iov_base = payload;
	iov.iov_len = size;
	memset(msgs, 0, sizeof msgs);
	for (i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (!bench_stop) {
		int n = sendmmsg(fd, msgs, BATCH, 0);
		if (n > 0) {
			sent += (unsigned)n;
			continue;
		}
		/* Refused (receiver not bound yet), dropped by a rule, or a full device queue: the
		 * flood goes on; the receiver counts what arrives. */
		if (errno == EINTR || errno == ECONNREFUSED || errno == EPERM || errno == ENOBUFS ||
		    errno == EAGAIN)
			continue;
		perror("sendmmsg");
		return 1;
	}
	bench_report("sent", sent);
	return 0;
}
