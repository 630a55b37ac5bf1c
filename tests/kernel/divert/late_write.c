/* Reads one packet, waits, then writes it back with the address recvfrom gave: past the
 * packet's lifetime that is a late write-back.
 *   late_write <port> <delay_ms> [<linger_ms>|close [<tos>]]
 * Prints "got <len>", then "sendto <result>" ("sendto -1 <error>" on failure) and the socket's
 * counters: "received <r> reinjected <x> injected <i> window_drops <w> expired <e>". With
 * linger_ms, it then waits that long for the socket to become readable and reads once without
 * waiting, as a program's next read would, and prints "forgotten <f> lost <l>" (divert.h);
 * with "close" instead, it closes the socket and prints "closed".
 * With tos, the packet's TOS byte is set to it before the write (a changed packet). Exits 0. */
#include "common.h"
#include <sys/select.h>

#include "lifetime.h"

int main(int argc, char **argv)
{
	int fd, n, r, delay, linger = -1, close_after = 0;
	unsigned char packet[BUFSIZE];
	struct sockaddr_in sin;
	socklen_t sinlen = sizeof sin;
	struct timeval tv;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: %s <port> <delay_ms> [<linger_ms>|close [<tos>]]\n", argv[0]);
		return 2;
	}
	fd = divert_open_port(atoi(argv[1]));
	delay = atoi(argv[2]);
	if (argc > 3 && strcmp(argv[3], "close") == 0)
		close_after = 1;
	else if (argc > 3)
		linger = atoi(argv[3]);
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
	if (argc > 4)
		packet[1] = (unsigned char)strtol(argv[4], NULL, 0);
	r = sendto(fd, packet, n, 0, (struct sockaddr *)&sin, sinlen);
	if (r < 0)
		printf("sendto -1 %s\n", strerror(errno));
	else
		printf("sendto %d\n", r);
	print_stats("", fd);
	if (close_after) {
		close(fd);
		printf("closed\n");
	}
	if (linger >= 0) {
		struct divert_stats st;
		if (wait_readable(fd, linger * 1000L) > 0)
			recv(fd, packet, BUFSIZE, MSG_DONTWAIT);
		memset(&st, 0, sizeof st);
		divert_get_stats(fd, &st, sizeof st);
		printf("forgotten %llu lost %llu\n", (unsigned long long)st.forgotten,
		       (unsigned long long)st.lost);
	}
	return 0;
}
