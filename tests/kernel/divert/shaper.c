/* A traffic shaper in the way of the WF2Q+ shapers built on 2.2 divert sockets: two divert
 * ports, one per direction, one reader thread per port putting packets in a queue, and one
 * sender thread writing each back when due, through the socket it came from and with the
 * address recvfrom gave.
 *   shaper <port1> <port2> [<drop_every> <delay_every>]      (default 10 25; 0 = never)
 * Of the packets read on each port, every <drop_every>th is dropped: never written back
 * ("drop <port> <i>"); every <delay_every>th of the others is held 1 to 2 s, beyond the
 * library's packet lifetime ("delay <port> <i>"), then written back ("late <port> <i>
 * <sendto result>"); the rest go back at once. A failed prompt write prints "error <port> <i>
 * <error>". On SIGUSR1, the counters of each socket:
 *   "stats <port> received <r> reinjected <x> injected <i> window_drops <w> expired <e>" */
#include "common.h"
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include "lifetime.h"

struct item {
	struct item *next;
	long long due;		/* ms */
	int side, seq, late, len;
	struct sockaddr_in sin;
	socklen_t sinlen;
	unsigned char data[1];
};

static int fds[2], ports[2], drop_every = 10, delay_every = 25;
static struct item *queue;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static long long now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return tv.tv_sec * 1000LL + tv.tv_usec / 1000;
}

/* In due order; equal due times keep their arrival order. */
static void enqueue(struct item *it)
{
	struct item **pp;

	pthread_mutex_lock(&mu);
	for (pp = &queue; *pp && (*pp)->due <= it->due; pp = &(*pp)->next)
		;
	it->next = *pp;
	*pp = it;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

static void *reader(void *arg)
{
	int side = (long)arg, n, seq = 0;
	unsigned char *packet = malloc(BUFSIZE);
	struct sockaddr_in sin;
	socklen_t sinlen;
	struct item *it;

	for (;;) {
		sinlen = sizeof sin;
		n = recvfrom(fds[side], packet, BUFSIZE, 0, (struct sockaddr *)&sin, &sinlen);
		if (n < 0) {
			fprintf(stderr, "recvfrom: %s\n", strerror(errno));
			exit(1);
		}
		seq++;
		if (drop_every && seq % drop_every == 0) {
			printf("drop %d %d\n", ports[side], seq);
			fflush(stdout);
			continue;
		}
		it = malloc(sizeof *it + n);
		it->side = side;
		it->seq = seq;
		it->len = n;
		it->sin = sin;
		it->sinlen = sinlen;
		memcpy(it->data, packet, n);
		it->late = delay_every && seq % delay_every == 0;
		it->due = now_ms();
		if (it->late) {
			it->due += 1000 + seq * 37 % 1000;
			printf("delay %d %d\n", ports[side], seq);
			fflush(stdout);
		}
		enqueue(it);
	}
	return NULL;
}

static void *sender(void *arg)
{
	struct item *it;
	struct timespec ts;
	long long now;
	int r;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&mu);
		for (;;) {
			if (!queue) {
				pthread_cond_wait(&cv, &mu);
				continue;
			}
			now = now_ms();
			if (queue->due <= now)
				break;
			ts.tv_sec = queue->due / 1000;
			ts.tv_nsec = queue->due % 1000 * 1000000;
			pthread_cond_timedwait(&cv, &mu, &ts);
		}
		it = queue;
		queue = it->next;
		pthread_mutex_unlock(&mu);
		r = sendto(fds[it->side], it->data, it->len, 0, (struct sockaddr *)&it->sin,
			   it->sinlen);
		if (it->late)
			printf("late %d %d %d\n", ports[it->side], it->seq, r);
		else if (r != it->len)
			printf("error %d %d %s\n", ports[it->side], it->seq, strerror(errno));
		fflush(stdout);
		free(it);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th;
	sigset_t set;
	char prefix[32];
	long i;
	int sig;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: %s <port1> <port2> [<drop_every> <delay_every>]\n", argv[0]);
		return 2;
	}
	if (argc == 5) {
		drop_every = atoi(argv[3]);
		delay_every = atoi(argv[4]);
	}
	/* SIGUSR1 is taken by sigwait below, in no other thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < 2; i++) {
		ports[i] = atoi(argv[i + 1]);
		fds[i] = divert_open_port(ports[i]);
	}
	pthread_create(&th, NULL, sender, NULL);
	for (i = 0; i < 2; i++)
		pthread_create(&th, NULL, reader, (void *)i);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		for (i = 0; i < 2; i++) {
			sprintf(prefix, "stats %d ", ports[i]);
			print_stats(prefix, fds[i]);
		}
	}
}
