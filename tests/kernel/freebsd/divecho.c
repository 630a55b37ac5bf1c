/*
 * Receive-and-write-back helper on FreeBSD 14's divert(4) API.
 *   divecho [-i] [-s] [-m|-r] [-h] [-c count] [-w pass|rewrite|byname|byaddr|any] port
 * -i: socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT) instead of PF_DIVERT; -s: then ask for
 * FreeBSD semantics with setsockopt(DIVERT_SEMANTICS). -m: DIVERT_METADATA on, read with
 * recvmsg and print the control messages; -r: read with recvmsg without asking.
 * Per packet prints
 *   <i> port <sin_port> addr <sin_addr> zero <sin_zero as a string, "-" if empty> hex <8 bytes>
 * then writes it back: pass = as read; rewrite = the last payload byte upper-cased (UDP
 * checksum cleared; IPv4 or IPv6) with the address as read; byname = rewritten, sin_addr 192.0.2.1 and the
 * name left in sin_zero; byaddr = rewritten, sin_zero cleared; any = rewritten, INADDR_ANY.
 * -h: hold the <count> (at most 8) packets, write them back in order once all were read.
 * Prints "ready" once bound, "extra <n>" for packets that came in the 0.5 s after <count>.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/select.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <divert.h>
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int metadata, use_recvmsg;

static int
readable(int s, long usec)
{
	fd_set r;
	struct timeval tv;

	FD_ZERO(&r);
	FD_SET(s, &r);
	tv.tv_sec = usec / 1000000;
	tv.tv_usec = usec % 1000000;
	return (select(s + 1, &r, NULL, NULL, &tv));
}

static ssize_t
receive(int s, unsigned char *buf, size_t size, struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	union {
		struct cmsghdr align;
		unsigned char space[256];
	} control;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *c;
	ssize_t n;
	uint32_t v;

	if (!use_recvmsg)
		return (recvfrom(s, buf, size, 0, (struct sockaddr *)sin, &len));
	iov.iov_base = buf;
	iov.iov_len = size;
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = sin;
	msg.msg_namelen = sizeof(*sin);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.space;
	msg.msg_controllen = sizeof(control.space);
	n = recvmsg(s, &msg, 0);
	if (n < 0)
		return (n);
	if (msg.msg_controllen == 0)
		printf("cmsg none\n");
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != IPPROTO_DIVERT || c->cmsg_len != CMSG_LEN(sizeof(v))) {
			printf("cmsg unexpected level %d len %zu\n", c->cmsg_level,
			    (size_t)c->cmsg_len);
			continue;
		}
		memcpy(&v, CMSG_DATA(c), sizeof(v));
		switch (c->cmsg_type) {
		case DIVERT_CMSG_IN_IFINDEX: printf("cmsg in %u\n", v); break;
		case DIVERT_CMSG_OUT_IFINDEX: printf("cmsg out %u\n", v); break;
		case DIVERT_CMSG_HOOK: printf("cmsg hook %u\n", v); break;
		case DIVERT_CMSG_MARK: printf("cmsg mark 0x%x\n", v); break;
		case DIVERT_CMSG_UID: printf("cmsg uid %u\n", v); break;
		case DIVERT_CMSG_GID: printf("cmsg gid %u\n", v); break;
		case DIVERT_CMSG_RULE: printf("cmsg rule %u\n", v); break;
		default: printf("cmsg type %d\n", c->cmsg_type);
		}
	}
	if (msg.msg_flags & MSG_CTRUNC)
		printf("cmsg truncated\n");
	return (n);
}

/* Upper-cases the last byte of a UDP payload and clears the UDP checksum (0: none; IPv6
 * needs one, which the library computes for a changed packet). IPv4 or IPv6 by the version
 * nibble, as on FreeBSD. */
static void
rewrite(unsigned char *pkt, ssize_t n)
{
	struct ip *ip = (struct ip *)pkt;
	size_t hl = (size_t)ip->ip_hl * 4;
	int proto = ip->ip_p;
	struct udphdr *uh;

	if ((pkt[0] >> 4) == 6) {
		hl = 40;
		proto = pkt[6];
	}
	if (proto != IPPROTO_UDP || (size_t)n <= hl + sizeof(*uh))
		return;
	uh = (struct udphdr *)(pkt + hl);
	uh->uh_sum = 0;
	pkt[n - 1] = (unsigned char)toupper(pkt[n - 1]);
}

