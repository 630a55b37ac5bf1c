/* Shared bits of the divert test programs: 1999-style C, the way divert programs were
 * written (struct iphdr overlays, hand-made checksums). */
#ifndef DIVERT_TEST_COMMON_H
#define DIVERT_TEST_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#define IPPROTO_DIVERT 254
#define BUFSIZE 65535

/* select() on fd alone for at most usec microseconds: > 0 when readable. */
static __attribute__((unused)) int wait_readable(int fd, long usec)
{
	fd_set rfds;
	struct timeval tv;
	FD_ZERO(&rfds);
	FD_SET(fd, &rfds);
	tv.tv_sec = usec / 1000000;
	tv.tv_usec = usec % 1000000;
	return select(fd + 1, &rfds, NULL, NULL, &tv);
}

static __attribute__((unused)) int divert_open_port(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
	if (fd == -1) {
		fprintf(stderr, "socket: %s\n", strerror(errno));
		exit(1);
	}
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		fprintf(stderr, "bind %d: %s\n", port, strerror(errno));
		exit(1);
	}
	return fd;
}

static __attribute__((unused)) unsigned short cksum(const void *data, int len, unsigned long sum)
{
	const unsigned char *p = data;
	while (len > 1) {
		sum += (p[0] << 8) | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((unsigned short)~sum);
}

/* Recomputes the UDP checksum (and, for good measure, the IP header's). */
static __attribute__((unused)) void fix_udp(unsigned char *pkt)
{
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *udp = (struct udphdr *)(pkt + ip->ihl * 4);
	int ulen = ntohs(udp->len);
	unsigned long sum = 0;
	const unsigned char *a = (const unsigned char *)&ip->saddr;
	int i;
	for (i = 0; i < 8; i += 2)
		sum += (a[i] << 8) | a[i + 1];
	sum += IPPROTO_UDP + ulen;
	udp->check = 0;
	udp->check = cksum(udp, ulen, sum);
	if (udp->check == 0)
		udp->check = 0xffff;
	ip->check = 0;
	ip->check = cksum(ip, ip->ihl * 4, 0);
}

/* A UDP datagram from src:sport to dst:dport carrying text; returns its length. */
static __attribute__((unused)) int build_udp(unsigned char *pkt, const char *src, int sport, const char *dst, int dport,
		     const char *text)
{
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *udp = (struct udphdr *)(pkt + 20);
	int n = strlen(text);
	memset(pkt, 0, 28);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(28 + n);
	ip->saddr = inet_addr(src);
	ip->daddr = inet_addr(dst);
	udp->source = htons(sport);
	udp->dest = htons(dport);
	udp->len = htons(8 + n);
	memcpy(pkt + 28, text, n);
	fix_udp(pkt);
	return 28 + n;
}

#endif
