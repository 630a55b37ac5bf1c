/* Minimal NFQUEUE listener for the DIVERT kernel tests: binds one queue, prints a line per
 * packet and gives each a fixed verdict. It stands in for a divert-socket program without
 * depending on libdivert, so the tests see exactly what the kernel queued.
 *
 * usage: ipchains_nfqlisten QUEUE accept|drop COUNT TIMEOUT-SECONDS
 * Prints "bound QUEUE" once the queue is bound, then per packet
 *   "packet proto P SRC -> DST len L"
 * and exits 0 after COUNT packets, 3 when TIMEOUT-SECONDS pass first, 1 on errors. */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int verdict;
static long remaining;

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
                     void *data)
{
    (void)msg;
    (void)data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    unsigned char *payload = NULL;
    int len = nfq_get_payload(nfa, &payload);
    if (!ph)
        return -1;
    if (len >= (int)sizeof(struct iphdr)) {
        const struct iphdr *ip = (const struct iphdr *)payload;
        char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &ip->saddr, src, sizeof src);
        inet_ntop(AF_INET, &ip->daddr, dst, sizeof dst);
        printf("packet proto %u %s -> %s len %d\n", ip->protocol, src, dst, len);
    } else {
        printf("packet len %d\n", len);
    }
    fflush(stdout);
    remaining--;
    /* The verdict carries no new mark: the kernel keeps the one the DIVERT rule set, which is
     * what tells the resume chain where the packet continues. */
    return nfq_set_verdict(qh, ntohl(ph->packet_id), verdict, 0, NULL);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s QUEUE accept|drop COUNT TIMEOUT-SECONDS\n", argv[0]);
        return 1;
    }
    unsigned queue = (unsigned)strtoul(argv[1], NULL, 10);
    verdict = strcmp(argv[2], "drop") == 0 ? NF_DROP : NF_ACCEPT;
    remaining = strtol(argv[3], NULL, 10);
    long timeout_ms = strtol(argv[4], NULL, 10) * 1000;

    struct nfq_handle *h = nfq_open();
    if (!h) {
        perror("nfq_open");
        return 1;
    }
    struct nfq_q_handle *qh = nfq_create_queue(h, queue, on_packet, NULL);
    if (!qh) {
        fprintf(stderr, "cannot bind queue %u: %s\n", queue, strerror(errno));
        return 1;
    }
    if (nfq_set_mode(qh, NFQNL_COPY_PACKET, 0xffff) < 0) {
        perror("nfq_set_mode");
        return 1;
    }
    printf("bound %u\n", queue);
    fflush(stdout);

    int fd = nfq_fd(h);
    char buf[70000] __attribute__((aligned));
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (remaining > 0) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed >= timeout_ms) {
            printf("timeout\n");
            return 3;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, (int)(timeout_ms - elapsed)) <= 0)
            continue;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == ENOBUFS || errno == EINTR)
                continue;
            perror("recv");
            return 1;
        }
        nfq_handle_packet(h, buf, (int)n);
    }
    nfq_destroy_queue(qh);
    nfq_close(h);
    return 0;
}
