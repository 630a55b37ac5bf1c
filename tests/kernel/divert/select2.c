/* Two divert sockets in one select() loop, as old multiplexing interceptors were written.
 *   select2 <port1> <port2> <count>
 * Prints "<port> <len>" per packet, reinjects it, exits after <count> packets. */
#include "common.h"
#include <sys/select.h>

int main(int argc, char **argv)
{
	int fd[2], port[2], i, n, got = 0, count;
	unsigned char packet[BUFSIZE];
	struct sockaddr_in sin;
	socklen_t sinlen;
	fd_set rset;

	if (argc != 4) {
		fprintf(stderr, "usage: %s <port1> <port2> <count>\n", argv[0]);
		return 2;
	}
	for (i = 0; i < 2; i++) {
		port[i] = atoi(argv[i + 1]);
		fd[i] = divert_open_port(port[i]);
	}
	count = atoi(argv[3]);
	printf("ready\n");
	fflush(stdout);
	while (got < count) {
		FD_ZERO(&rset);
		FD_SET(fd[0], &rset);
		FD_SET(fd[1], &rset);
		if (select((fd[0] > fd[1] ? fd[0] : fd[1]) + 1, &rset, NULL, NULL, NULL) < 0) {
			fprintf(stderr, "select: %s\n", strerror(errno));
			return 1;
		}
		for (i = 0; i < 2; i++) {
			if (!FD_ISSET(fd[i], &rset))
				continue;
			sinlen = sizeof sin;
			n = recvfrom(fd[i], packet, BUFSIZE, 0, (struct sockaddr *)&sin, &sinlen);
			if (n < 0) {
				fprintf(stderr, "recvfrom: %s\n", strerror(errno));
				return 1;
			}
			printf("%d %d\n", port[i], n);
			fflush(stdout);
			if (sendto(fd[i], packet, n, 0, (struct sockaddr *)&sin, sinlen) != n) {
				fprintf(stderr, "sendto: %s\n", strerror(errno));
				return 1;
			}
			got++;
		}
	}
	return 0;
}
