/* Memory cost of a divert socket (divert benchmark): resident set size before and after
 * socket(AF_INET, SOCK_RAW, 254) + bind, for a first socket (which also pays the library's
 * one-time state) and the average of SOCKETS further ones. RSS counts what the process
 * touched; the kernel's queue and receive buffer are not in it.
 *
 * usage: divert_mem PORT SOCKETS
 * Prints "first <bytes>" and "each <bytes>" (average over the further sockets). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define IPPROTO_DIVERT 254

static long rss_bytes(void)
{
	long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL || fscanf(f, "%ld %ld", &size, &resident) != 2) {
		perror("/proc/self/statm");
		exit(1);
	}
	fclose(f);
	return resident * sysconf(_SC_PAGESIZE);
}

static void divert_socket(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		perror("divert socket");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	long before, after;
	int port, n, i, probe;

	if (argc != 3) {
		fprintf(stderr, "usage: %s PORT SOCKETS\n", argv[0]);
		return 2;
	}
	port = atoi(argv[1]);
	n = atoi(argv[2]);
	/* Let the hooks resolve libc and stdio set itself up first: those are the program's
	 * costs of linking the library, not of a socket. */
	probe = socket(AF_INET, SOCK_DGRAM, 0);
	close(probe);
	rss_bytes();

	before = rss_bytes();
	divert_socket(port);
	after = rss_bytes();
	printf("first %ld\n", after - before);

	before = rss_bytes();
	for (i = 1; i <= n; i++)
		divert_socket(port + i);
	after = rss_bytes();
	printf("each %ld\n", n > 0 ? (after - before) / n : 0);
	return 0;
}
