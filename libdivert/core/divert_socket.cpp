#include "core/divert_socket.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <netinet/ip.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/caps.h"
#include "core/guard.h"
#include "core/ifaddr.h"
#include "core/inject_in.h"
#include "core/ipv4.h"
#include "core/ipv6.h"
#include "core/libc.h"
#include "core/nfqueue.h"
#include "core/reaper.h"
#include "core/registry.h"
#include "core/rule_position.h"
#include "core/tee.h"
#include "core/thread_buffer.h"
#include "compile/compile.h"

namespace divert {
namespace {

namespace compile = ipchains::compile;

// Big enough for one queued-packet message: the largest IPv4 datagram plus attributes.
constexpr size_t kRxBufferSize = 65536 + 8192;

struct RxBuffer {
    alignas(8) char data[kRxBufferSize];
};

// The bytes of a forgotten packet, copied out of the socket's copies under its lock and
// injected after it. Per thread, allocated on a thread's first recovery (thread_buffer.h).
struct RecoveryBuffer {
    uint8_t data[65536];
};
RecoveryBuffer* recovery_buffer() { return thread_buffer<RecoveryBuffer>(); }

// Per thread, allocated on a thread's first receive (thread_buffer.h): two threads may read
// one socket at once, and a 72 KiB stack array would be unkind to small thread stacks. Null
// when memory ran out.
RxBuffer* rx_buffer() { return thread_buffer<RxBuffer>(); }

// divert_recv_batch takes up to this many queued messages per recvmmsg. Each needs room for
// the largest one, which the kernel would otherwise cut (and the packet's bytes would be
// lost); pages stay untouched until a packet that size arrives.
constexpr unsigned kRecvSlots = 8;

struct BatchRxBuffer {
    mmsghdr msgs[kRecvSlots];
    iovec iov[kRecvSlots];
    alignas(8) char slot[kRecvSlots][kRxBufferSize];
};

// Per thread, allocated on a thread's first divert_recv_batch, as rx_buffer(); null when
// memory ran out.
BatchRxBuffer* batch_rx_buffer() { return thread_buffer<BatchRxBuffer>(); }

// A written IPv6 packet is fixed in a copy (its upper-layer checksum lies past the header):
// per thread, as rx_buffer(); null when memory ran out.
struct V6Buffer {
    alignas(8) uint8_t data[ipv6::kHeader + 65535];
};
V6Buffer* v6_buffer() { return thread_buffer<V6Buffer>(); }

// The fixed copy of a written IPv6 packet (ipv6::fix_packet), or null with errno set.
const uint8_t* fixed_v6(const uint8_t* pkt, size_t len)
{
    V6Buffer* b = v6_buffer();
    if (b == nullptr) {
        errno = ENOMEM;
        return nullptr;
    }
    std::memcpy(b->data, pkt, len);
    ipv6::fix_packet(b->data, len);
    return b->data;
}

constexpr uint32_t kSiteBits = 12;  // compile::kIdMask: the site id of a RESUME stamp
constexpr uint32_t kSiteMask = (1u << kSiteBits) - 1;
constexpr uint32_t kGenerationMask = (1u << (32 - kSiteBits)) - 1;

uint32_t new_generation()
{
    static std::atomic<uint32_t> counter{0};
    static uint32_t seed = [] {
        uint32_t s = 0;
        if (getrandom(&s, sizeof s, GRND_NONBLOCK) != sizeof s) s = static_cast<uint32_t>(getpid());
        return s;
    }();
    uint32_t g;
    do {
        g = (seed + 0x9e3779b9u * ++counter) & kGenerationMask;
    } while (g == 0);  // a zeroed sin_zero must never look like a cookie
    return g;
}

// The resume site a DIVERT (or TEE) rule stamped into the packet's mark, 0 when it carries
// none (a queue rule that is not ours).
uint32_t resume_site(uint32_t mark)
{
    if ((mark & compile::kKindMask) != compile::mark_stamp(compile::MarkKind::Resume, 0) &&
        !tee::is_tee(mark))
        return 0;
    return (mark & compile::kIdMask) >> compile::kIdShift;
}

// The mark of a packet the library injects: RESUME|site goes on after the DIVERT rule of that
// site, as a late write-back does; without a site, INJECTED|port skips the DIVERT rules of
// that port on this pass (docs/divert.7 "Loops"; docs/design.md "Mark bits").
uint32_t injection_mark(uint32_t site, uint16_t skip_port)
{
    return site != 0 ? compile::mark_stamp(compile::MarkKind::Resume, site)
                     : compile::mark_stamp(compile::MarkKind::Injected, skip_port & kSiteMask);
}

// The number recvfrom reports in sin_port for p: its DIVERT rule's (rule_position.h). May read
// the ruleset, so called with no lock held.
uint16_t rule_of(const nfq::Packet& p)
{
    const uint32_t site = resume_site(p.mark);
    return site ? rule_position::of_site(site) : 0;
}

int send_to_kernel(int fd, const iovec* iov, size_t n)
{
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    msghdr msg{};
    msg.msg_name = &kernel;
    msg.msg_namelen = sizeof kernel;
    msg.msg_iov = const_cast<iovec*>(iov);
    msg.msg_iovlen = n;
    for (;;) {
        if (DIVERT_REAL(sendmsg, fd, &msg, 0) >= 0) return 0;
        if (errno != EINTR) return -1;
    }
}

bool is_incoming(uint8_t hook)
{
    return hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_IN || hook == NF_INET_FORWARD;
}

size_t copy_out(const iovec* iov, size_t iovcnt, const uint8_t* src, size_t len)
{
    size_t done = 0;
    for (size_t i = 0; i < iovcnt && done < len; ++i) {
        const size_t n = std::min(iov[i].iov_len, len - done);
        if (n) std::memcpy(iov[i].iov_base, src + done, n);
        done += n;
    }
    return done;
}

void fill_addr(sockaddr* to, socklen_t* tolen, const sockaddr_in& sin)
{
    if (to == nullptr || tolen == nullptr) return;
    const socklen_t n = std::min<socklen_t>(*tolen, sizeof sin);
    std::memcpy(to, &sin, n);
    *tolen = sizeof sin;
}

// nfnetlink_queue refuses a queue bound to another socket with EPERM, the same errno as a
// missing CAP_NET_ADMIN; with the capability in hand it can only mean "taken" ([DECISION]
// docs/reference/divert-semantics.md 3: EADDRINUSE).
int taken_as_eaddrinuse(int err)
{
    if (err == EBUSY || (err == EPERM && has_capability(CAP_NET_ADMIN))) return EADDRINUSE;
    return err;
}

// While any thread is between reading a packet and registering it, a batch verdict could
// accept that packet unseen; reinjections then take the single-verdict path.
struct Inflight {
    std::atomic<int>& n;
    explicit Inflight(std::atomic<int>& c) : n(c) { ++n; }
    ~Inflight() { --n; }
};

}  // namespace

// sin_zero: the packet id, the socket generation and the packet's resume site, so a write that
// hands back recvfrom's address is recognised as a reinjection of that very packet, and one
// that comes after the packet expired still resumes after its DIVERT rule (docs/divert.7).
struct DivertSocket::Cookie {
    uint32_t id;
    uint32_t tag;  // generation << kSiteBits | site
};
static_assert(8 <= sizeof(sockaddr_in::sin_zero), "the cookie fits in sin_zero");

DivertSocket::DivertSocket(int domain, int semantics)
    : generation_(new_generation()),
      domain_(domain),
      semantics_(semantics),
      lifetime_ms_(reaper::default_lifetime_ms())
{
    next_ip_id_ = static_cast<uint16_t>(generation_ >> 3);
}

DivertSocket::~DivertSocket()
{
    for (RawSocket& r : raw_) {
        if (r.fd < 0) continue;
        registry::remove_internal(r.fd);
        DIVERT_REAL(close, r.fd);
    }
    if (verdict_fd_ >= 0) {
        registry::remove_internal(verdict_fd_);
        DIVERT_REAL(close, verdict_fd_);
    }
}

// ---------------------------------------------------------------------------------- bind --

int DivertSocket::bind_queue(int fd, uint16_t port)
{
    alignas(8) char buf[MNL_SOCKET_BUFFER_SIZE];
    static std::atomic<uint32_t> seq_counter{1};
    const uint32_t seq = seq_counter++;
    const size_t len = nfq::build_bind(buf, port, seq, kKernelQueueLen);
    iovec iov{buf, len};
    if (send_to_kernel(fd, &iov, 1) < 0) return errno;
    // nfnetlink handles the request inside sendmsg, so the ack is already queued. Packets for
    // this queue may slip in ahead of it; they are sent through the hook again (NF_REPEAT)
    // rather than held where select() could not see them.
    RxBuffer* rxp = rx_buffer();
    if (rxp == nullptr) return ENOMEM;
    RxBuffer& rx = *rxp;
    for (int attempts = 0; attempts < 64; ++attempts) {
        ssize_t n = DIVERT_REAL(recv, fd, rx.data, sizeof rx.data, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == ENOBUFS) continue;
            return errno == EAGAIN ? EIO : errno;
        }
        auto* nlh = reinterpret_cast<nlmsghdr*>(rx.data);
        int left = static_cast<int>(n);
        for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
            nfq::Packet p;
            if (nfq::parse_packet(nlh, p) == 0) {
                char vbuf[nfq::kMaxHeader];
                iovec v{vbuf, nfq::build_verdict(vbuf, port, p.id, NF_REPEAT, 0)};
                send_to_kernel(fd, &v, 1);
                continue;
            }
            int err = nfq::error_of(nlh);
            if (err >= 0 && nlh->nlmsg_seq == seq) return err;
        }
    }
    return EIO;
}

