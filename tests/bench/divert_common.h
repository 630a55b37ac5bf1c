/* What the divert benchmark's programs (divert_*.c) share: stopping on a signal, the final
 * report with the process's CPU time, "ready" for the script, and the steady-state heap-call
 * window of the queue loops (with divert_malloc_count.so preloaded). */
#ifndef DIVERT_BENCH_COMMON_H
#define DIVERT_BENCH_COMMON_H

#include <signal.h>

/* Set by SIGTERM and SIGINT (and SIGALRM when asked). No SA_RESTART: a blocked call returns
 * EINTR, so a loop waiting for packets or buffer space notices at once. */
extern volatile sig_atomic_t bench_stop;
void bench_catch_signals(int with_alarm);

/* "ready": the script starts the next stage once a program printed it. */
void bench_ready(void);

/* User + system CPU time of this process, in microseconds: the script divides it by the
 * packets handled, a cost that other load on the machine barely changes. */
long long bench_cpu_us(void);

/* "<what> <n> cpu_us <t> maxrss_kib <m>": n items handled, the CPU time and the peak resident
 * set size. */
void bench_report(const char *what, unsigned long long n);

/* The queue loops' optional "WARMUP COUNT" arguments: from the first call of bench_heap_tick
 * with at least WARMUP packets handled until COUNT more, count the heap calls and print
 * "allocs <a> frees <f> packets <n>" (n: the packets actually covered, batches do not end on
 * round numbers). Without the preloaded counter, or without the arguments, it does nothing. */
struct bench_heap {
	unsigned long (*calls)(int which); /* divert_malloc_count.so: 0 = allocations, 1 = frees */
	unsigned long long warmup, count, start;
	unsigned long allocs, frees;
	int state; /* 0 warming up, 1 counting, 2 reported */
};
void bench_heap_init(struct bench_heap *h, const char *warmup, const char *count);
void bench_heap_tick(struct bench_heap *h, unsigned long long packets);

#endif
