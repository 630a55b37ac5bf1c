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
#include <sys/random.h>
#include <unistd.h>

#include "core/caps.h"
#include "core/guard.h"
#include "core/ifaddr.h"
#include "core/inject_in.h"
#include "core/ipv4.h"
#include "core/libc.h"
#include "core/nfqueue.h"
#include "core/registry.h"
#include "compile/compile.h"

namespace divert {
namespace {

// Big enough for one queued-packet message: the largest IPv4 datagram plus attributes.
constexpr size_t kRxBufferSize = 65536 + 8192;

struct RxBuffer {
    alignas(8) char data[kRxBufferSize];
};

// Per thread, allocated on a thread's first receive: two threads may read one socket at once,
// and a 72 KiB stack array would be unkind to small thread stacks.
RxBuffer& rx_buffer()
{
    thread_local std::unique_ptr<RxBuffer> buf;
    if (!buf) buf.reset(new RxBuffer);
    return *buf;
}

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
BatchRxBuffer* batch_rx_buffer()
{
    thread_local std::unique_ptr<BatchRxBuffer> buf;
    if (!buf) buf.reset(new (std::nothrow) BatchRxBuffer);
    return buf.get();
}

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
        g = seed + 0x9e3779b9u * ++counter;
    } while (g == 0);  // a zeroed sin_zero must never look like a cookie
    return g;
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
// spec 3: EADDRINUSE).
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

// sin_zero: the packet id and the socket generation, so a write that hands back recvfrom's
// address is recognised as a reinjection of that very packet (spec 4, [DECISION]).
struct DivertSocket::Cookie {
    uint32_t id;
    uint32_t generation;
};
static_assert(8 <= sizeof(sockaddr_in::sin_zero), "the cookie fits in sin_zero");

DivertSocket::DivertSocket() : generation_(new_generation())
{
    next_ip_id_ = static_cast<uint16_t>(generation_ >> 7);
}

DivertSocket::~DivertSocket()
{
    if (raw_fd_ >= 0) {
        registry::remove_internal(raw_fd_);
        DIVERT_REAL(close, raw_fd_);
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
    RxBuffer& rx = rx_buffer();
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
    // Allocated here, not under the lock; its pages are only touched by packets.
    std::unique_ptr<uint8_t[]> copy_buf(new (std::nothrow) uint8_t[kCopyBytes]);
    if (!copy_buf) {
        errno = ENOMEM;
        return -1;
    }
    {
        std::lock_guard<std::mutex> lk(mu_);
        if (bound_ || binding_) {  // [DECISION] spec 3: rebinding a bound socket
            errno = EINVAL;
            return -1;
        }
        binding_ = true;
        pending_.reset(kWindow);
        copies_.reset(std::move(copy_buf), kCopyBytes);
    }
    const uint16_t wanted = ntohs(sin.sin_port);
    int err;
    uint16_t port = wanted;
    if (wanted != 0) {
        err = taken_as_eaddrinuse(bind_queue(fd, wanted));
    } else {
        // [DECISION] spec 3: port 0 picks a free divert port, from the top of the range down
        // (far from the small numbers scripts tend to write by hand).
        err = EADDRINUSE;
        for (uint32_t p = 65535; p >= 1024 && err == EADDRINUSE; --p) {
            port = static_cast<uint16_t>(p);
            err = taken_as_eaddrinuse(bind_queue(fd, port));
        }
    }
    err = taken_as_eaddrinuse(err);
    std::lock_guard<std::mutex> lk(mu_);
    binding_ = false;
    if (err != 0) {
        errno = err;
        return -1;
    }
    port_ = port;
    bound_ = true;
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
void DivertSocket::register_packets(int fd, const nfq::Packet* ps, size_t n)
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
    {
        std::lock_guard<std::mutex> lk(mu_);
        for (size_t i = 0; i < n; ++i) {
            const nfq::Packet& p = ps[i];
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
            if (copies_.ready()) {
                e.copy = copies_.store(p.id, p.payload, p.len, evict);
            } else {
                e.hash = ipv4::content_hash(p.payload, p.len);
                e.hashed = true;
            }
            pending_.push(e);
            ++stats_.received;
        }
    }
    for (size_t i = 0; i < ndrops; ++i) verdict(fd, drops[i], NF_DROP);
}

bool DivertSocket::unchanged(const PendingEntry& e, const uint8_t* buf, size_t len) const
{
    if (e.len != len) return false;
    if (e.hashed) return e.hash == ipv4::content_hash(buf, len);
    return std::memcmp(copies_.at(e.copy), buf, len) == 0;
}

// One message as read from the queue: true for a packet to hand out (its partial L4 checksum
// finished); acks, late errors of verdicts and a packet queued before the copy mode was set
// (sent through the hook again) are not.
bool DivertSocket::take(int fd, char* msg, size_t len, nfq::Packet& p)
{
    auto* nlh = reinterpret_cast<nlmsghdr*>(msg);
    const bool ok = mnl_nlmsg_ok(nlh, static_cast<int>(len)) && nfq::parse_packet(nlh, p) == 0;
    if (!ok || !p.has_payload) {
        if (ok) verdict(fd, p.id, NF_REPEAT);
        return false;
    }
    if (p.skb_info & NFQA_SKB_CSUMNOTREADY) ipv4::finish_l4_checksum(p.payload, p.len);
    return true;
}

sockaddr_in DivertSocket::address_of(const nfq::Packet& p) const
{
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    // sin_port: the rule position is not known here (documented in divert(7)): 0.
    sin.sin_addr.s_addr = is_incoming(p.hook) ? ifaddr::first_address(p.indev) : INADDR_ANY;
    const Cookie c{p.id, generation_};
    std::memcpy(sin.sin_zero, &c, sizeof c);
    return sin;
}

ssize_t DivertSocket::recv(int fd, const iovec* iov, size_t iovcnt, int flags, sockaddr* from,
                           socklen_t* fromlen, int* msg_flags)
{
    const bool peek = (flags & MSG_PEEK) != 0;
    const bool dontwait = (flags & MSG_DONTWAIT) != 0;
    RxBuffer& rx = rx_buffer();
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
        if (!peek) register_packets(fd, &p, 1);
        fill_addr(from, fromlen, address_of(p));

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
        unsigned k = 0;
        for (int i = 0; i < r; ++i)
            if (take(fd, rx.slot[i], rx.msgs[i].msg_len, ps[k])) ++k;
        register_packets(fd, ps, k);
        for (unsigned i = 0; i < k; ++i) {
            divert_packet& out = pkts[got + i];
            const size_t copied = std::min<size_t>(ps[i].len, out.size);
            if (copied) std::memcpy(out.data, ps[i].payload, copied);
            out.len = copied;
            out.orig_len = ps[i].len;
            out.flags = copied < ps[i].len ? MSG_TRUNC : 0;
            out.addr = address_of(ps[i]);
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
        const bool in_order = e == pending_.front() && rx_inflight_.load() == 0;
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

int DivertSocket::raw_socket()
{
    {
        std::lock_guard<std::mutex> lk(mu_);
        if (raw_fd_ >= 0) return raw_fd_;
    }
    int fd = DIVERT_REAL(socket, AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    if (fd < 0) return -1;
    // The mark tells this port's own DIVERT rules to let the packet pass (spec 6.3 [DECISION]
    // 2); compile.h owns the layout.
    const uint32_t mark = ipchains::compile::mark_stamp(ipchains::compile::MarkKind::Injected,
                                                        port_ & 0xfffu);
    const int one = 1;
    if (DIVERT_REAL(setsockopt, fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0 ||
        DIVERT_REAL(setsockopt, fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0) {
        const int err = errno;
        DIVERT_REAL(close, fd);
        errno = err;
        return -1;
    }
    registry::add_internal(fd);
    std::lock_guard<std::mutex> lk(mu_);
    if (raw_fd_ >= 0) {  // another thread won the race
        registry::remove_internal(fd);
        DIVERT_REAL(close, fd);
        return raw_fd_;
    }
    raw_fd_ = fd;
    if (mcast_if_len_ != 0)
        DIVERT_REAL(setsockopt, fd, IPPROTO_IP, IP_MULTICAST_IF, mcast_if_, mcast_if_len_);
    return raw_fd_;
}

ssize_t DivertSocket::inject(const uint8_t* buf, size_t len, in_addr_t via)
{
    {
        std::lock_guard<std::mutex> lk(mu_);
        ++stats_.injected;
    }
    // A loopback address: mirred cannot redirect into lo's ingress, but a packet sent out
    // to a local address arrives on lo anyway (after the output chain; divert(7)).
    const bool loopback = (ntohl(via) >> 24) == IN_LOOPBACKNET;
    if (via != INADDR_ANY && !loopback) {
        const uint32_t ifindex = ifaddr::owner_of(via);
        if (ifindex == 0) {
            errno = EADDRNOTAVAIL;
            return -1;
        }
        uint16_t id_fill;
        {
            std::lock_guard<std::mutex> lk(mu_);
            id_fill = ++next_ip_id_;
        }
        const int err = inject_in::send(ifindex, buf, len, id_fill);
        if (err != 0) {
            errno = err;
            return -1;
        }
        return static_cast<ssize_t>(len);
    }
    // Outbound: the kernel's IP_HDRINCL path makes exactly the 2.2 fixes (checksum, zero ID,
    // tot_len, zero source) and fails with EMSGSIZE / ENETUNREACH / EPERM like 2.2 did.
    const int raw = raw_socket();
    if (raw < 0) return -1;
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    std::memcpy(&dst.sin_addr, buf + 16, 4);
    for (;;) {
        ssize_t n = DIVERT_REAL(sendto, raw, buf, len, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
        if (n >= 0 || errno != EINTR) return n;
    }
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
        // [DECISION] spec 5.4: EBADRQC only for a malformed divert request.
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
    if (int err = ipv4::check_header(buf, len)) {  // spec 5.3: shorter than a header
        errno = err;
        return -1;
    }
    if (to != nullptr) {
        Cookie c;
        std::memcpy(&c, sin.sin_zero, sizeof c);
        if (c.generation == generation_) {
            bool not_pending = false;
            ssize_t n = reinject(fd, c.id, buf, len, &not_pending, defer_flush);
            if (!not_pending) return n;
        }
    }
    return inject(buf, len, to != nullptr ? sin.sin_addr.s_addr : INADDR_ANY);
}

// --------------------------------------------------------------------------- lifecycle --

void DivertSocket::release(int fd)
{
    flush(fd);
    // Packets this process read and never wrote back are dropped now (spec 6.1), not when the
    // last process holding the descriptor goes away.
    std::vector<uint32_t> ids;
    {
        std::lock_guard<std::mutex> lk(mu_);
        ids.reserve(pending_.size());
        pending_.for_each([&](const PendingEntry& e) { ids.push_back(e.id); });
        pending_.clear();
        copies_.clear();
    }
    for (uint32_t id : ids) verdict(fd, id, NF_DROP);
}

void DivertSocket::lock_for_fork() { mu_.lock(); }

void DivertSocket::unlock_after_fork(bool child)
{
    if (child) {
        pending_.clear();
        copies_.clear();
        batch_n_ = 0;
        batch_held_.store(false, std::memory_order_relaxed);
    }
    mu_.unlock();
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
        // spec 5.5: in_addr, ip_mreq or ip_mreqn; applies to outbound injection.
        if (val == nullptr || len < static_cast<socklen_t>(sizeof(in_addr))) {
            errno = EINVAL;
            return -1;
        }
        const socklen_t n = std::min<socklen_t>(len, sizeof mcast_if_);
        int raw;
        {
            std::lock_guard<std::mutex> lk(mu_);
            std::memcpy(mcast_if_, val, n);
            mcast_if_len_ = n;
            raw = raw_fd_;
        }
        if (raw >= 0 && DIVERT_REAL(setsockopt, raw, IPPROTO_IP, IP_MULTICAST_IF, val, n) < 0)
            return -1;
        return 0;
    }
    if (level == IPPROTO_IP && name == IP_HDRINCL) return 0;  // always true of a divert socket
    if (level == SOL_SOCKET && name == SO_BROADCAST) return 0;  // [DECISION] spec 5.5
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
        case SO_DOMAIN: return put_int(AF_INET);
        case SO_PROTOCOL: return put_int(IPPROTO_DIVERT);
        case SO_BROADCAST: return put_int(1);
        default: return DIVERT_REAL(getsockopt, fd, level, name, val, len);
        }
    }
    if (level == IPPROTO_IP && name == IP_HDRINCL) return put_int(1);
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
