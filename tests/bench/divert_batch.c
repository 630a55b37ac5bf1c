/* (d) of the divert benchmark: the divert loop through divert.h's batch API: up to 64
 * packets per divert_recv_batch, all written back unchanged with one divert_send_batch.
 *
 * usage: divert_batch PORT [WARMUP COUNT]    (output as divert_classic) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "divert.h"
#include "divert_common.h"

#define BATCH 64
#define SLOT 2048 /* the bench never sends more than one MTU */

int main(int argc, char **argv)
{
	static unsigned char bufs[BATCH][SLOT];
	struct divert_packet pkts[BATCH];
	unsigned long long n = 0;
	struct bench_heap heap;
	int fd, i;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: %s PORT [WARMUP COUNT]\n", argv[0]);
		return 2;
	}
	bench_heap_init(&heap, argc == 4 ? argv[2] : NULL, argc == 4 ? argv[3] : NULL);
	bench_catch_signals(0);

	fd = divert_open(atoi(argv[1]), 0);
	if (fd < 0) {
		perror("divert_open");
		return 1;
	}
	memset(pkts, 0, sizeof pkts);
	for (i = 0; i < BATCH; i++) {
		pkts[i].data = bufs[i];
		pkts[i].size = SLOT;
	}
	bench_ready();

	while (!bench_stop) {
		int got = divert_recv_batch(fd, pkts, BATCH, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			perror("divert_recv_batch");
			return 1;
		}
		if (divert_send_batch(fd, pkts, got, 0) != got) {
			perror("divert_send_batch");
			return 1;
		}
		n += (unsigned)got;
		bench_heap_tick(&heap, n);
	}
	bench_report("packets", n);
	return 0;
}
