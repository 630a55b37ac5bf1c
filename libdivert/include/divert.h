/*
 * divert.h - Linux 2.2 divert sockets on a modern kernel (libdivert).
 *
 * Old programs need nothing from this header: they call
 *     socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT)
 * and use bind/recvfrom/sendto exactly as on Linux 2.2 (see divert(7)). They only have to be
 * linked with -ldivert (or run under divert-run).
 *
 * FreeBSD programs call socket(PF_DIVERT, SOCK_RAW, 0) (FreeBSD 14) and get FreeBSD's divert(4)
 * semantics on that socket; PF_DIVERT/AF_DIVERT come from <sys/socket.h> when compiled with
 * `pkg-config --cflags libdivert`, or from here. See divert(7) "FreeBSD semantics".
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

/* FreeBSD's PF_DIVERT is 44, which is AF_XDP on Linux: this value is one no Linux address
 * family uses (AF_MAX is 46 on Linux 6.x), so the kernel itself refuses it (EAFNOSUPPORT)
 * when libdivert is not loaded. Keep it identical to <sys/socket.h>'s compat definition. */
#ifndef PF_DIVERT
#define PF_DIVERT 254
#endif
#ifndef AF_DIVERT
#define AF_DIVERT PF_DIVERT
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
	uint64_t forgotten;       /* reinjections the kernel no longer held (divert(7) "Packet
	                             lifetime"): injected anew, also counted in injected */
	uint64_t lost;            /* ... of which the library had no copy left to inject */
};

/* Socket option, level IPPROTO_DIVERT, value an int: milliseconds a packet read from the
 * socket waits to be written back before it is dropped (as the 2.2 kernel forgot it once read).
 * 0 holds it until written back. Default: $LIBDIVERT_LIFETIME_MS, else 50. See divert(7). */
#define DIVERT_LIFETIME_MS 1

/* Socket option, level IPPROTO_DIVERT, value an int: the divert semantics of this socket.
 * PF_DIVERT sockets start with DIVERT_SEMANTICS_FREEBSD, IPPROTO_DIVERT sockets with
 * DIVERT_SEMANTICS_LINUX22 unless $LIBDIVERT_SEMANTICS is "freebsd". See divert(7). */
#define DIVERT_SEMANTICS 2
#define DIVERT_SEMANTICS_LINUX22 0  /* sin_zero: the packet's cookie; writes matched by it */
#define DIVERT_SEMANTICS_FREEBSD 1  /* sin_zero: the interface name; a write is a new packet */

/* Socket option, level IPPROTO_DIVERT, value an int: nonzero makes recvmsg() deliver the
 * control messages below with every packet (cmsg_level IPPROTO_DIVERT, data one uint32_t
 * each). Off by default: programs that do not ask get msg_controllen 0 as before. */
#define DIVERT_METADATA 3

#define DIVERT_CMSG_IN_IFINDEX  1  /* interface the packet came in on, 0 when none */
#define DIVERT_CMSG_OUT_IFINDEX 2  /* interface it is going out on, 0 when none (yet) */
#define DIVERT_CMSG_HOOK        3  /* where it was diverted: DIVERT_HOOK_* */
#define DIVERT_CMSG_MARK        4  /* its firewall mark (skb mark) as queued */
#define DIVERT_CMSG_UID         5  /* uid of the local socket that sent or receives it; */
#define DIVERT_CMSG_GID         6  /* ... and gid: only present when the kernel knows them */
#define DIVERT_CMSG_RULE        7  /* number of the rule that diverted it (sin_port), 0 unknown */

/* DIVERT_CMSG_HOOK values (the netfilter hooks). */
#define DIVERT_HOOK_PREROUTING  0
#define DIVERT_HOOK_INPUT       1
#define DIVERT_HOOK_FORWARD     2
#define DIVERT_HOOK_OUTPUT      3
#define DIVERT_HOOK_POSTROUTING 4

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
