/* Reads packets and never writes them back: they are dropped.
 *   drop <port> <count> [hold|close|stats]
 * After <count> packets: prints "done", then
 *   hold   waits to be killed, holding the packets it read
 *   close  closes the socket, then waits to be killed
 *   stats  prints the library's counters (received, window_drops) and exits */
#include "common.h"
#include <divert.h>

int main(int argc, char **argv)
{
	int fd, n, i, count;
	unsigned char packet[BUFSIZE];
	const char *then = argc > 3 ? argv[3] : "";

	if (argc < 3) {
		fprintf(stderr, "usage: %s <port> <count> [hold|close|stats]\n", argv[0]);
		return 2;
	}
	fd = divert_open_port(atoi(argv[1]));
	count = atoi(argv[2]);
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < count; i++) {
		n = read(fd, packet, BUFSIZE);
		if (n < 0) {
			fprintf(stderr, "read: %s\n", strerror(errno));
			return 1;
		}
	}
	printf("done %d\n", count);
	fflush(stdout);
	if (!strcmp(then, "stats")) {
		struct divert_stats st;
		if (divert_get_stats(fd, &st, sizeof st) != 0) {
			fprintf(stderr, "divert_get_stats: %s\n", strerror(errno));
			return 1;
		}
		printf("received %llu window_drops %llu\n", (unsigned long long)st.received,
		       (unsigned long long)st.window_drops);
		return 0;
	}
	if (!strcmp(then, "close"))
		close(fd);
	if (!strcmp(then, "hold") || !strcmp(then, "close"))
		for (;;)
			pause();
	return 0;
}
