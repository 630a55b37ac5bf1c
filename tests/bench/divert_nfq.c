/* Reference of the divert benchmark: the minimal NFQUEUE listener a program would write
 * without libdivert (libnetfilter_queue's libmnl-based API): one netlink read and one
 * NF_ACCEPT verdict per packet. Queue settings match what libdivert's bind() asks for
 * (copy whole packets, queue length 4096, 4 MiB receive buffer), so the two differ only in
 * the loop.
 *
 * usage: divert_nfq QUEUE    (prints "ready" when bound, "packets <n> cpu_us <t> maxrss_kib
 *                            <m>" on SIGTERM) */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "divert_common.h"

static struct mnl_socket *nl;
static unsigned queue_num;
static unsigned long long packets;

static int on_packet(const struct nlmsghdr *nlh, void *data)
{
	char buf[256]; /* a verdict message: header and two small attributes */
	struct nlattr *attr[NFQA_MAX + 1] = {0};
	struct nfqnl_msg_packet_hdr *ph;
	struct nlmsghdr *v;

	(void)data;
	if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL)
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	v = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, queue_num);
	nfq_nlmsg_verdict_put(v, ntohl(ph->packet_id), NF_ACCEPT);
	if (mnl_socket_sendto(nl, v, v->nlmsg_len) < 0)
		return MNL_CB_ERROR;
	packets++;
	return MNL_CB_OK;
}

static int config(struct nlmsghdr *nlh)
{
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	/* One queued-packet message: a whole datagram plus its attributes. */
	static char buf[0xffff + 4096];
	struct nlmsghdr *nlh;
	unsigned portid;
	int one = 1, rcvbuf = 4 << 20;

	if (argc != 2) {
		fprintf(stderr, "usage: %s QUEUE\n", argv[0]);
		return 2;
	}
	queue_num = strtoul(argv[1], NULL, 10);
	bench_catch_signals(0);

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("mnl_socket_open/bind");
		return 1;
	}
	portid = mnl_socket_get_portid(nl);
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
	/* An overrun costs packets, not the loop: carry on instead of reading an error. */
	mnl_socket_setsockopt(nl, NETLINK_NO_ENOBUFS, &one, sizeof one);

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue_num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	if (config(nlh) < 0) {
		perror("bind queue");
		return 1;
	}
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue_num);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	mnl_attr_put_u32(nlh, NFQA_CFG_QUEUE_MAXLEN, htonl(4096));
	if (config(nlh) < 0) {
		perror("queue params");
		return 1;
	}
	bench_ready();

	while (!bench_stop) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			perror("recv");
			return 1;
		}
		if (mnl_cb_run(buf, n, 0, portid, on_packet, NULL) < 0 && errno != EINTR) {
			perror("verdict");
			return 1;
		}
	}
	bench_report("packets", packets);
	return 0;
}
