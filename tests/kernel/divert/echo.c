/* Legacy-style interceptor: divert socket on <port>, read <count> packets, print one line per
 * packet ("<n> <in|out> <ifaddr> <len> <proto>") and write each back unchanged (reinjection).
 * Exit 0 after <count> packets. Written like the HOWTO example, 1999 idioms included.
 * A failed write ends the program, unless the third argument is "keep": then it prints
 * "sendto: <error>" and goes on, as the HOWTO example does (a packet written back after its
 * lifetime is injected, and fails with EPERM when a later rule denies it: divert(7)). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <arpa/inet.h>

#define IPPROTO_DIVERT 254
#define BUFSIZE 65535

int main(int argc, char **argv)
{
	int fd, n, i, count, keep;
	struct sockaddr_in bindPort, sin;
	socklen_t sinlen;
	unsigned char packet[BUFSIZE];
	struct iphdr *hdr = (struct iphdr *)packet;

	if (argc != 3 && !(argc == 4 && strcmp(argv[3], "keep") == 0)) {
		fprintf(stderr, "usage: %s <port> <count> [keep]\n", argv[0]);
		return 2;
	}
	count = atoi(argv[2]);
	keep = argc == 4;
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
	if (fd == -1) {
		fprintf(stderr, "socket: %s\n", strerror(errno));
		return 1;
	}
	memset(&bindPort, 0, sizeof bindPort);
	bindPort.sin_family = AF_INET;
	bindPort.sin_port = htons(atoi(argv[1]));
	if (bind(fd, (struct sockaddr *)&bindPort, sizeof bindPort) != 0) {
		fprintf(stderr, "bind: %s\n", strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < count; i++) {
		sinlen = sizeof sin;
		n = recvfrom(fd, packet, BUFSIZE, 0, (struct sockaddr *)&sin, &sinlen);
		if (n < 0) {
			fprintf(stderr, "recvfrom: %s\n", strerror(errno));
			return 1;
		}
		printf("%d %s %s %d %d\n", i, sin.sin_addr.s_addr ? "in" : "out",
		       inet_ntoa(sin.sin_addr), n, hdr->protocol);
		fflush(stdout);
		if (sendto(fd, packet, n, 0, (struct sockaddr *)&sin, sinlen) != n) {
			fprintf(stderr, "sendto: %s\n", strerror(errno));
			if (!keep)
				return 1;
		}
	}
	return 0;
}
