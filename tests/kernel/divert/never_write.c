/* The HOWTO's interceptor built without -DREINJECT: reads every packet diverted to its port and
 * never writes any back, sleeping in select() between reads.
 *   never_write <port> [<lifetime_ms>]
 * <lifetime_ms>: set with setsockopt(IPPROTO_DIVERT, DIVERT_LIFETIME_MS) after bind.
 * Prints "got <n> <proto> <src> -> <dst> <len>" per packet (addr:port for TCP and UDP), and on
 * SIGUSR1 the socket's counters:
 *   "stats received <r> reinjected <x> injected <i> window_drops <w> expired <e>"
 * With NEVER_WRITE_FORK_AFTER=<k> in the environment it forks after reading k packets (so the
 * library's housekeeping thread ran in the parent first): the child goes on reading, the
 * parent waits for it. Runs until killed. */
#include "common.h"
#include <signal.h>
#include <sys/select.h>
#include <sys/wait.h>

#include "lifetime.h"

static int sigpipe[2];

static void on_usr1(int sig)
{
	(void)sig;
	write(sigpipe[1], "s", 1);
}

static const char *endpoint(char *out, unsigned int addr, int proto, const unsigned char *l4,
			    int port_off)
{
	struct in_addr in;
	in.s_addr = addr;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP)
		sprintf(out, "%s:%d", inet_ntoa(in), (l4[port_off] << 8) | l4[port_off + 1]);
	else
		strcpy(out, inet_ntoa(in));
	return out;
}

int main(int argc, char **argv)
{
	int fd, n, got = 0, ms;
	unsigned char packet[BUFSIZE];
	struct iphdr *ip = (struct iphdr *)packet;
	struct sockaddr_in sin;
	socklen_t sinlen;
	struct sigaction sa;
	fd_set rset;
	char src[32], dst[32], proto[8], c;
	const char *fork_env = getenv("NEVER_WRITE_FORK_AFTER");
	int fork_after = fork_env ? atoi(fork_env) : -1;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: %s <port> [<lifetime_ms>]\n", argv[0]);
		return 2;
	}
	fd = divert_open_port(atoi(argv[1]));
	if (argc == 3) {
		ms = atoi(argv[2]);
		if (setsockopt(fd, IPPROTO_DIVERT, DIVERT_LIFETIME_MS, &ms, sizeof ms) != 0) {
			fprintf(stderr, "setsockopt DIVERT_LIFETIME_MS: %s\n", strerror(errno));
			return 1;
		}
	}
	if (pipe(sigpipe) != 0)
		return 1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		FD_ZERO(&rset);
		FD_SET(fd, &rset);
		FD_SET(sigpipe[0], &rset);
		if (select((fd > sigpipe[0] ? fd : sigpipe[0]) + 1, &rset, NULL, NULL, NULL) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "select: %s\n", strerror(errno));
			return 1;
		}
		if (FD_ISSET(sigpipe[0], &rset)) {
			read(sigpipe[0], &c, 1);
			print_stats("stats ", fd);
		}
		if (!FD_ISSET(fd, &rset))
			continue;
		sinlen = sizeof sin;
		n = recvfrom(fd, packet, BUFSIZE, 0, (struct sockaddr *)&sin, &sinlen);
		if (n < 0) {
			fprintf(stderr, "recvfrom: %s\n", strerror(errno));
			return 1;
		}
		switch (ip->protocol) {
		case IPPROTO_ICMP: strcpy(proto, "icmp"); break;
		case IPPROTO_TCP: strcpy(proto, "tcp"); break;
		case IPPROTO_UDP: strcpy(proto, "udp"); break;
		default: sprintf(proto, "%d", ip->protocol);
		}
		printf("got %d %s %s -> %s %d\n", ++got, proto,
		       endpoint(src, ip->saddr, ip->protocol, packet + ip->ihl * 4, 0),
		       endpoint(dst, ip->daddr, ip->protocol, packet + ip->ihl * 4, 2), n);
		fflush(stdout);
		if (got == fork_after) {
			pid_t child = fork();
			if (child < 0) {
				fprintf(stderr, "fork: %s\n", strerror(errno));
				return 1;
			}
			if (child > 0) {  /* the parent only waits: the child reads from now on */
				printf("forked %d\n", (int)child);
				fflush(stdout);
				waitpid(child, NULL, 0);
				return 0;
			}
		}
	}
}
