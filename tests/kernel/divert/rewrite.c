/* Diverted UDP gets changed before it is written back:
 *   rewrite <port> <count> port <newport>   destination port changed
 *   rewrite <port> <count> addr <newaddr>   destination address changed
 *   rewrite <port> <count> grow <text>      text appended to the payload (longer packet)
 * The program fixes the UDP checksum itself, as 2.2 programs had to; the library fixes the IP
 * header (checksum, total length). Prints one line per packet. */
#include "common.h"

int main(int argc, char **argv)
{
	int fd, n, i, count;
	struct sockaddr_in sin;
	socklen_t sinlen;
	unsigned char packet[BUFSIZE];
	struct iphdr *ip = (struct iphdr *)packet;
	struct udphdr *udp;

	if (argc != 5) {
		fprintf(stderr, "usage: %s <port> <count> port|addr|grow <value>\n", argv[0]);
		return 2;
	}
	fd = divert_open_port(atoi(argv[1]));
	count = atoi(argv[2]);
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < count; i++) {
		sinlen = sizeof sin;
		n = recvfrom(fd, packet, BUFSIZE, 0, (struct sockaddr *)&sin, &sinlen);
		if (n < 0) {
			fprintf(stderr, "recvfrom: %s\n", strerror(errno));
			return 1;
		}
		if (ip->protocol != IPPROTO_UDP) {
			sendto(fd, packet, n, 0, (struct sockaddr *)&sin, sinlen);
			i--;
			continue;
		}
		udp = (struct udphdr *)(packet + ip->ihl * 4);
		if (!strcmp(argv[3], "port")) {
			udp->dest = htons(atoi(argv[4]));
		} else if (!strcmp(argv[3], "addr")) {
			ip->daddr = inet_addr(argv[4]);
		} else {
			int add = strlen(argv[4]);
			memcpy(packet + n, argv[4], add);
			n += add;
			udp->len = htons(ntohs(udp->len) + add);
			ip->tot_len = 0; /* the library sets it to the written length */
		}
		fix_udp(packet);
		ip->check = 0x1234; /* wrong on purpose: the library must recompute it */
		printf("%d rewrote %d bytes\n", i, n);
		fflush(stdout);
		if (sendto(fd, packet, n, 0, (struct sockaddr *)&sin, sinlen) != n) {
			fprintf(stderr, "sendto: %s\n", strerror(errno));
			return 1;
		}
	}
	return 0;
}
