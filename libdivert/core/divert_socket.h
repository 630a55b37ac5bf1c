// One emulated divert socket. The descriptor the program holds IS the NFQUEUE netlink socket
// (AF_NETLINK / NETLINK_NETFILTER), so select/poll/epoll readiness is the kernel's own; this
// object holds what the kernel cannot: the bound port, the window of packets handed out and
// not yet given a verdict (each with its expiry time), the verdict batch, and the injection
// sockets.
//
// Lock order (libdivert/README.md "Locks"): registry -> fd_mu_ -> mu_ -> leaf locks (ifaddr,
// inject_in, rule_position, reaper). fd_mu_ and mu_ of two sockets are never held together
// outside the fork handlers.
//
// Every method takes the descriptor the call came through (any dup of the socket works) and
// returns -1/errno like the libc call it serves.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "core/metadata.h"
#include "core/nfqueue.h"
#include "core/packet_copies.h"
#include "core/pending.h"
#include "core/write_back_log.h"
#include "divert.h"

namespace divert {

class DivertSocket {
public:
    // Pending packets per socket; beyond it the oldest is dropped (docs/divert.7 "Packet
    // lifetime"; docs/reference/divert-semantics.md 6.1: an unwritten packet is gone). The
    // kernel queue is longer, so reading never stalls on our window.
    static constexpr size_t kWindow = 1024;
    static constexpr uint32_t kKernelQueueLen = 4096;
    // Raw sockets for outbound injection, one per firewall mark (own port, resume sites) and
    // address family.
    static constexpr size_t kRawMarks = 8;
    // Unchanged in-order reinjections wait for at most this many before a batch verdict.
    static constexpr unsigned kBatchMax = 64;
    // Copies of the packets handed out (packet_copies.h): a batch of 64 MTU-sized packets
    // and more; a program that holds packets longer pays a hash per packet instead.
    static constexpr size_t kCopyBytes = 256 * 1024;
    // Write-backs remembered in case the kernel forgot their packet (write_back_log.h): a few
    // batches' worth, as the kernel's refusal comes back on the next receive.
    static constexpr size_t kWriteBackLog = 4 * kBatchMax;

    // domain: what socket() was called with (AF_INET or PF_DIVERT, for SO_DOMAIN);
    // semantics: DIVERT_SEMANTICS_LINUX22 or DIVERT_SEMANTICS_FREEBSD (docs/divert.7).
    explicit DivertSocket(int domain = AF_INET, int semantics = DIVERT_SEMANTICS_LINUX22);
    ~DivertSocket();
    DivertSocket(const DivertSocket&) = delete;
    DivertSocket& operator=(const DivertSocket&) = delete;

    int bind(int fd, const sockaddr* addr, socklen_t len);
    // One packet into iov. flags: MSG_DONTWAIT, MSG_PEEK, MSG_TRUNC. *msg_flags gets MSG_TRUNC
    // when the packet did not fit. meta, when not null, gets the packet's metadata.
    ssize_t recv(int fd, const iovec* iov, size_t iovcnt, int flags, sockaddr* from,
                 socklen_t* fromlen, int* msg_flags, Metadata* meta = nullptr);
    ssize_t send(int fd, const void* buf, size_t len, int flags, const sockaddr* to,
                 socklen_t tolen);
    // divert_recv_batch / divert_send_batch (divert.h).
    int recv_batch(int fd, divert_packet* pkts, unsigned n, int flags);
    int send_batch(int fd, const divert_packet* pkts, unsigned n, int flags);

    int setsockopt(int fd, int level, int name, const void* val, socklen_t len);
    int getsockopt(int fd, int level, int name, void* val, socklen_t* len);
    int getsockname(sockaddr* addr, socklen_t* len);

    // Sends the held-back batch verdict now.
    int flush(int fd);
    // The last descriptor of this socket in this process is about to close.
    void release(int fd);

    // The reaper's pass (reaper.h): drops the packets whose lifetime ended by now_ms. True
    // while packets wait for their expiry; *next_deadline is lowered to the oldest one's.
    bool expire(uint64_t now_ms, uint64_t* next_deadline);

    // fork(): hold every lock across the fork; the child forgets the parent's pending packets
    // (they are the parent's to reinject) but keeps the binding, which the kernel shares.
    void lock_for_fork();
    void unlock_after_fork(bool child);

