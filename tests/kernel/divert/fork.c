/* fork(): the child keeps using the divert socket the parent bound.
 *   fork <port> <count> [parent-closes]
 * The child reinjects <count> packets and exits; the parent waits for it (after closing its
 * own copy of the descriptor when asked) and exits with the child's status. */
#include "common.h"
#include <sys/wait.h>

int main(int argc, char **argv)
{
	int fd, n, i, count, status;
	pid_t pid;
	unsigned char packet[BUFSIZE];
	struct sockaddr_in sin;
	socklen_t sinlen;

	if (argc < 3) {
		fprintf(stderr, "usage: %s <port> <count> [parent-closes]\n", argv[0]);
		return 2;
	}
	fd = divert_open_port(atoi(argv[1]));
	count = atoi(argv[2]);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		printf("ready\n");
		fflush(stdout);
		for (i = 0; i < count; i++) {
			sinlen = sizeof sin;
			n = recvfrom(fd, packet, BUFSIZE, 0, (struct sockaddr *)&sin, &sinlen);
			if (n < 0 || sendto(fd, packet, n, 0, (struct sockaddr *)&sin, sinlen) != n) {
				fprintf(stderr, "child: %s\n", strerror(errno));
				_exit(1);
			}
			printf("child %d %d\n", i, n);
			fflush(stdout);
		}
		_exit(0);
	}
	if (argc > 3)
		close(fd);
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
