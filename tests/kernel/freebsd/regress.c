/*
 * The shape of FreeBSD's divert regression test, on FreeBSD 14's API: create and close; create,
 * bind and close; two sockets on two ports; a second socket on a taken port fails with
 * EADDRINUSE; once the first is closed the port is free again.
 *   regress <port>
 * Prints "ok <step>" per step, exits 0 when all passed.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
divert_create(const char *step)
{
	int s;

	s = socket(PF_DIVERT, SOCK_RAW, 0);
	if (s < 0)
		err(1, "%s: socket(PF_DIVERT, SOCK_RAW, 0)", step);
	return (s);
}

static void
divert_bind(const char *step, int s, unsigned short port, int expect)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		if (expect == 0)
			err(1, "%s: bind(%u)", step, port);
		if (errno != expect)
			errx(1, "%s: bind(%u): %s, expected %s", step, port,
			    strerror(errno), strerror(expect));
	} else if (expect != 0)
		errx(1, "%s: bind(%u) succeeded, expected %s", step, port,
		    strerror(expect));
}

static void
divert_close(const char *step, int s)
{
	if (close(s) < 0)
		err(1, "%s: close", step);
}

int
main(int argc, char *argv[])
{
	unsigned short port;
	int s1, s2;

	if (argc != 2)
		errx(2, "usage: regress <port>");
	port = (unsigned short)atoi(argv[1]);

	s1 = divert_create("create_close");
	divert_close("create_close", s1);
	printf("ok create_close\n");

	s1 = divert_create("create_bind_close");
	divert_bind("create_bind_close", s1, port, 0);
	divert_close("create_bind_close", s1);
	printf("ok create_bind_close\n");

	s1 = divert_create("two_ports");
	s2 = divert_create("two_ports");
	divert_bind("two_ports", s1, port, 0);
	divert_bind("two_ports", s2, port + 1, 0);
	divert_close("two_ports", s1);
	divert_close("two_ports", s2);
	printf("ok two_ports\n");

	s1 = divert_create("same_port");
	s2 = divert_create("same_port");
	divert_bind("same_port", s1, port, 0);
	divert_bind("same_port", s2, port, EADDRINUSE);
	printf("ok same_port_eaddrinuse\n");
	divert_close("same_port", s1);
	divert_bind("same_port_after_close", s2, port, 0);
	divert_close("same_port_after_close", s2);
	printf("ok same_port_after_close\n");
	return (0);
}
