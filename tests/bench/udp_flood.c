/* udp_flood ADDR PORT SECONDS FLOWS SIZE: sends SIZE-byte UDP datagrams to ADDR:PORT as fast as
 * it can for SECONDS, from FLOWS sockets (source ports) in turn; prints how many it sent and
 * the CPU time it used in nanoseconds (user + system: on veth, the forwarding of each packet
 * through the router namespace mostly runs in the sender's softirq, on its time).
 * Used by tests/bench/conntrack_cost.sh, which counts what arrives behind the router. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char** argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: udp_flood ADDR PORT SECONDS FLOWS SIZE\n");
        return 2;
    }
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) return 2;
    const double secs = atof(argv[3]);
    const int flows = atoi(argv[4]);
    size_t size = (size_t)atoi(argv[5]);
    if (flows < 1 || size > 1400) return 2;
    int* fd = calloc((size_t)flows, sizeof *fd);
    for (int i = 0; i < flows; ++i) {
        fd[i] = socket(AF_INET, SOCK_DGRAM, 0);
        if (fd[i] < 0 || connect(fd[i], (struct sockaddr*)&to, sizeof to) != 0) {
            perror("udp_flood: socket");
            return 1;
        }
    }
    static char buf[1400];
    struct iovec iov = {buf, size};
    struct mmsghdr msgs[32];
    memset(msgs, 0, sizeof msgs);
    for (int j = 0; j < 32; ++j) {
        msgs[j].msg_hdr.msg_iov = &iov;
        msgs[j].msg_hdr.msg_iovlen = 1;
    }
    long sent = 0;
    const double t0 = now();
    for (long k = 0;; ++k) {
        if ((k & 7) == 0 && now() - t0 >= secs) break;
        int n = sendmmsg(fd[k % flows], msgs, 32, 0);
        if (n > 0) sent += n;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const long long cpu_ns =
        ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
        ((long long)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
    printf("%ld %lld\n", sent, cpu_ns);
    return 0;
}
