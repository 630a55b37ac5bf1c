/* (d) of the divert benchmark: the divert loop through divert.h's batch API: up to 64
 * packets per divert_recv_batch, all written back unchanged with one divert_send_batch.
 *
 * usage: divert_batch PORT [WARMUP COUNT]    (output as divert_classic) */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "divert.h"

#define BATCH 64
#define SLOT 2048 /* the bench never sends more than one MTU */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* User + system CPU time of this process, in microseconds: the bench divides it by the
 * packets handled, a cost that other load on the machine barely changes. */
static long long cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

int main(int argc, char **argv)
{
	static unsigned char bufs[BATCH][SLOT];
	struct divert_packet pkts[BATCH];
	unsigned long (*heap_calls)(int) = NULL;
	unsigned long long n = 0, warmup = 0, count = 0;
	unsigned long a0 = 0, f0 = 0;
	int measuring = 0, done = 0;
	struct sigaction sa;
	int fd, i;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: %s PORT [WARMUP COUNT]\n", argv[0]);
		return 2;
	}
	if (argc == 4) {
		warmup = strtoull(argv[2], NULL, 10);
		count = strtoull(argv[3], NULL, 10);
		heap_calls = (unsigned long (*)(int))dlsym(RTLD_DEFAULT, "divert_bench_heap_calls");
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

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
	printf("ready\n");
	fflush(stdout);

	while (!stop) {
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
		/* Batches do not end on round numbers: measure from the first batch boundary past
		 * WARMUP over at least COUNT packets, and report the packets actually covered. */
		if (heap_calls && !measuring && n >= warmup) {
			measuring = 1;
			warmup = n;
			a0 = heap_calls(0);
			f0 = heap_calls(1);
		} else if (heap_calls && measuring && !done && n >= warmup + count) {
			done = 1;
			printf("allocs %lu frees %lu packets %llu\n", heap_calls(0) - a0,
			       heap_calls(1) - f0, n - warmup);
			fflush(stdout);
		}
	}
	printf("packets %llu cpu_us %lld\n", n, cpu_us());
	return 0;
}
