/* A local UDP sender with blocking sends and a small send buffer (no divert socket):
 *   udpsend <addr> <port> <count> <size> <sndbuf> <seconds>
 * Sends <count> datagrams of <size> bytes; prints "sent <count> of <count>" and exits 0, or,
 * when <seconds> pass first (a send blocks for good), "stalled after <n> of <count>", exit 1. */
#include "common.h"
#include <signal.h>

static volatile int sent;
static int count;

static void on_alarm(int sig)
{
	char msg[64];
	(void)sig;
	sprintf(msg, "stalled after %d of %d\n", sent, count);
	write(1, msg, strlen(msg));
	_exit(1);
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst;
	char data[BUFSIZE];
	int fd, size, sndbuf;

	if (argc != 7) {
		fprintf(stderr, "usage: %s <addr> <port> <count> <size> <sndbuf> <seconds>\n", argv[0]);
		return 2;
	}
	count = atoi(argv[3]);
	size = atoi(argv[4]);
	sndbuf = atoi(argv[5]);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) != 0) {
		fprintf(stderr, "socket: %s\n", strerror(errno));
		return 1;
	}
	memset(&dst, 0, sizeof dst);
	dst.sin_family = AF_INET;
	dst.sin_port = htons(atoi(argv[2]));
	dst.sin_addr.s_addr = inet_addr(argv[1]);
	memset(data, 'x', sizeof data);
	signal(SIGALRM, on_alarm);
	alarm(atoi(argv[6]));
	while (sent < count) {
		if (sendto(fd, data, size, 0, (struct sockaddr *)&dst, sizeof dst) != size) {
			fprintf(stderr, "sendto: %s\n", strerror(errno));
			return 1;
		}
		sent++;
	}
	printf("sent %d of %d\n", sent, count);
	return 0;
}
