// NFQUEUE netlink codec on libnetfilter_queue's libmnl helpers (nfq_nlmsg_*): the config
// messages that bind a queue, the verdicts, and the parse of one queued-packet message. Builds
// into caller-provided buffers; no I/O and no allocation here.
#pragma once

#include <cstddef>
#include <cstdint>

struct nlmsghdr;

namespace divert::nfq {

struct Packet {
    uint32_t id = 0;
    uint8_t hook = 0;         // NF_INET_* hook the packet was queued from
    uint32_t indev = 0;       // input interface index, 0 when none
    uint32_t outdev = 0;      // output interface index, 0 when none
    uint32_t skb_info = 0;    // NFQA_SKB_* flags
    uint32_t mark = 0;        // skb mark (the DIVERT rule's RESUME stamp), 0 when absent
    uint8_t* payload = nullptr;  // points into the receive buffer (writable)
    uint32_t len = 0;         // bytes of payload present
    uint32_t orig_len = 0;    // whole packet length (NFQA_CAP_LEN when the kernel truncated)
    bool has_payload = false;
    bool has_uid = false;     // uid/gid of the local socket (NFQA_CFG_F_UID_GID), when known
    bool has_gid = false;
    uint32_t uid = 0;
    uint32_t gid = 0;
    bool tee_copy = false;    // set by the socket, not the parse: a TEE copy, no verdict owed
};

// 0 = parsed a queued packet; ENOMSG = a message of another kind (ack, error, done), which the
// caller skips; EBADMSG = malformed.
int parse_packet(nlmsghdr* nlh, Packet& out);

// If nlh is an NLMSG_ERROR, its errno (0 for an ack); -1 otherwise.
int error_of(const nlmsghdr* nlh);

// The kernel's refusal of one of our verdict messages, as it echoes it back: nfnetlink reports
// an error even without NLM_F_ACK, and without NETLINK_CAP_ACK the echo holds the whole request.
struct VerdictError {
    int error = 0;             // errno (ENOENT: the kernel no longer holds the packet)
    bool batch = false;        // NFQNL_MSG_VERDICT_BATCH: every id <= id
    uint32_t id = 0;
    uint32_t verdict = 0;      // NF_ACCEPT, NF_DROP, ...
    const uint8_t* payload = nullptr;  // the changed packet it carried, inside nlh
    uint32_t len = 0;
};

// 0 when nlh (len bytes received) is an NLMSG_ERROR echoing a verdict or batch verdict;
// ENOMSG for any other message; EBADMSG when the echo is cut short.
int parse_verdict_error(const nlmsghdr* nlh, size_t len, VerdictError& out);

// One NFQNL_MSG_CONFIG message: bind `queue` to this socket in copy-packet mode (whole packet,
// no GSO so the kernel segments and completes checksums, the local socket's uid/gid attached
// when the kernel knows them), with the given kernel queue length.
// Returns the message length. buf must hold 256 bytes.
size_t build_bind(void* buf, uint16_t queue, uint32_t seq, uint32_t maxlen);
size_t build_unbind(void* buf, uint16_t queue, uint32_t seq);

// A verdict for one packet. When payload_len != 0 the message ends with an NFQA_PAYLOAD header
// whose data (payload_len bytes, then NLA_ALIGN padding) the caller sends right after the
// returned header bytes; nlmsg_len already counts them. buf must hold 128 bytes.
size_t build_verdict(void* buf, uint16_t queue, uint32_t id, uint32_t verdict,
                     size_t payload_len);
// A verdict that also sets the packet's mark (NFQA_MARK). buf must hold 128 bytes.
size_t build_verdict_mark(void* buf, uint16_t queue, uint32_t id, uint32_t verdict, uint32_t mark);
// Verdict for every packet with id <= max_id that is still queued.
size_t build_batch_verdict(void* buf, uint16_t queue, uint32_t max_id, uint32_t verdict);

constexpr size_t kMaxHeader = 128;

}  // namespace divert::nfq
