/*
 * divert.h - Linux 2.2 divert sockets on a modern kernel (libdivert).
 *
 * Old programs need nothing from this header: they call
 *     socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT)
 * and use bind/recvfrom/sendto exactly as on Linux 2.2 (see divert(7)). They only have to be
 * linked with -ldivert (or run under divert-run).
 *
 * New programs may also use the small batch API below. Every function returns -1 and sets
 * errno on failure. Pure C; usable from C++.
 */
#ifndef DIVERT_H
#define DIVERT_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* The HOWTO defines this itself as 254; an identical redefinition is harmless. */
#ifndef IPPROTO_DIVERT
#define IPPROTO_DIVERT 254
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* One packet for divert_recv_batch / divert_send_batch. */
struct divert_packet {
	void *data;               /* packet buffer (IP header first) */
	size_t size;              /* receive: capacity of data */
	size_t len;               /* receive: bytes stored; send: bytes to write */
	size_t orig_len;          /* receive: whole datagram length (> len when truncated) */
	struct sockaddr_in addr;  /* receive: as recvfrom fills it; send: as given to sendto */
	int flags;                /* receive: MSG_TRUNC when truncated; send: unused (0) */
};

struct divert_stats {
	uint64_t received;        /* packets handed to the program */
	uint64_t reinjected;      /* writes recognised as reinjections */
	uint64_t batched;         /* ... of which rode a batched verdict */
	uint64_t injected;        /* writes sent as new packets */
	uint64_t window_drops;    /* pending packets dropped because the window was full */
	uint64_t enobufs;         /* receive-buffer overruns reported by the kernel */
	uint64_t expired;         /* packets dropped because their lifetime ended unwritten */
};

/* Socket option, level IPPROTO_DIVERT, value an int: milliseconds a packet read from the
 * socket waits to be written back before it is dropped (as the 2.2 kernel forgot it once read).
 * 0 holds it until written back. Default: $LIBDIVERT_LIFETIME_MS, else 50. See divert(7). */
#define DIVERT_LIFETIME_MS 1

/* socket(AF_INET, SOCK_RAW | flags, IPPROTO_DIVERT) followed by bind() to port (host order).
 * flags: SOCK_NONBLOCK, SOCK_CLOEXEC. Returns the descriptor. */
int divert_open(unsigned short port, int flags);

/* Receives up to n packets. Waits for the first one unless flags has MSG_DONTWAIT (or the
 * descriptor is non-blocking); takes the rest only if already queued. Returns the count. */
int divert_recv_batch(int fd, struct divert_packet *pkts, unsigned int n, int flags);

/* Writes n packets as sendto() would, one verdict batch where possible. Returns how many
 * were written; stops at the first failure (errno set if none was written). */
int divert_send_batch(int fd, const struct divert_packet *pkts, unsigned int n, int flags);

/* Sends verdicts held back for batching now. Rarely needed: they are flushed before any
 * receive that would wait. */
int divert_flush(int fd);

/* Fills up to size bytes of *st. */
int divert_get_stats(int fd, struct divert_stats *st, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* DIVERT_H */