    divert_stats stats();
    uint16_t port() const { return port_.load(); }
    // DIVERT_METADATA is on: recvmsg() adds control messages.
    bool wants_metadata() const { return metadata_.load(std::memory_order_relaxed); }
    bool bound() const { return bound_.load(); }

private:
    struct Cookie;
    int bind_queue(int fd, uint16_t port);
    bool take(int fd, char* msg, size_t len, nfq::Packet& p);
    // The kernel refused an accept verdict because it no longer held the packet(s): each one
    // the log still has the bytes of is injected anew, as a late write-back would be.
    void recover_forgotten(const nfq::VerdictError& ve);
    // At close: the refusals already queued for this process's write-backs, so a program that
    // writes its last packets back and closes still gets them out.
    void take_refusals(int fd);
    void release_tee_original(int fd, const nfq::Packet& p);
    // addrs[i]: what recvfrom reports for ps[i] (address_of).
    void register_packets(int fd, const nfq::Packet* ps, const sockaddr_in* addrs, size_t n);
    sockaddr_in address_of(const nfq::Packet& p, uint16_t rule) const;
    // A write under FreeBSD semantics: `sin` as divert(4) reads it (null: sent with send()).
    ssize_t send_freebsd(int fd, const uint8_t* buf, size_t len, const sockaddr_in* sin,
                         bool defer_flush);
    bool unchanged(const PendingEntry& e, const uint8_t* buf, size_t len) const;
    ssize_t send_packet(int fd, const void* buf, size_t len, const sockaddr* to, socklen_t tolen,
                        bool defer_flush);
    ssize_t reinject(int fd, uint32_t id, const uint8_t* buf, size_t len, bool* not_pending,
                     bool defer_flush);
    ssize_t inject(const uint8_t* buf, size_t len, in_addr_t via, uint32_t mark);
    // Inbound injection on ifindex (0: outbound).
    ssize_t inject_on(const uint8_t* buf, size_t len, uint32_t ifindex, uint32_t mark);
    int verdict(int fd, uint32_t id, uint32_t v, const uint8_t* payload = nullptr,
                size_t len = 0);
    // Drop verdicts for ids (pending entries already resolved, counted in drops_outstanding_)
    // in one message, through fd or, with fd < 0, the socket's own descriptor.
    void send_drops(int fd, const uint32_t* ids, size_t n);
    bool more_queued(int fd);
    // The raw socket that injects with `mark`; *one_off: the caller closes it after one send.
    int raw_socket(int family, uint32_t mark, bool* one_off);

    // 20 bits, never 0: with the resume site (12 bits) it fills the cookie's second word.
    const uint32_t generation_;
    const int domain_;
    std::atomic<int> semantics_;
    std::atomic<bool> metadata_{false};
    std::atomic<uint16_t> port_{0};
    std::atomic<bool> bound_{false};
    std::atomic<int> rx_inflight_{0};
    // batch_n_ != 0, readable without the lock: a receive with nothing held back has nothing
    // to flush before it waits, so it waits in its first call.
    std::atomic<bool> batch_held_{false};

    // Guards verdict_fd_ while the reaper sends on it, so close never pulls it away mid-send
    // (a reused descriptor number would get the verdict). Held across that one sendmsg.
    std::mutex fd_mu_;
    // A dup of the queue descriptor, ours alone (registry internal): the reaper's verdicts
    // cannot go through a descriptor the program may close at any time.
    int verdict_fd_ = -1;

    std::mutex mu_;  // guards everything below; never held across a syscall
    PendingWindow pending_;
    unsigned lifetime_ms_;
    bool expiry_ready_ = false;  // verdict_fd_ exists: the reaper may drop expired packets
    // Drop verdicts decided but not yet sent: a batch accept ("every id <= n") sent meanwhile
    // would accept them, so reinjections take the single-verdict path until they are out.
    unsigned drops_outstanding_ = 0;
    PacketCopies copies_;
    WriteBackLog written_back_;
    uint32_t batch_max_ = 0;
    unsigned batch_n_ = 0;
    uint16_t next_ip_id_;
    bool binding_ = false;
    struct RawSocket {
        uint32_t mark = 0;
        int fd = -1;
        int family = AF_INET;
    };
    RawSocket raw_[kRawMarks];
    unsigned char mcast_if_[sizeof(ip_mreqn)] = {};
    socklen_t mcast_if_len_ = 0;
    divert_stats stats_{};
    // FreeBSD semantics: the sites of the rules recvfrom reported lately, so a changed packet
    // written with that sin_port resumes after that rule (docs/divert.7 "FreeBSD semantics").
    struct RecentSite {
        uint16_t rule = 0;
        bool incoming = false;
        uint32_t site = 0;
    };
    static constexpr size_t kRecentSites = 16;
    RecentSite recent_[kRecentSites];
    size_t recent_next_ = 0;
};

}  // namespace divert
