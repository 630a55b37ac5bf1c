// The one place that talks to the kernel: a netfilter netlink socket (libmnl) that sends
// batches and runs dumps. Errors come back as errno values; callers name what failed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/result.h"

struct mnl_socket;
struct nlmsghdr;

namespace ipchains::backend::nft {

// What the kernel said about one message of a batch.
struct MsgError {
    uint32_t seq;
    int err;  // positive errno
};

class Netlink {
public:
    // Opening needs no privilege; the kernel refuses the first request instead (EPERM).
    static Result<std::unique_ptr<Netlink>> open();
    ~Netlink();
    Netlink(const Netlink&) = delete;
    Netlink& operator=(const Netlink&) = delete;

    uint32_t portid() const { return portid_; }
    // The first sequence number of the next batch; send_batch moves past the batch's.
    uint32_t next_seq() const { return seq_; }
    // Sequence numbers for the next `count` messages.
    uint32_t reserve_seq(uint32_t count);

    // Sends one batch (BEGIN ... END, the last message flagged NLM_F_ACK) in one sendmsg and
    // collects every report the kernel queued for it. The kernel runs the whole transaction
    // inside sendmsg, so when it returns every error and the final ack are already queued.
    // `acked` is set when the final ack (error 0 for `ack_seq`) arrived.
    Result<std::vector<MsgError>> send_batch(const void* buf, size_t len, uint32_t ack_seq,
                                             bool& acked);

    // Runs a request built by the caller (NLM_F_DUMP or a single get) and calls `cb` for every
    // data message. Fails with the kernel's errno.
    using Callback = std::function<int(const nlmsghdr*)>;
    Result<void> query(nlmsghdr* request, const Callback& cb);

private:
    explicit Netlink(mnl_socket* s);
    Result<void> ensure_sndbuf(size_t len);

    mnl_socket* sock_;
    uint32_t portid_;
    uint32_t seq_;
    size_t sndbuf_ = 0;
    std::vector<char> rxbuf_;
};

}  // namespace ipchains::backend::nft