static void
show(int i, const char *what, const struct sockaddr_in *sin, const unsigned char *pkt, ssize_t n)
{
	char zero[sizeof(sin->sin_zero) + 1];
	size_t k;

	memcpy(zero, sin->sin_zero, sizeof(sin->sin_zero));
	zero[sizeof(sin->sin_zero)] = '\0';
	printf("%s%d port %u addr %s zero %s hex ", what, i, sin->sin_port,
	    inet_ntoa(sin->sin_addr), zero[0] ? zero : "-");
	for (k = 0; k < sizeof(sin->sin_zero); k++)
		printf("%02x", sin->sin_zero[k]);
	printf(" v%d len %zd\n", pkt[0] >> 4, n);
	fflush(stdout);
}

int
main(int argc, char *argv[])
{
	const char *mode = "pass";
	int s, ch, inet = 0, ask = 0, count = 1, i, extra = 0, hold = 0;
	static unsigned char pkt[65535];
	static unsigned char held[8][65535];
	struct sockaddr_in held_sin[8];
	ssize_t held_n[8];
	struct sockaddr_in sin;
	ssize_t n;
	int one = 1;

	while ((ch = getopt(argc, argv, "ismrhc:w:")) != -1) {
		switch (ch) {
		case 'i': inet = 1; break;
		case 's': ask = 1; break;
		case 'm': metadata = use_recvmsg = 1; break;
		case 'r': use_recvmsg = 1; break;
		case 'c': count = atoi(optarg); break;
		case 'h': hold = 1; break;
		case 'w': mode = optarg; break;
		default: errx(2, "bad option");
		}
	}
	if (optind + 1 != argc)
		errx(2, "usage: divecho [-i] [-s] [-m|-r] [-h] [-c count] [-w mode] port");
	if (hold && (count < 1 || count > 8))
		errx(2, "-h holds 1 to 8 packets");
	s = inet ? socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT) : socket(PF_DIVERT, SOCK_RAW, 0);
	if (s < 0)
		err(1, "socket");
	if (ask) {
		int v = DIVERT_SEMANTICS_FREEBSD;
		if (setsockopt(s, IPPROTO_DIVERT, DIVERT_SEMANTICS, &v, sizeof(v)) < 0)
			err(1, "setsockopt(DIVERT_SEMANTICS)");
	}
	if (metadata && setsockopt(s, IPPROTO_DIVERT, DIVERT_METADATA, &one, sizeof(one)) < 0)
		err(1, "setsockopt(DIVERT_METADATA)");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[optind]));
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		err(1, "bind");
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < count; i++) {
		if (readable(s, 5000000) <= 0)
			errx(1, "nothing after %d packets", i);
		if ((n = receive(s, pkt, sizeof(pkt), &sin)) < 0)
			err(1, "receive");
		show(i, "", &sin, pkt, n);
		if (strcmp(mode, "pass") != 0) {
			rewrite(pkt, n);
			if (strcmp(mode, "byname") == 0)
				sin.sin_addr.s_addr = inet_addr("192.0.2.1");
			else if (strcmp(mode, "byaddr") == 0)
				memset(sin.sin_zero, 0, sizeof(sin.sin_zero));
			else if (strcmp(mode, "any") == 0)
				sin.sin_addr.s_addr = INADDR_ANY;
		}
		if (hold) {
			memcpy(held[i], pkt, (size_t)n);
			held_sin[i] = sin;
			held_n[i] = n;
			continue;
		}
		if (sendto(s, pkt, (size_t)n, 0, (struct sockaddr *)&sin, sizeof(sin)) != n)
			err(1, "sendto");
	}
	for (i = 0; hold && i < count; i++)
		if (sendto(s, held[i], (size_t)held_n[i], 0, (struct sockaddr *)&held_sin[i],
		    sizeof(held_sin[i])) != held_n[i])
			err(1, "sendto");
	/* Anything diverted again (or more) is written back as read, and counted. */
	while (extra < 100 && readable(s, 500000) > 0) {
		if ((n = receive(s, pkt, sizeof(pkt), &sin)) < 0)
			err(1, "receive");
		show(extra++, "late ", &sin, pkt, n);
		sendto(s, pkt, (size_t)n, 0, (struct sockaddr *)&sin, sizeof(sin));
	}
	printf("extra %d\n", extra);
	return (0);
}