int DivertSocket::bind(int fd, const sockaddr* addr, socklen_t len)
{
    if (addr == nullptr || len < static_cast<socklen_t>(sizeof(sockaddr_in))) {
        errno = EINVAL;
        return -1;
    }
    sockaddr_in sin;
    std::memcpy(&sin, addr, sizeof sin);
    if (sin.sin_family != AF_INET) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    // Allocated here, not under the lock (its pages are only touched by packets), and before
    // binding_ is set: running out of memory (bad_alloc, ENOMEM at the C entry) leaves the
    // socket as it was.
    std::unique_ptr<uint8_t[]> copy_buf(new (std::nothrow) uint8_t[kCopyBytes]);
    if (!copy_buf) {
        errno = ENOMEM;
        return -1;
    }
    PendingWindow window(kWindow);
    WriteBackLog log;
    log.reset(kWriteBackLog);
    {
        std::lock_guard<std::mutex> lk(mu_);
        // [DECISION] docs/reference/divert-semantics.md 3: rebinding a bound socket.
        if (bound_ || binding_) {
            errno = EINVAL;
            return -1;
        }
        binding_ = true;
        pending_ = std::move(window);
        copies_.reset(std::move(copy_buf), kCopyBytes);
        written_back_ = std::move(log);
    }
    const uint16_t wanted = ntohs(sin.sin_port);
    int err;
    uint16_t port = wanted;
    if (wanted != 0) {
        err = taken_as_eaddrinuse(bind_queue(fd, wanted));
    } else {
        // [DECISION] docs/reference/divert-semantics.md 3: port 0 picks a free divert port, from
        // the top of the range down (far from the small numbers scripts tend to write by hand).
        err = EADDRINUSE;
        for (uint32_t p = 65535; p >= 1024 && err == EADDRINUSE; --p) {
            port = static_cast<uint16_t>(p);
            err = taken_as_eaddrinuse(bind_queue(fd, port));
        }
    }
    err = taken_as_eaddrinuse(err);
    int vfd = -1;
    if (err == 0) {
        // Without it the reaper cannot drop expired packets: they are held as before
        // (window or close), which is safe, so a failure here does not fail bind.
        vfd = DIVERT_REAL(fcntl, fd, F_DUPFD_CLOEXEC, 0);
        if (vfd >= 0 && !registry::add_internal(vfd)) {
            DIVERT_REAL(close, vfd);
            vfd = -1;
        }
    }
    {
        std::lock_guard<std::mutex> fk(fd_mu_);
        verdict_fd_ = vfd;
    }
    std::lock_guard<std::mutex> lk(mu_);
    binding_ = false;
    if (err != 0) {
        errno = err;
        return -1;
    }
    port_ = port;
    bound_ = true;
    expiry_ready_ = vfd >= 0;
    return 0;
}

// ------------------------------------------------------------------------------- receive --

