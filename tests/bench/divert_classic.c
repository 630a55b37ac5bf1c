/* (c) of the divert benchmark: the classic Linux 2.2 divert loop, as the HOWTO's programs
 * wrote it: recvfrom one packet, sendto it back unchanged with the address recvfrom gave.
 * Linked against libdivert; nothing here knows about NFQUEUE.
 *
 * usage: divert_classic PORT [WARMUP COUNT]
 * Prints "ready" once bound and "packets <n> cpu_us <t> maxrss_kib <m>" on SIGTERM. Run under
 * the malloc counter (LD_PRELOAD=divert_malloc_count.so) with WARMUP and COUNT, it also prints
 * "allocs <a> frees <f> packets <COUNT>": the heap calls made by packets WARMUP+1 ..
 * WARMUP+COUNT, the steady state. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "divert_common.h"

#define IPPROTO_DIVERT 254
#define BUFSIZE 65535

int main(int argc, char **argv)
{
	static unsigned char packet[BUFSIZE];
	unsigned long long n = 0;
	struct bench_heap heap;
	struct sockaddr_in sin;
	socklen_t sinlen;
	int fd;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: %s PORT [WARMUP COUNT]\n", argv[0]);
		return 2;
	}
	bench_heap_init(&heap, argc == 4 ? argv[2] : NULL, argc == 4 ? argv[3] : NULL);
	bench_catch_signals(0);

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(atoi(argv[1]));
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		perror("bind");
		return 1;
	}
	bench_ready();

	while (!bench_stop) {
		ssize_t len;

		sinlen = sizeof sin;
		len = recvfrom(fd, packet, sizeof packet, 0, (struct sockaddr *)&sin, &sinlen);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			perror("recvfrom");
			return 1;
		}
		if (sendto(fd, packet, len, 0, (struct sockaddr *)&sin, sinlen) != len) {
			perror("sendto");
			return 1;
		}
		bench_heap_tick(&heap, ++n);
	}
	bench_report("packets", n);
	return 0;
}
