/* The socket-level behaviour of divert sockets, one line per check: "<check> <result>".
 *   sockapi <port>
 * <port> and <port>+1 must be free. Needs no traffic. The last check drops the process's
 * CAP_NET_ADMIN/CAP_NET_RAW and expects socket() to fail with EPERM. */
#include "common.h"
#include <fcntl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>

static const char *ename(int rc)
{
	if (rc >= 0)
		return "OK";
	switch (errno) {
	case EADDRINUSE: return "EADDRINUSE";
	case EINVAL: return "EINVAL";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case ENOTCONN: return "ENOTCONN";
	case EAGAIN: return "EAGAIN";
	case EPERM: return "EPERM";
	case EBADF: return "EBADF";
	default: return strerror(errno);
	}
}

static int do_bind(int fd, int port, int family, socklen_t len)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = family;
	sin.sin_port = htons(port);
	return bind(fd, (struct sockaddr *)&sin, len);
}

static int port_of(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	if (getsockname(fd, (struct sockaddr *)&sin, &len) != 0 || sin.sin_family != AF_INET ||
	    len != sizeof sin)
		return -1;
	return ntohs(sin.sin_port);
}

static int opt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof v;
	getsockopt(fd, level, name, &v, &len);
	return v;
}

int main(int argc, char **argv)
{
	int port, a, b, c, d, e, f, g, n;
	unsigned char buf[BUFSIZE];
	struct stat st;
	fd_set rset;
	struct timeval tv = {0, 0};
	struct in_addr ifa;

	if (argc != 2)
		return 2;
	port = atoi(argv[1]);
	a = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
	printf("socket %s\n", ename(a));
	printf("SO_TYPE %d SO_PROTOCOL %d SO_DOMAIN %d\n", opt(a, SOL_SOCKET, SO_TYPE),
	       opt(a, SOL_SOCKET, SO_PROTOCOL), opt(a, SOL_SOCKET, SO_DOMAIN));
	printf("fstat-socket %s\n", fstat(a, &st) == 0 && S_ISSOCK(st.st_mode) ? "OK" : "no");
	printf("bind-short-len %s\n", ename(do_bind(a, port, AF_INET, 8)));
	printf("bind-inet6 %s\n", ename(do_bind(a, port, AF_INET6, sizeof(struct sockaddr_in))));
	printf("bind %s\n", ename(do_bind(a, port, AF_INET, sizeof(struct sockaddr_in))));
	printf("getsockname %d\n", port_of(a) == port);
	printf("rebind %s\n", ename(do_bind(a, port + 1, AF_INET, sizeof(struct sockaddr_in))));
	b = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
	printf("bind-taken %s\n", ename(do_bind(b, port, AF_INET, sizeof(struct sockaddr_in))));
	printf("bind-other %s\n", ename(do_bind(b, port + 1, AF_INET, sizeof(struct sockaddr_in))));
	c = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
	n = do_bind(c, 0, AF_INET, sizeof(struct sockaddr_in));
	printf("bind-0 %s picked %s\n", ename(n), port_of(c) > 0 ? "yes" : "no");
	printf("getpeername %s\n", ename(getpeername(a, (struct sockaddr *)buf, (socklen_t *)&n)));
	printf("recv-dontwait %s\n", ename(recv(a, buf, sizeof buf, MSG_DONTWAIT)));
	FD_ZERO(&rset);
	FD_SET(a, &rset);
	printf("select-idle %d\n", select(a + 1, &rset, NULL, NULL, &tv));
	errno = 0;
	ifa.s_addr = htonl(INADDR_LOOPBACK);
	n = setsockopt(a, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof ifa);
	printf("IP_MULTICAST_IF %d errno %d\n", n, errno);

	/* copies of the descriptor are the same socket */
	d = dup(a);
	e = dup2(a, 100);
	f = fcntl(a, F_DUPFD, 200);
	g = fcntl(a, F_DUPFD_CLOEXEC, 300);
	printf("dup %d dup2 %d F_DUPFD %d F_DUPFD_CLOEXEC %d\n", port_of(d) == port,
	       port_of(e) == port, port_of(f) == port, port_of(g) == port);
	fcntl(d, F_SETFL, fcntl(d, F_GETFL) | O_NONBLOCK);
	printf("read-nonblock %s\n", ename(read(a, buf, sizeof buf)));
	close(a);
	printf("after-close-original %d\n", port_of(d) == port);
	printf("closed-fd %s\n", ename(port_of(a)));
	close(d);
	close(e);
	close(f);
	printf("still-bound %s\n",
	       ename(do_bind(socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT), port, AF_INET,
			     sizeof(struct sockaddr_in))));
	close(g);
	a = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
	printf("released %s\n", ename(do_bind(a, port, AF_INET, sizeof(struct sockaddr_in))));

	a = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_DIVERT);
	printf("type-flags %d %d\n", (fcntl(a, F_GETFL) & O_NONBLOCK) != 0,
	       (fcntl(a, F_GETFD) & FD_CLOEXEC) != 0);

	{
		struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct cd[2];
		syscall(SYS_capget, &h, cd);
		cd[0].effective &= ~((1u << CAP_NET_ADMIN) | (1u << CAP_NET_RAW));
		syscall(SYS_capset, &h, cd);
		printf("no-caps %s\n", ename(socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT)));
	}
	return 0;
}
