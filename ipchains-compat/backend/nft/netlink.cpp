#include "backend/nft/netlink.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

namespace ipchains::backend::nft {

namespace {
// Netlink hands out at most 32 KiB per dump message; a larger buffer costs nothing and lets
// one recv drain several queued error reports.
constexpr size_t kRxBufSize = 256 * 1024;
// Acks and error reports for a big batch are all queued before we read any of them.
constexpr int kRcvBuf = 4 * 1024 * 1024;

Error sys_error(int err, const char* what)
{
    return Error::kernel(err, std::string(what) + ": " + strerror(err));
}

void set_buffer(int fd, int force_opt, int opt, int size)
{
    // The FORCE variants pass the sysctl caps (root); the plain ones are the fallback.
    if (setsockopt(fd, SOL_SOCKET, force_opt, &size, sizeof(size)) != 0)
        setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size));
}
}  // namespace

Netlink::Netlink(mnl_socket* s)
    : sock_(s), portid_(mnl_socket_get_portid(s)), seq_(static_cast<uint32_t>(time(nullptr))),
      rxbuf_(kRxBufSize)
{
}

Netlink::~Netlink()
{
    mnl_socket_close(sock_);
}

Result<std::unique_ptr<Netlink>> Netlink::open()
{
    mnl_socket* s = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
    if (!s) return sys_error(errno, "netlink socket");
    if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
        int err = errno;
        mnl_socket_close(s);
        return sys_error(err, "netlink bind");
    }
    int fd = mnl_socket_get_fd(s);
    set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, kRcvBuf);
    int one = 1;
    // Error reports then carry only the failing header, not a copy of the whole rule.
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    return std::unique_ptr<Netlink>(new Netlink(s));
}

uint32_t Netlink::reserve_seq(uint32_t count)
{
    uint32_t first = seq_;
    seq_ += count;
    return first;
}

Result<void> Netlink::ensure_sndbuf(size_t len)
{
    // netlink_sendmsg refuses a message larger than the send buffer, and a batch must go in one
    // message to be one transaction.
    size_t want = len + 64 * 1024;
    if (want <= sndbuf_) return {};
    if (want > static_cast<size_t>(INT32_MAX / 2)) return sys_error(EMSGSIZE, "netlink batch");
    set_buffer(mnl_socket_get_fd(sock_), SO_SNDBUFFORCE, SO_SNDBUF, static_cast<int>(want));
    sndbuf_ = want;
    return {};
}

Result<std::vector<MsgError>> Netlink::send_batch(const void* buf, size_t len, uint32_t ack_seq,
                                                 bool& acked)
{
    acked = false;
    // The batch numbered its messages from next_seq() up to END = ack_seq + 1.
    if (static_cast<int32_t>(ack_seq + 2 - seq_) > 0) seq_ = ack_seq + 2;
    if (auto r = ensure_sndbuf(len); !r) return r.error();
    if (mnl_socket_sendto(sock_, buf, len) < 0) return sys_error(errno, "netlink send");

    std::vector<MsgError> errors;
    int fd = mnl_socket_get_fd(sock_);
    for (;;) {
        ssize_t n = recv(fd, rxbuf_.data(), rxbuf_.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            // ENOBUFS: reports were dropped; the transaction may or may not have committed,
            // which only the final ack can tell.
            if (errno == ENOBUFS) continue;
            return sys_error(errno, "netlink receive");
        }
        int remaining = static_cast<int>(n);
        for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rxbuf_.data());
             mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
            if (nlh->nlmsg_type != NLMSG_ERROR) continue;
            if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) continue;
            const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
            if (e->error == 0) {
                if (e->msg.nlmsg_seq == ack_seq) acked = true;
                continue;
            }
            errors.push_back(MsgError{e->msg.nlmsg_seq, -e->error});
        }
    }
    return errors;
}

Result<void> Netlink::query(nlmsghdr* request, const Callback& cb)
{
    uint32_t seq = reserve_seq(1);
    request->nlmsg_seq = seq;
    // A single get ends with its ack, a dump with NLMSG_DONE.
    if (!(request->nlmsg_flags & NLM_F_DUMP)) request->nlmsg_flags |= NLM_F_ACK;
    if (mnl_socket_sendto(sock_, request, request->nlmsg_len) < 0)
        return sys_error(errno, "netlink send");

    bool interrupted = false;
    int failed = 0;
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(sock_, rxbuf_.data(), rxbuf_.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error::kernel(errno, strerror(errno));
        }
        int remaining = static_cast<int>(n);
        for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rxbuf_.data());
             mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
            // Leftovers of an earlier exchange carry another sequence number.
            if (nlh->nlmsg_seq != seq || (nlh->nlmsg_pid != 0 && nlh->nlmsg_pid != portid_))
                continue;
            if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
            if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
                int err = 0;
                if (nlh->nlmsg_type == NLMSG_ERROR &&
                    nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr)))
                    err = -static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh))->error;
                if (nlh->nlmsg_type == NLMSG_DONE && nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
                    err = -*static_cast<const int*>(mnl_nlmsg_get_payload(nlh));
                if (err == 0) err = failed;
                // The ruleset changed while the dump ran: the caller reads again.
                if (err == 0 && interrupted) err = EINTR;
                if (err != 0) return Error::kernel(err, strerror(err));
                return {};
            }
            if (nlh->nlmsg_type < NLMSG_MIN_TYPE) continue;
            if (failed == 0 && cb(nlh) < 0) failed = errno != 0 ? errno : EINVAL;
        }
    }
}

}  // namespace ipchains::backend::nft
