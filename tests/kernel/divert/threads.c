/* Several threads read and reinject on one divert socket (and on a dup of it).
 *   threads <port> <nthreads> <count>
 * Exits 0 once <count> packets went through, "done <count>". */
#include "common.h"
#include <pthread.h>

static int fds[2];
static int total, want;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
	int fd = fds[(long)arg % 2];
	unsigned char *packet = malloc(BUFSIZE);
	struct sockaddr_in sin;
	socklen_t sinlen;
	int n, t;

	for (;;) {
		sinlen = sizeof sin;
		n = recvfrom(fd, packet, BUFSIZE, 0, (struct sockaddr *)&sin, &sinlen);
		if (n < 0 || sendto(fd, packet, n, 0, (struct sockaddr *)&sin, sinlen) != n) {
			fprintf(stderr, "worker: %s\n", strerror(errno));
			exit(1);
		}
		pthread_mutex_lock(&mu);
		t = ++total;
		pthread_mutex_unlock(&mu);
		if (t == want) {
			printf("done %d\n", t);
			fflush(stdout);
			exit(0);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th;
	long i, n;

	if (argc != 4) {
		fprintf(stderr, "usage: %s <port> <nthreads> <count>\n", argv[0]);
		return 2;
	}
	fds[0] = divert_open_port(atoi(argv[1]));
	fds[1] = dup(fds[0]);
	n = atol(argv[2]);
	want = atoi(argv[3]);
	for (i = 0; i < n; i++)
		pthread_create(&th, NULL, worker, (void *)i);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