int DivertSocket::verdict(int fd, uint32_t id, uint32_t v, const uint8_t* payload, size_t len)
{
    char head[nfq::kMaxHeader + 64];
    const size_t n = nfq::build_verdict(head, port_, id, v, len);
    if (len == 0) {
        iovec iov{head, n};
        return send_to_kernel(fd, &iov, 1);
    }
    if (ipv6::is_v6(payload, len)) {
        const uint8_t* fixed = fixed_v6(payload, len);
        if (fixed == nullptr) return -1;
        static const char pad6[4] = {};
        iovec iov[3] = {{head, n},
                        {const_cast<uint8_t*>(fixed), len},
                        {const_cast<char*>(pad6), MNL_ALIGN(len) - len}};
        return send_to_kernel(fd, iov, iov[2].iov_len ? 3 : 2);
    }
    // Header fields the 2.2 raw path fixed: copy only the IP header, fix it, send the rest
    // of the program's buffer as it is.
    const size_t ihl = (payload[0] & 0x0f) * 4u;
    uint8_t ip[60];
    std::memcpy(ip, payload, ihl);
    uint16_t id_fill;
    {
        std::lock_guard<std::mutex> lk(mu_);
        id_fill = ++next_ip_id_;
    }
    ipv4::fix_header(ip, len, id_fill);
    static const char pad[4] = {};
    iovec iov[4] = {{head, n},
                    {ip, ihl},
                    {const_cast<uint8_t*>(payload) + ihl, len - ihl},
                    {const_cast<char*>(pad), MNL_ALIGN(len) - len}};
    return send_to_kernel(fd, iov, iov[3].iov_len ? 4 : 3);
}

// n <= kRecvSlots: one receive's worth.
void DivertSocket::register_packets(int fd, const nfq::Packet* ps, const sockaddr_in* addrs,
                                    size_t n)
{
    // A copy about to be overwritten leaves a hash of itself in its entry, if still pending.
    auto evict = [this](uint32_t id, uint64_t pos, const uint8_t* bytes, uint32_t len) {
        PendingEntry* e = pending_.find(id);
        if (e != nullptr && !e->hashed && e->copy == pos) {
            e->hash = ipv4::content_hash(bytes, len);
            e->hashed = true;
        }
    };
    uint32_t drops[kRecvSlots];
    size_t ndrops = 0;
    bool expiring;
    {
        std::lock_guard<std::mutex> lk(mu_);
        const uint64_t deadline = lifetime_ms_ ? reaper::now_ms() + lifetime_ms_ : 0;
        expiring = lifetime_ms_ != 0 && expiry_ready_;
        for (size_t i = 0; i < n; ++i) {
            const nfq::Packet& p = ps[i];
            const uint32_t site = resume_site(p.mark);
            if (site != 0) {
                RecentSite& r = recent_[recent_next_++ % kRecentSites];
                r = RecentSite{addrs[i].sin_port, addrs[i].sin_addr.s_addr != INADDR_ANY, site};
            }
            if (p.tee_copy) {  // owes no verdict: nothing to hold
                ++stats_.received;
                continue;
            }
            if (pending_.full()) {
                if (PendingEntry* old = pending_.front()) {
                    drops[ndrops++] = old->id;
                    pending_.resolve(old);
                    ++stats_.window_drops;
                }
            }
            PendingEntry e;
            e.id = p.id;
            e.len = p.len;
            e.deadline = deadline;
            e.site = site;
            e.rule = addrs[i].sin_port;
            e.ifindex = p.indev;
            e.incoming = addrs[i].sin_addr.s_addr != INADDR_ANY;
            if (copies_.ready()) {
                e.copy = copies_.store(p.id, p.payload, p.len, evict);
            } else {
                e.hash = ipv4::content_hash(p.payload, p.len);
                e.hashed = true;
            }
            pending_.push(e);
            ++stats_.received;
        }
        drops_outstanding_ += static_cast<unsigned>(ndrops);
    }
    if (ndrops) send_drops(fd, drops, ndrops);
    if (expiring && n) reaper::packets_registered();
}

void DivertSocket::send_drops(int fd, const uint32_t* ids, size_t n)
{
    // Several verdict messages in one sendmsg: nfnetlink handles each in turn.
    constexpr size_t kPerCall = 16;
    alignas(8) char buf[kPerCall * nfq::kMaxHeader];
    const uint16_t port = port_;
    for (size_t done = 0; done < n;) {
        size_t len = 0, k = 0;
        for (; k < kPerCall && done + k < n; ++k)
            len += nfq::build_verdict(buf + len, port, ids[done + k], NF_DROP, 0);
        iovec iov{buf, len};
        if (fd >= 0) {
            send_to_kernel(fd, &iov, 1);
        } else {
            std::lock_guard<std::mutex> fk(fd_mu_);
            if (verdict_fd_ >= 0) send_to_kernel(verdict_fd_, &iov, 1);
        }
        done += k;
    }
    std::lock_guard<std::mutex> lk(mu_);
    drops_outstanding_ -= static_cast<unsigned>(n);
}

bool DivertSocket::expire(uint64_t now_ms, uint64_t* next_deadline)
{
    constexpr size_t kPerPass = 64;
    uint32_t ids[kPerPass];
    size_t n = 0;
    bool waiting;
    {
        std::lock_guard<std::mutex> lk(mu_);
        if (lifetime_ms_ == 0 || !expiry_ready_) return false;
        PendingEntry* e;
        while (n < kPerPass && (e = pending_.front()) != nullptr && e->deadline != 0 &&
               e->deadline <= now_ms) {
            ids[n++] = e->id;
            pending_.resolve(e);
            ++stats_.expired;
        }
        e = pending_.front();
        if (e != nullptr && e->deadline != 0 && e->deadline < *next_deadline)
            *next_deadline = e->deadline;
        waiting = e != nullptr;
        drops_outstanding_ += static_cast<unsigned>(n);
    }
    if (n) send_drops(-1, ids, n);
    return waiting || n == kPerPass;
}

bool DivertSocket::unchanged(const PendingEntry& e, const uint8_t* buf, size_t len) const
{
    if (e.len != len) return false;
    if (e.hashed) return e.hash == ipv4::content_hash(buf, len);
    return std::memcmp(copies_.at(e.copy), buf, len) == 0;
}

