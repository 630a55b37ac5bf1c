#define _GNU_SOURCE
#include "divert_common.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

volatile sig_atomic_t bench_stop;

static void on_signal(int sig)
{
	(void)sig;
	bench_stop = 1;
}

void bench_catch_signals(int with_alarm)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (with_alarm)
		sigaction(SIGALRM, &sa, NULL);
}

void bench_ready(void)
{
	printf("ready\n");
	fflush(stdout);
}

long long bench_cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

void bench_report(const char *what, unsigned long long n)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	printf("%s %llu cpu_us %lld maxrss_kib %ld\n", what, n, bench_cpu_us(), ru.ru_maxrss);
	fflush(stdout);
}

void bench_heap_init(struct bench_heap *h, const char *warmup, const char *count)
{
	memset(h, 0, sizeof *h);
	if (warmup == NULL || count == NULL)
		return;
	h->warmup = strtoull(warmup, NULL, 10);
	h->count = strtoull(count, NULL, 10);
	h->calls = (unsigned long (*)(int))dlsym(RTLD_DEFAULT, "divert_bench_heap_calls");
}

void bench_heap_tick(struct bench_heap *h, unsigned long long packets)
{
	if (h->calls == NULL || h->state == 2)
		return;
	if (h->state == 0) {
		if (packets < h->warmup)
			return;
		h->state = 1;
		h->start = packets;
		h->allocs = h->calls(0);
		h->frees = h->calls(1);
	} else if (packets >= h->start + h->count) {
		h->state = 2;
		printf("allocs %lu frees %lu packets %llu\n", h->calls(0) - h->allocs,
		       h->calls(1) - h->frees, packets - h->start);
		fflush(stdout);
	}
}
