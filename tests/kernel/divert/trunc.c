/* Truncation like a raw socket: a short buffer gets the start of the packet, the rest is lost.
 *   trunc <port>
 * Needs two diverted ICMP echo requests (84 bytes each). Prints:
 *   peek <n>          recv(MSG_PEEK) into 64 KiB: the whole length, packet stays queued
 *   short <n>         recvfrom into 20 bytes: 20
 *   truncflag <n> <t> recvmsg into 20 bytes with MSG_TRUNC: the real length, MSG_TRUNC set
 * Both packets are dropped (never written back). */
#include "common.h"

int main(int argc, char **argv)
{
	unsigned char big[BUFSIZE], small[20];
	struct sockaddr_in sin;
	socklen_t sinlen = sizeof sin;
	struct iovec iov;
	struct msghdr msg;
	int fd, n;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <port>\n", argv[0]);
		return 2;
	}
	fd = divert_open_port(atoi(argv[1]));
	printf("ready\n");
	fflush(stdout);
	n = recv(fd, big, sizeof big, MSG_PEEK);
	printf("peek %d\n", n);
	n = recvfrom(fd, small, sizeof small, 0, (struct sockaddr *)&sin, &sinlen);
	printf("short %d %d\n", n, small[9]);
	iov.iov_base = small;
	iov.iov_len = sizeof small;
	memset(&msg, 0, sizeof msg);
	msg.msg_name = &sin;
	msg.msg_namelen = sizeof sin;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	n = recvmsg(fd, &msg, MSG_TRUNC);
	printf("truncflag %d %s\n", n, (msg.msg_flags & MSG_TRUNC) ? "MSG_TRUNC" : "-");
	fflush(stdout);
	return 0;
}