// One message as read from the queue: true for a packet to hand out (its partial L4 checksum
// finished); acks, errors of verdicts (a forgotten packet is recovered here) and a packet
// queued before the copy mode was set (sent through the hook again) are not.
bool DivertSocket::take(int fd, char* msg, size_t len, nfq::Packet& p)
{
    auto* nlh = reinterpret_cast<nlmsghdr*>(msg);
    if (!mnl_nlmsg_ok(nlh, static_cast<int>(len))) return false;
    if (nfq::parse_packet(nlh, p) != 0) {
        nfq::VerdictError ve;
        if (nfq::parse_verdict_error(nlh, len, ve) == 0) recover_forgotten(ve);
        return false;
    }
    if (!p.has_payload) {
        verdict(fd, p.id, NF_REPEAT);
        return false;
    }
    if (p.skb_info & NFQA_SKB_CSUMNOTREADY) {
        if (ipv6::is_v6(p.payload, p.len)) ipv6::finish_l4_checksum(p.payload, p.len);
        else ipv4::finish_l4_checksum(p.payload, p.len);
    }
    p.tee_copy = tee::is_tee(p.mark);
    return true;
}

// docs/divert.7 "Tee": the original goes on after the TEE rule now, as a written-back packet
// would (RESUME|site, sent through the hook again); the program keeps the copy it read.
void DivertSocket::release_tee_original(int fd, const nfq::Packet& p)
{
    char buf[nfq::kMaxHeader];
    iovec iov{buf, nfq::build_verdict_mark(buf, port_, p.id, NF_REPEAT, tee::resume_mark(p.mark))};
    send_to_kernel(fd, &iov, 1);
}

void DivertSocket::recover_forgotten(const nfq::VerdictError& ve)
{
    // Only a refused accept loses a packet the program meant to send on; a refused drop (the
    // reaper's, after a flush) has nothing left to do.
    if (ve.error != ENOENT || ve.verdict != NF_ACCEPT) return;
    RecoveryBuffer* copy = recovery_buffer();
    // A single verdict: its one packet. A batch: each packet it carried, oldest first.
    for (;;) {
        const uint8_t* bytes = nullptr;
        uint32_t len = 0, ifindex = 0, mark = 0;
        {
            std::lock_guard<std::mutex> lk(mu_);
            WrittenBack* w = ve.batch ? written_back_.next_of_batch(ve.id)
                                      : written_back_.single(ve.id);
            if (w == nullptr) {
                // A single write-back older than the log is known to be gone; a batch's
                // records are found until none is left, and any the log lost go uncounted.
                if (!ve.batch) {
                    ++stats_.forgotten;
                    ++stats_.lost;
                }
                return;
            }
            w->used = true;
            ++stats_.forgotten;
            if (!ve.batch && ve.payload != nullptr) {  // changed: the echo holds what was sent
                bytes = ve.payload;
                len = ve.len;
            } else if (w->has_copy && copies_.holds(w->copy) && copy != nullptr) {
                std::memcpy(copy->data, copies_.at(w->copy), w->len);
                bytes = copy->data;
                len = w->len;
            } else {
                ++stats_.lost;
            }
            ifindex = w->ifindex;
            mark = injection_mark(w->site, port_.load());
        }
        // Its send errors have no caller to go to: the write it stands for returned long ago.
        if (bytes != nullptr) inject_on(bytes, len, ifindex, mark);
        if (!ve.batch) return;
    }
}

void DivertSocket::take_refusals(int fd)
{
    RxBuffer* rx = rx_buffer();
    if (rx == nullptr) return;
    const auto* head = reinterpret_cast<const nlmsghdr*>(rx->data);
    for (;;) {
        // Only refusals at the head of the queue: packets stay for whoever else holds it.
        ssize_t n = DIVERT_REAL(recv, fd, rx->data, sizeof rx->data, MSG_PEEK | MSG_DONTWAIT);
        if (n < static_cast<ssize_t>(sizeof(nlmsghdr)) || head->nlmsg_type != NLMSG_ERROR) return;
        n = DIVERT_REAL(recv, fd, rx->data, sizeof rx->data, MSG_DONTWAIT);
        if (n <= 0) return;
        nfq::Packet p;
        // Another process sharing the queue took the refusal first: the packet read instead
        // goes on as a read that never happened would.
        if (take(fd, rx->data, static_cast<size_t>(n), p)) {
            if (p.tee_copy) release_tee_original(fd, p);
            else verdict(fd, p.id, NF_REPEAT);
        }
    }
}

sockaddr_in DivertSocket::address_of(const nfq::Packet& p, uint16_t rule) const
{
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    const uint32_t site = resume_site(p.mark);
    // The number of the DIVERT rule, host order, FreeBSD-style (docs/divert.7); 0 when the
    // packet was queued by a rule that is not ours.
    sin.sin_port = rule;
    sin.sin_addr.s_addr = is_incoming(p.hook) ? ifaddr::first_address(p.indev) : INADDR_ANY;
    if (semantics_.load(std::memory_order_relaxed) == DIVERT_SEMANTICS_FREEBSD) {
        // divert(4): the receiving interface's name, whenever the packet has one.
        ifaddr::name_of(p.indev, reinterpret_cast<char*>(sin.sin_zero), sizeof sin.sin_zero);
        return sin;
    }
    const Cookie c{p.id, generation_ << kSiteBits | site};
    std::memcpy(sin.sin_zero, &c, sizeof c);
    return sin;
}


ssize_t DivertSocket::recv(int fd, const iovec* iov, size_t iovcnt, int flags, sockaddr* from,
                           socklen_t* fromlen, int* msg_flags, Metadata* meta)
{
    const bool peek = (flags & MSG_PEEK) != 0;
    const bool dontwait = (flags & MSG_DONTWAIT) != 0;
    RxBuffer* rxp = rx_buffer();
    if (rxp == nullptr) {
        errno = ENOMEM;
        return -1;
    }
    RxBuffer& rx = *rxp;
    Inflight inflight(rx_inflight_);

    for (;;) {
        // With verdicts held back, look first: they must go out before this call may wait.
        const bool held = batch_held_.load(std::memory_order_relaxed);
        ssize_t n = DIVERT_REAL(recv, fd, rx.data, sizeof rx.data,
                                (held ? MSG_DONTWAIT : flags & MSG_DONTWAIT) | (flags & MSG_PEEK));
        if (held && n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // Nothing queued: the program may now wait, so nothing we hold back may wait too.
            flush(fd);
            if (dontwait) {
                errno = EAGAIN;
                return -1;
            }
            n = DIVERT_REAL(recv, fd, rx.data, sizeof rx.data, flags & MSG_PEEK);
        }
        if (n < 0) {
            if (errno == ENOBUFS) {  // the kernel dropped packets for us: count, carry on
                std::lock_guard<std::mutex> lk(mu_);
                ++stats_.enobufs;
                continue;
            }
            return -1;
        }
        nfq::Packet p;
        if (!take(fd, rx.data, static_cast<size_t>(n), p)) {
            if (peek) DIVERT_REAL(recv, fd, rx.data, sizeof rx.data, MSG_DONTWAIT);
            continue;
        }
        const uint16_t rule = rule_of(p);
        const sockaddr_in addr = address_of(p, rule);
        if (!peek && p.tee_copy) release_tee_original(fd, p);
        if (!peek) register_packets(fd, &p, &addr, 1);
        fill_addr(from, fromlen, addr);
        if (meta != nullptr) {
            *meta = Metadata{};
            meta->in_ifindex = p.indev;
            meta->out_ifindex = p.outdev;
            meta->hook = p.hook;
            meta->mark = p.mark;
            meta->rule = rule;
            meta->has_uid = p.has_uid;
            meta->uid = p.uid;
            meta->has_gid = p.has_gid;
            meta->gid = p.gid;
        }

        const size_t copied = copy_out(iov, iovcnt, p.payload, p.len);
        if (msg_flags) *msg_flags = copied < p.len ? MSG_TRUNC : 0;
        return static_cast<ssize_t>((flags & MSG_TRUNC) ? p.len : copied);
    }
}

