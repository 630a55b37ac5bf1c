/*
 * Every socket family but PF_DIVERT passes through libdivert untouched: for each family up to
 * AF_MAX + 8 and the common types, socket() (libdivert's) and the raw system call agree on
 * success, errno and SO_DOMAIN/SO_TYPE/SO_PROTOCOL. AF_XDP (44, FreeBSD's PF_DIVERT number)
 * must be a real XDP socket. PF_DIVERT without the library is refused by the kernel.
 *   families
 * Prints "xdp <result>", "divert <result>", "same <n>" and one "differs ..." line per
 * disagreement; exits 0 when none differed.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <netinet/in.h>

#include <divert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

static void
describe(int s, char *out, size_t size)
{
	int d = -1, t = -1, p = -1;
	socklen_t l;

	l = sizeof(d);
	getsockopt(s, SOL_SOCKET, SO_DOMAIN, &d, &l);
	l = sizeof(t);
	getsockopt(s, SOL_SOCKET, SO_TYPE, &t, &l);
	l = sizeof(p);
	getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &p, &l);
	snprintf(out, size, "domain %d type %d protocol %d", d, t, p);
}

/* "error <errno>" or the socket's description; the socket is closed. */
static void
try_socket(int hooked, int family, int type, int protocol, char *out, size_t size)
{
	int s;

	s = hooked ? socket(family, type, protocol) :
	    (int)syscall(SYS_socket, family, type, protocol);
	if (s < 0) {
		snprintf(out, size, "error %s", strerror(errno));
		return;
	}
	describe(s, out, size);
	close(s);
}

int
main(void)
{
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET };
	char a[128], b[128];
	int family, k, same = 0, differ = 0, s;
	struct { unsigned long long v[8]; } stats;
	socklen_t l;

	for (family = 0; family <= AF_MAX + 8; family++) {
		for (k = 0; k < (int)(sizeof(types) / sizeof(types[0])); k++) {
			if (family == PF_DIVERT)
				continue;
			try_socket(1, family, types[k], 0, a, sizeof(a));
			try_socket(0, family, types[k], 0, b, sizeof(b));
			if (strcmp(a, b) == 0) {
				same++;
			} else {
				differ++;
				printf("differs family %d type %d: libdivert '%s' kernel '%s'\n",
				    family, types[k], a, b);
			}
		}
	}
	/* A real AF_XDP socket answers XDP's own options (statistics of an unbound socket:
	 * EINVAL or success, but never ENOPROTOOPT as another family would). */
	s = socket(AF_XDP, SOCK_RAW, 0);
	if (s < 0) {
		printf("xdp error %s\n", strerror(errno));
	} else {
		describe(s, a, sizeof(a));
		l = sizeof(stats);
		if (getsockopt(s, SOL_XDP, 7 /* XDP_STATISTICS */, &stats, &l) == 0 ||
		    errno != ENOPROTOOPT)
			printf("xdp real %s\n", a);
		else
			printf("xdp not-xdp %s\n", a);
		close(s);
	}
	s = (int)syscall(SYS_socket, PF_DIVERT, SOCK_RAW, 0);
	printf("divert kernel %s\n", s < 0 ? strerror(errno) : "accepted");
	try_socket(1, PF_DIVERT, SOCK_RAW, 0, a, sizeof(a));
	printf("divert libdivert %s\n", a);
	printf("same %d\n", same);
	return (differ != 0);
}
