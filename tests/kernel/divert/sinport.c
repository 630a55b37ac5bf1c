/* What recvfrom() puts in sin_port: the position of the DIVERT rule in its chain.
 *   sinport <port> <count> pass|zero
 * For each of <count> packets (5 s at most for each) prints "<i> port <sin_port> addr <a>"
 * (sin_port as a plain integer, no ntohs) and writes it back: pass = with the address
 * unchanged (reinjection), zero = with the address zeroed but for sin_family (an outbound
 * injection). Then reads for 0.5 s more, reinjects anything else that came and prints
 * "extra <n>". Exit 0 when all <count> were seen and written. */
#include "common.h"
#include <sys/select.h>
#include <sys/time.h>

int main(int argc, char **argv)
{
	int fd, n, i, count, extra = 0, zero;
	struct sockaddr_in sin;
	socklen_t sinlen;
	unsigned char packet[BUFSIZE];

	if (argc != 4 || (strcmp(argv[3], "pass") && strcmp(argv[3], "zero"))) {
		fprintf(stderr, "usage: %s <port> <count> pass|zero\n", argv[0]);
		return 2;
	}
	fd = divert_open_port(atoi(argv[1]));
	count = atoi(argv[2]);
	zero = !strcmp(argv[3], "zero");
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < count; i++) {
		if (wait_readable(fd, 5000000) <= 0) {
			fprintf(stderr, "nothing after %d packets\n", i);
			return 1;
		}
		sinlen = sizeof sin;
		n = recvfrom(fd, packet, BUFSIZE, 0, (struct sockaddr *)&sin, &sinlen);
		if (n < 0) {
			fprintf(stderr, "recvfrom: %s\n", strerror(errno));
			return 1;
		}
		printf("%d port %d addr %s\n", i, sin.sin_port, inet_ntoa(sin.sin_addr));
		fflush(stdout);
		if (zero) {
			memset(&sin, 0, sizeof sin);
			sin.sin_family = AF_INET;
		}
		if (sendto(fd, packet, n, 0, (struct sockaddr *)&sin, sinlen) != n) {
			fprintf(stderr, "sendto: %s\n", strerror(errno));
			return 1;
		}
	}
	while (wait_readable(fd, 500000) > 0) {
		sinlen = sizeof sin;
		n = recvfrom(fd, packet, BUFSIZE, 0, (struct sockaddr *)&sin, &sinlen);
		if (n < 0)
			break;
		printf("extra port %d addr %s\n", sin.sin_port, inet_ntoa(sin.sin_addr));
		fflush(stdout);
		sendto(fd, packet, n, 0, (struct sockaddr *)&sin, sinlen);
		if (++extra >= 100)
			break;
	}
	printf("extra %d\n", extra);
	return 0;
}
