/* Reads one packet, waits, then writes it back unchanged with the address recvfrom gave: past
 * the packet's lifetime that is a late write-back.
 *   late_write <port> <delay_ms>
 * Prints "got <len>", then "sendto <result>" ("sendto -1 <error>" on failure) and the socket's
 * counters: "received <r> reinjected <x> injected <i> window_drops <w> expired <e>". Exits 0. */
#include "common.h"
#include <sys/select.h>

#include "lifetime.h"

int main(int argc, char **argv)
{
	int fd, n, r, delay;
	unsigned char packet[BUFSIZE];
	struct sockaddr_in sin;
	socklen_t sinlen = sizeof sin;
	struct timeval tv;

	if (argc != 3) {
		fprintf(stderr, "usage: %s <port> <delay_ms>\n", argv[0]);
		return 2;
	}
	fd = divert_open_port(atoi(argv[1]));
	delay = atoi(argv[2]);
	printf("ready\n");
	fflush(stdout);
	n = recvfrom(fd, packet, BUFSIZE, 0, (struct sockaddr *)&sin, &sinlen);
	if (n < 0) {
		fprintf(stderr, "recvfrom: %s\n", strerror(errno));
		return 1;
	}
	printf("got %d\n", n);
	fflush(stdout);
	tv.tv_sec = delay / 1000;
	tv.tv_usec = delay % 1000 * 1000;
	select(0, NULL, NULL, NULL, &tv);
	r = sendto(fd, packet, n, 0, (struct sockaddr *)&sin, sinlen);
	if (r < 0)
		printf("sendto -1 %s\n", strerror(errno));
	else
		printf("sendto %d\n", r);
	print_stats("", fd);
	return 0;
}