int DivertSocket::recv_batch(int fd, divert_packet* pkts, unsigned n, int flags)
{
    const bool dontwait = (flags & MSG_DONTWAIT) != 0;
    BatchRxBuffer* buf = batch_rx_buffer();
    if (buf == nullptr) {
        errno = ENOMEM;
        return -1;
    }
    BatchRxBuffer& rx = *buf;
    Inflight inflight(rx_inflight_);
    unsigned got = 0;
    while (got < n) {
        const unsigned want = std::min(n - got, kRecvSlots);
        for (unsigned i = 0; i < want; ++i) {
            rx.iov[i] = iovec{rx.slot[i], sizeof rx.slot[i]};
            rx.msgs[i] = mmsghdr{};
            rx.msgs[i].msg_hdr.msg_iov = &rx.iov[i];
            rx.msgs[i].msg_hdr.msg_iovlen = 1;
        }
        // One system call for everything already queued (up to the slots); as in recv(),
        // verdicts held back are sent before a call that may wait, and with none held the
        // first call waits itself.
        const bool wait_now =
            got == 0 && !dontwait && !batch_held_.load(std::memory_order_relaxed);
        int r = ::recvmmsg(fd, rx.msgs, want, wait_now ? MSG_WAITFORONE : MSG_DONTWAIT, nullptr);
        if (!wait_now && r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            flush(fd);
            if (got > 0) break;
            if (dontwait) {
                errno = EAGAIN;
                return -1;
            }
            r = ::recvmmsg(fd, rx.msgs, want, MSG_WAITFORONE, nullptr);
        }
        if (r < 0) {
            if (errno == ENOBUFS) {
                std::lock_guard<std::mutex> lk(mu_);
                ++stats_.enobufs;
                continue;
            }
            if (got > 0) break;
            return -1;
        }
        nfq::Packet ps[kRecvSlots];
        sockaddr_in addrs[kRecvSlots];
        unsigned k = 0;
        for (int i = 0; i < r; ++i)
            if (take(fd, rx.slot[i], rx.msgs[i].msg_len, ps[k])) ++k;
        for (unsigned i = 0; i < k; ++i) {
            addrs[i] = address_of(ps[i], rule_of(ps[i]));
            if (ps[i].tee_copy) release_tee_original(fd, ps[i]);
        }
        register_packets(fd, ps, addrs, k);
        for (unsigned i = 0; i < k; ++i) {
            divert_packet& out = pkts[got + i];
            const size_t copied = std::min<size_t>(ps[i].len, out.size);
            if (copied) std::memcpy(out.data, ps[i].payload, copied);
            out.len = copied;
            out.orig_len = ps[i].len;
            out.flags = copied < ps[i].len ? MSG_TRUNC : 0;
            out.addr = addrs[i];
        }
        got += k;
        if (static_cast<unsigned>(r) < want) {
            // Fewer than asked: the queue ran dry, so the program may wait next.
            flush(fd);
            if (got > 0) break;
        }
    }
    return static_cast<int>(got);
}

// ---------------------------------------------------------------------------------- send --

int DivertSocket::flush(int fd)
{
    if (!batch_held_.load(std::memory_order_relaxed)) return 0;
    uint32_t max_id;
    {
        std::lock_guard<std::mutex> lk(mu_);
        if (batch_n_ == 0) return 0;
        max_id = batch_max_;
        batch_n_ = 0;
        batch_held_.store(false, std::memory_order_relaxed);
        written_back_.seal_batch(max_id);
    }
    char buf[nfq::kMaxHeader];
    iovec iov{buf, nfq::build_batch_verdict(buf, port_, max_id, NF_ACCEPT)};
    return send_to_kernel(fd, &iov, 1);
}

bool DivertSocket::more_queued(int fd)
{
    char b;
    ssize_t n = DIVERT_REAL(recv, fd, &b, 0, MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC);
    if (n >= 0) return true;
    if (errno == ENOBUFS) {
        std::lock_guard<std::mutex> lk(mu_);
        ++stats_.enobufs;
    }
    return false;
}

ssize_t DivertSocket::reinject(int fd, uint32_t id, const uint8_t* buf, size_t len,
                               bool* not_pending, bool defer_flush)
{
    enum { Batched, Single, Modified } mode;
    bool full = false;
    {
        std::lock_guard<std::mutex> lk(mu_);
        PendingEntry* e = pending_.find(id);
        if (e == nullptr) {
            *not_pending = true;
            return -1;
        }
        const bool same = unchanged(*e, buf, len);
        const bool in_order =
            e == pending_.front() && rx_inflight_.load() == 0 && drops_outstanding_ == 0;
        WrittenBack w;
        w.id = id;
        w.len = static_cast<uint32_t>(len);
        w.has_copy = same && !e->hashed;
        w.copy = e->copy;
        w.ifindex = e->incoming ? e->ifindex : 0;
        w.site = e->site;
        pending_.resolve(e);
        ++stats_.reinjected;
        if (same && in_order) {
            mode = Batched;
            batch_max_ = id;
            full = ++batch_n_ >= kBatchMax;
            batch_held_.store(true, std::memory_order_relaxed);
            ++stats_.batched;
        } else {
            mode = same ? Single : Modified;
        }
        w.batched = mode == Batched;
        written_back_.add(w);
    }
    if (mode == Batched) {
        // Held back only while more packets wait to be read: the program may block right
        // after this write. divert_send_batch asks once for the whole call instead.
        if (full || (!defer_flush && !more_queued(fd))) flush(fd);
        return static_cast<ssize_t>(len);
    }
    if (len > 65535 - MNL_ATTR_HDRLEN) {  // NFQA_PAYLOAD's 16-bit length cannot say more
        verdict(fd, id, NF_DROP);
        errno = EMSGSIZE;
        return -1;
    }
    // Earlier unchanged packets go first, so the wire order is the program's order.
    flush(fd);
    if (verdict(fd, id, NF_ACCEPT, mode == Modified ? buf : nullptr, mode == Modified ? len : 0) < 0) {
        const int err = errno;
        verdict(fd, id, NF_DROP);
        errno = err;
        return -1;
    }
    return static_cast<ssize_t>(len);
}

