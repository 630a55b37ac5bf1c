/* (c) of the divert benchmark: the classic Linux 2.2 divert loop, as the HOWTO's programs
 * wrote it: recvfrom one packet, sendto it back unchanged with the address recvfrom gave.
 * Linked against libdivert; nothing here knows about NFQUEUE.
 *
 * usage: divert_classic PORT [WARMUP COUNT]
 * Prints "ready" once bound and "packets <n> cpu_us <t>" (its CPU time) on SIGTERM. Run
 * under the malloc counter (LD_PRELOAD=divert_malloc_count.so) with WARMUP and COUNT, it
 * also prints "allocs <a> frees <f> packets <COUNT>": the heap calls made by packets
 * WARMUP+1 .. WARMUP+COUNT, the steady state. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define IPPROTO_DIVERT 254
#define BUFSIZE 65535

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
	static unsigned char packet[BUFSIZE];
	unsigned long (*heap_calls)(int) = NULL;
	unsigned long long n = 0, warmup = 0, count = 0;
	unsigned long a0 = 0, f0 = 0;
	struct sockaddr_in sin;
	struct sigaction sa;
	socklen_t sinlen;
	int fd;

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
	printf("ready\n");
	fflush(stdout);

	while (!stop) {
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
		n++;
		if (heap_calls && n == warmup) {
			a0 = heap_calls(0);
			f0 = heap_calls(1);
		}
		if (heap_calls && n == warmup + count) {
			unsigned long a = heap_calls(0) - a0, f = heap_calls(1) - f0;
			printf("allocs %lu frees %lu packets %llu\n", a, f, count);
			fflush(stdout);
		}
	}
	printf("packets %llu cpu_us %lld\n", n, cpu_us());
	return 0;
}
