/* fork() while other threads open divert sockets and inject on them must never hang.
 *   fork_inject <baseport> <nthreads> <forks> <seconds> <local> <peer> <dport>
 * The threads work in pairs (an odd last one alone). Each round the first of a pair opens a
 * fresh divert socket bound to a port of its own (baseport + 50 * pair + round % 50); then
 * both threads inject on it at once, so their first injections race, one UDP datagram
 * outbound (to <peer>) and one inbound (as if received on <local>'s interface) each; then it
 * is closed. The main thread forks up to <forks> times or for <seconds>, whichever ends first;
 * each child injects one datagram outbound on a fresh, unbound socket and _exits (1 when that
 * failed); the parent waits for it. Then the threads stop and it prints
 * "done forks <f> failed <c> injections <i> errors <e> busy <b>" (c = children that failed,
 * e = failed writes, b = binds that found the port in use). */
#include "common.h"
#include <pthread.h>
#include <sys/time.h>
#include <sys/wait.h>

#define MAXTHREADS 64

static const char *local, *peer;
static int baseport, dport;
static volatile int stop;
static int injections, errors, busy, first_errno;
static const char *first_what;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static struct pair {
	pthread_barrier_t go;
	int fd;	/* this round's socket; -1 none this round, -2 stop */
	int size;
} pairs[MAXTHREADS / 2 + 1];

static void tally(const char *what, int ok, int e)
{
	pthread_mutex_lock(&mu);
	if (ok) {
		injections++;
	} else {
		errors++;
		if (!first_errno) {
			first_errno = e;
			first_what = what;
		}
	}
	pthread_mutex_unlock(&mu);
}

static void inject_both(int fd)
{
	unsigned char pkt[128];
	struct sockaddr_in sin;
	int n;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	n = build_udp(pkt, local, 4000, peer, dport, "thread-out\n");
	tally("outbound", sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, sizeof sin) == n, errno);
	n = build_udp(pkt, peer, 4000, local, dport, "thread-in\n");
	sin.sin_addr.s_addr = inet_addr(local);
	tally("inbound", sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, sizeof sin) == n, errno);
}

static void *worker(void *arg)
{
	long t = (long)arg;
	struct pair *p = &pairs[t / 2];
	struct sockaddr_in sin;
	int first = t % 2 == 0, fd, k;

	for (k = 0;; k++) {
		if (first) {
			fd = -2;
			if (!stop) {
				fd = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
				if (fd < 0) {
					tally("socket", 0, errno);
				} else {
					memset(&sin, 0, sizeof sin);
					sin.sin_family = AF_INET;
					sin.sin_port = htons(baseport + 50 * (t / 2) + k % 50);
					if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
						/* a child forked a moment ago may still hold this port */
						pthread_mutex_lock(&mu);
						busy++;
						pthread_mutex_unlock(&mu);
						close(fd);
						fd = -1;
					}
				}
			}
			p->fd = fd;
		}
		if (p->size > 1)
			pthread_barrier_wait(&p->go);
		fd = p->fd;
		if (fd == -2)
			break;
		if (fd >= 0)
			inject_both(fd);
		if (p->size > 1)
			pthread_barrier_wait(&p->go);
		if (first && fd >= 0)
			close(fd);
	}
	return NULL;
}

static double now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return tv.tv_sec + tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	pthread_t th[MAXTHREADS];
	long i, nthreads;
	int forks, f, failed = 0, status, fd, n;
	double seconds, start;
	pid_t pid;

	if (argc != 8) {
		fprintf(stderr, "usage: %s <baseport> <nthreads> <forks> <seconds> <local> <peer> "
			"<dport>\n", argv[0]);
		return 2;
	}
	baseport = atoi(argv[1]);
	nthreads = atol(argv[2]);
	forks = atoi(argv[3]);
	seconds = atof(argv[4]);
	local = argv[5];
	peer = argv[6];
	dport = atoi(argv[7]);
	if (nthreads > MAXTHREADS)
		nthreads = MAXTHREADS;
	for (i = 0; i < nthreads; i++) {
		if (i % 2 == 0) {
			pairs[i / 2].size = i + 1 < nthreads ? 2 : 1;
			pthread_barrier_init(&pairs[i / 2].go, NULL, pairs[i / 2].size);
		}
	}
	for (i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	printf("ready\n");
	fflush(stdout);
	start = now();
	for (f = 0; f < forks && now() - start < seconds; f++) {
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "fork: %s\n", strerror(errno));
			return 1;
		}
		if (pid == 0) {
			unsigned char pkt[128];
			struct sockaddr_in sin;
			fd = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
			if (fd < 0)
				_exit(1);
			memset(&sin, 0, sizeof sin);
			sin.sin_family = AF_INET;
			n = build_udp(pkt, local, 4001, peer, dport, "child-out\n");
			_exit(sendto(fd, pkt, n, 0, (struct sockaddr *)&sin, sizeof sin) == n ? 0 : 1);
		}
		if (waitpid(pid, &status, 0) != pid) {
			fprintf(stderr, "waitpid: %s\n", strerror(errno));
			return 1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	stop = 1;
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	if (first_errno)
		fprintf(stderr, "first failure: %s: %s\n", first_what, strerror(first_errno));
	printf("done forks %d failed %d injections %d errors %d busy %d\n", f, failed, injections,
	       errors, busy);
	return 0;
}