int DivertSocket::raw_socket(int family, uint32_t mark, bool* one_off)
{
    *one_off = false;
    unsigned char mcast[sizeof mcast_if_];
    socklen_t mcast_len;
    {
        std::lock_guard<std::mutex> lk(mu_);
        for (const RawSocket& r : raw_)
            if (r.fd >= 0 && r.mark == mark && r.family == family) return r.fd;
        std::memcpy(mcast, mcast_if_, sizeof mcast);
        mcast_len = family == AF_INET ? mcast_if_len_ : 0;
    }
    // IPPROTO_RAW: the header comes with the packet, for IPv6 too.
    int fd = DIVERT_REAL(socket, family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    if (fd < 0) return -1;
    // The mark tells the ruleset which DIVERT rules this packet skips (INJECTED|port) or after
    // which one it resumes (RESUME|site): docs/design.md "Mark bits".
    const int one = 1;
    if (DIVERT_REAL(setsockopt, fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0 ||
        DIVERT_REAL(setsockopt, fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0) {
        const int err = errno;
        DIVERT_REAL(close, fd);
        errno = err;
        return -1;
    }
    if (mcast_len != 0) DIVERT_REAL(setsockopt, fd, IPPROTO_IP, IP_MULTICAST_IF, mcast, mcast_len);
    // Registered before it is published, and never under mu_: the registry lock comes first
    // in the lock order.
    if (!registry::add_internal(fd)) {
        DIVERT_REAL(close, fd);
        errno = ENOMEM;
        return -1;
    }
    int winner = -1;
    {
        std::lock_guard<std::mutex> lk(mu_);
        for (const RawSocket& r : raw_)
            if (r.fd >= 0 && r.mark == mark && r.family == family)
                winner = r.fd;  // another thread won the race
        if (winner < 0) {
            for (RawSocket& r : raw_)
                if (r.fd < 0) {
                    r = RawSocket{mark, fd, family};
                    return fd;
                }
        }
    }
    // Lost the race, or every slot taken (a program writing back late through many resume
    // sites): then the caller uses it once and closes it (it is no internal fd then).
    registry::remove_internal(fd);
    if (winner >= 0) {
        DIVERT_REAL(close, fd);
        return winner;
    }
    *one_off = true;
    return fd;
}

ssize_t DivertSocket::inject(const uint8_t* buf, size_t len, in_addr_t via, uint32_t mark)
{
    // A loopback address: mirred cannot redirect into lo's ingress, but a packet sent out
    // to a local address arrives on lo anyway (after the output chain; divert(7)).
    const bool loopback = (ntohl(via) >> 24) == IN_LOOPBACKNET;
    if (via == INADDR_ANY || loopback) return inject_on(buf, len, 0, mark);
    const uint32_t ifindex = ifaddr::owner_of(via);
    if (ifindex == 0) {
        errno = EADDRNOTAVAIL;
        return -1;
    }
    return inject_on(buf, len, ifindex, mark);
}

ssize_t DivertSocket::inject_on(const uint8_t* buf, size_t len, uint32_t ifindex, uint32_t mark)
{
    {
        std::lock_guard<std::mutex> lk(mu_);
        ++stats_.injected;
    }
    // lo (FreeBSD semantics may name it): out to the local destination, back in on lo.
    if (ifindex != 0 && (ntohl(ifaddr::first_address(ifindex)) >> 24) == IN_LOOPBACKNET)
        ifindex = 0;
    // IPv6: payload length and upper-layer checksum fixed in a copy, then the same two ways.
    const bool v6 = ipv6::is_v6(buf, len);
    if (v6 && (buf = fixed_v6(buf, len)) == nullptr) return -1;
    if (ifindex != 0) {
        uint16_t id_fill;
        {
            std::lock_guard<std::mutex> lk(mu_);
            id_fill = ++next_ip_id_;
        }
        const int err = inject_in::send(ifindex, mark, buf, len, id_fill);
        if (err != 0) {
            errno = err;
            return -1;
        }
        return static_cast<ssize_t>(len);
    }
    // Outbound: the kernel's IP_HDRINCL path makes exactly the 2.2 fixes (checksum, zero ID,
    // tot_len, zero source) and fails with EMSGSIZE / ENETUNREACH / EPERM like 2.2 did.
    bool one_off;
    const int raw = raw_socket(v6 ? AF_INET6 : AF_INET, mark, &one_off);
    if (raw < 0) return -1;
    sockaddr_storage dst{};
    socklen_t dst_len;
    if (v6) {
        auto* d6 = reinterpret_cast<sockaddr_in6*>(&dst);
        d6->sin6_family = AF_INET6;
        std::memcpy(&d6->sin6_addr, buf + 24, 16);
        dst_len = sizeof *d6;
    } else {
        auto* d4 = reinterpret_cast<sockaddr_in*>(&dst);
        d4->sin_family = AF_INET;
        std::memcpy(&d4->sin_addr, buf + 16, 4);
        dst_len = sizeof *d4;
    }
    ssize_t n;
    do {
        n = DIVERT_REAL(sendto, raw, buf, len, 0, reinterpret_cast<sockaddr*>(&dst), dst_len);
    } while (n < 0 && errno == EINTR);
    if (one_off) {
        const int err = errno;
        DIVERT_REAL(close, raw);
        errno = err;
    }
    return n;
}

ssize_t DivertSocket::send(int fd, const void* data, size_t len, int flags, const sockaddr* to,
                           socklen_t tolen)
{
    (void)flags;
    return send_packet(fd, data, len, to, tolen, false);
}

int DivertSocket::send_batch(int fd, const divert_packet* pkts, unsigned n, int flags)
{
    (void)flags;
    unsigned sent = 0;
    int err = 0;
    for (; sent < n; ++sent) {
        const divert_packet& p = pkts[sent];
        const bool addressed = p.addr.sin_family != 0;
        if (send_packet(fd, p.data, p.len,
                        addressed ? reinterpret_cast<const sockaddr*>(&p.addr) : nullptr,
                        addressed ? sizeof p.addr : 0, true) < 0) {
            err = errno;
            break;
        }
    }
    // The flush decision of every unchanged reinjection above, made once.
    if (batch_held_.load(std::memory_order_relaxed) && !more_queued(fd)) flush(fd);
    if (sent == 0 && n != 0) {
        errno = err;
        return -1;
    }
    return static_cast<int>(sent);
}

ssize_t DivertSocket::send_packet(int fd, const void* data, size_t len, const sockaddr* to,
                                  socklen_t tolen, bool defer_flush)
{
    sockaddr_in sin{};
    if (to != nullptr) {
        // [DECISION] docs/reference/divert-semantics.md 5.4: EBADRQC only for a malformed
        // divert request.
        if (tolen < static_cast<socklen_t>(sizeof(sockaddr_in))) {
            errno = EBADRQC;
            return -1;
        }
        std::memcpy(&sin, to, sizeof sin);
        if (sin.sin_family != AF_INET) {
            errno = EBADRQC;
            return -1;
        }
    }
    const auto* buf = static_cast<const uint8_t*>(data);
    if (len > ipv4::kMaxPacket) {
        errno = EMSGSIZE;
        return -1;
    }
    // Shorter than a header (docs/reference/divert-semantics.md 5.3). The version nibble tells
    // IPv6 from IPv4 (docs/divert.7 "IPv6").
    if (int err = ipv6::is_v6(buf, len) ? ipv6::check_header(buf, len)
                                        : ipv4::check_header(buf, len)) {
        errno = err;
        return -1;
    }
    if (semantics_.load(std::memory_order_relaxed) == DIVERT_SEMANTICS_FREEBSD)
        return send_freebsd(fd, buf, len, to != nullptr ? &sin : nullptr, defer_flush);
    // An injection skips the DIVERT rules of the writer's port on this pass, whatever
    // sin_port holds; an unbound writer names the port in sin_port, as bind() would take it
    // (docs/divert.7 "Loops").
    const uint16_t skip_port = bound_ ? port_.load() : ntohs(sin.sin_port);
    uint32_t site = 0;
    if (to != nullptr) {
        Cookie c;
        std::memcpy(&c, sin.sin_zero, sizeof c);
        if (c.tag >> kSiteBits == generation_) {
            bool not_pending = false;
            ssize_t n = reinject(fd, c.id, buf, len, &not_pending, defer_flush);
            if (!not_pending) return n;
            // Written back after its lifetime ended (or after the socket forgot it): a new
            // packet that resumes after the DIVERT rule that diverted it.
            site = c.tag & kSiteMask;
        }
    }
    return inject(buf, len, to != nullptr ? sin.sin_addr.s_addr : INADDR_ANY,
                  injection_mark(site, skip_port));
}

// FreeBSD's divert(4) forgot the packet when it was read: every write is a packet of its own.
// sin_addr INADDR_ANY sends it out; otherwise it comes in on the interface named in sin_zero,
// or else the one owning sin_addr. It resumes after the rule numbered sin_port. A write that
// is exactly a pending packet, with the rule and interface it was read with, is that packet
// (its verdict, the fast path); the originals of changed packets stay pending until their
// lifetime ends, then are dropped, as FreeBSD's kernel had dropped them at once.
ssize_t DivertSocket::send_freebsd(int fd, const uint8_t* buf, size_t len, const sockaddr_in* sin,
                                   bool defer_flush)
{
    const bool incoming = sin != nullptr && sin->sin_addr.s_addr != INADDR_ANY;
    const uint16_t rule = sin != nullptr ? sin->sin_port : 0;
    uint32_t ifindex = 0;
    if (incoming) {
        const char* name = reinterpret_cast<const char*>(sin->sin_zero);
        ifindex = name[0] != 0 ? ifaddr::index_of(name, sizeof sin->sin_zero)
                               : ifaddr::owner_of(sin->sin_addr.s_addr);
        if (ifindex == 0) {
            errno = EADDRNOTAVAIL;
            return -1;
        }
    }
    // An ipfw number may carry an IPv4 and an IPv6 rule: the packet's version nibble picks
    // its own family's site (IPv6 sites are above kSite6Base, docs/ipfw.md "IPv6").
    const bool ip6 = ipv6::is_v6(buf, len);
    uint32_t id = 0, site = 0;
    bool pending = false;
    {
        std::lock_guard<std::mutex> lk(mu_);
        if (PendingEntry* e = pending_.find_if([&](const PendingEntry& x) {
                return x.rule == rule && x.incoming == incoming &&
                       (!incoming || x.ifindex == ifindex) && unchanged(x, buf, len);
            })) {
            id = e->id;
            pending = true;
        }
        for (const RecentSite& r : recent_)
            if (r.site != 0 && r.rule == rule && r.incoming == incoming &&
                (r.site > compile::kSite6Base) == ip6)
                site = r.site;
    }
    if (pending) {
        bool not_pending = false;
        const ssize_t n = reinject(fd, id, buf, len, &not_pending, defer_flush);
        if (!not_pending) return n;
    }
    // Resumes after the rule the program named; a number no packet came with skips this
    // socket's DIVERT rules instead (docs/divert.7 "Loops").
    return inject_on(buf, len, ifindex, injection_mark(site, port_.load()));
}

// --------------------------------------------------------------------------- lifecycle --

void DivertSocket::release(int fd)
{
    flush(fd);
    take_refusals(fd);
    // Packets this process read and never wrote back are dropped now, not when the last process
    // holding the descriptor goes away (docs/divert.7 "Packet lifetime";
    // docs/reference/divert-semantics.md 6.1).
    std::vector<uint32_t> ids;
    {
        std::lock_guard<std::mutex> lk(mu_);
        ids.reserve(pending_.size());
        pending_.for_each([&](const PendingEntry& e) { ids.push_back(e.id); });
        pending_.clear();
        copies_.clear();
        written_back_.clear();
    }
    for (uint32_t id : ids) verdict(fd, id, NF_DROP);
    // Our dup keeps the kernel socket (and the queue binding) alive: it goes with the
    // program's last descriptor. Taken out under fd_mu_ (no reaper send is then under way),
    // unregistered outside it (the registry lock comes first in the lock order).
    int vfd;
    {
        std::lock_guard<std::mutex> fk(fd_mu_);
        vfd = verdict_fd_;
        verdict_fd_ = -1;
    }
    if (vfd >= 0) {
        registry::remove_internal(vfd);
        DIVERT_REAL(close, vfd);
    }
}

void DivertSocket::lock_for_fork()
{
    fd_mu_.lock();
    mu_.lock();
}

void DivertSocket::unlock_after_fork(bool child)
{
    if (child) {
        pending_.clear();
        copies_.clear();
        written_back_.clear();
        batch_n_ = 0;
        batch_held_.store(false, std::memory_order_relaxed);
        drops_outstanding_ = 0;  // the parent sends them
    }
    mu_.unlock();
    fd_mu_.unlock();
}

divert_stats DivertSocket::stats()
{
    std::lock_guard<std::mutex> lk(mu_);
    return stats_;
}

// --------------------------------------------------------------------------- options --

int DivertSocket::setsockopt(int fd, int level, int name, const void* val, socklen_t len)
{
    if (level == IPPROTO_IP && name == IP_MULTICAST_IF) {
        // docs/reference/divert-semantics.md 5.5: in_addr, ip_mreq or ip_mreqn; applies to
        // outbound injection.
        if (val == nullptr || len < static_cast<socklen_t>(sizeof(in_addr))) {
            errno = EINVAL;
            return -1;
        }
        const socklen_t n = std::min<socklen_t>(len, sizeof mcast_if_);
        int raws[kRawMarks];
        {
            std::lock_guard<std::mutex> lk(mu_);
            std::memcpy(mcast_if_, val, n);
            mcast_if_len_ = n;
            for (size_t i = 0; i < kRawMarks; ++i) raws[i] = raw_[i].fd;
        }
        for (int raw : raws)
            if (raw >= 0 && DIVERT_REAL(setsockopt, raw, IPPROTO_IP, IP_MULTICAST_IF, val, n) < 0)
                return -1;
        return 0;
    }
    if (level == IPPROTO_DIVERT && name == DIVERT_LIFETIME_MS) {
        int ms;
        if (val == nullptr || len < static_cast<socklen_t>(sizeof ms)) {
            errno = EINVAL;
            return -1;
        }
        std::memcpy(&ms, val, sizeof ms);
        if (ms < 0) {
            errno = EINVAL;
            return -1;
        }
        // Packets already pending keep the deadline they were given.
        std::lock_guard<std::mutex> lk(mu_);
        lifetime_ms_ = static_cast<unsigned>(ms);
        return 0;
    }
    if (level == IPPROTO_DIVERT && (name == DIVERT_SEMANTICS || name == DIVERT_METADATA)) {
        int v;
        if (val == nullptr || len < static_cast<socklen_t>(sizeof v)) {
            errno = EINVAL;
            return -1;
        }
        std::memcpy(&v, val, sizeof v);
        if (name == DIVERT_METADATA) {
            metadata_ = v != 0;
            return 0;
        }
        if (v != DIVERT_SEMANTICS_LINUX22 && v != DIVERT_SEMANTICS_FREEBSD) {
            errno = EINVAL;
            return -1;
        }
        // Packets already handed out keep the address they were read with; a write is read
        // by the semantics in force when it is made.
        semantics_ = v;
        return 0;
    }
    if (level == IPPROTO_IP && name == IP_HDRINCL) return 0;  // always true of a divert socket
    // [DECISION] docs/reference/divert-semantics.md 5.5: broadcast is always allowed.
    if (level == SOL_SOCKET && name == SO_BROADCAST) return 0;
    if (level == SOL_SOCKET) return DIVERT_REAL(setsockopt, fd, level, name, val, len);
    errno = ENOPROTOOPT;
    return -1;
}

int DivertSocket::getsockopt(int fd, int level, int name, void* val, socklen_t* len)
{
    auto put_int = [&](int v) {
        if (val == nullptr || len == nullptr || *len < static_cast<socklen_t>(sizeof(int))) {
            errno = EINVAL;
            return -1;
        }
        std::memcpy(val, &v, sizeof v);
        *len = sizeof v;
        return 0;
    };
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_TYPE: return put_int(SOCK_RAW);
        case SO_DOMAIN: return put_int(domain_);
        case SO_PROTOCOL: return put_int(domain_ == PF_DIVERT ? 0 : IPPROTO_DIVERT);
        case SO_BROADCAST: return put_int(1);
        default: return DIVERT_REAL(getsockopt, fd, level, name, val, len);
        }
    }
    if (level == IPPROTO_IP && name == IP_HDRINCL) return put_int(1);
    if (level == IPPROTO_DIVERT && name == DIVERT_SEMANTICS) return put_int(semantics_.load());
    if (level == IPPROTO_DIVERT && name == DIVERT_METADATA) return put_int(metadata_.load() ? 1 : 0);
    if (level == IPPROTO_DIVERT && name == DIVERT_LIFETIME_MS) {
        unsigned ms;
        {
            std::lock_guard<std::mutex> lk(mu_);
            ms = lifetime_ms_;
        }
        return put_int(static_cast<int>(ms));
    }
    if (level == IPPROTO_IP && name == IP_MULTICAST_IF) {
        in_addr a{};
        {
            std::lock_guard<std::mutex> lk(mu_);
            if (mcast_if_len_ == sizeof(ip_mreqn)) std::memcpy(&a, mcast_if_ + 4, 4);
            else if (mcast_if_len_ != 0) std::memcpy(&a, mcast_if_ + (mcast_if_len_ >= 8 ? 4 : 0), 4);
        }
        if (val == nullptr || len == nullptr || *len < static_cast<socklen_t>(sizeof a)) {
            errno = EINVAL;
            return -1;
        }
        std::memcpy(val, &a, sizeof a);
        *len = sizeof a;
        return 0;
    }
    errno = ENOPROTOOPT;
    return -1;
}

int DivertSocket::getsockname(sockaddr* addr, socklen_t* len)
{
    if (addr == nullptr || len == nullptr) {
        errno = EFAULT;
        return -1;
    }
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port_);
    fill_addr(addr, len, sin);
    return 0;
}

}  // namespace divert
