#include "core/nfqueue.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

namespace divert::nfq {
namespace {

// libnetfilter_queue's header, flags and sequence as the callers need them; nfq_nlmsg_put
// writes the nfgenmsg (family, version, queue number in network order).
nlmsghdr* put_header(void* buf, uint16_t type, uint16_t queue, uint32_t seq, uint16_t flags)
{
    nlmsghdr* nlh = nfq_nlmsg_put(static_cast<char*>(buf), type, queue);
    nlh->nlmsg_flags |= flags;
    nlh->nlmsg_seq = seq;
    return nlh;
}

// Parses nlh's attributes into tb (validated, on the caller's stack: no allocation) and
// returns its fixed-size attribute `type`, or nullptr when the message is malformed or lacks it.
template <typename T>
const T* parse_with_header(const nlmsghdr* nlh, nlattr** tb, int type)
{
    if (nfq_nlmsg_parse(nlh, tb) < 0) return nullptr;
    const nlattr* a = tb[type];
    if (a == nullptr || mnl_attr_get_payload_len(a) < sizeof(T)) return nullptr;
    return static_cast<const T*>(mnl_attr_get_payload(a));
}

}  // namespace

int error_of(const nlmsghdr* nlh)
{
    if (nlh->nlmsg_type != NLMSG_ERROR) return -1;
    if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(nlmsgerr))) return EBADMSG;
    const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
    return e->error < 0 ? -e->error : e->error;
}

int parse_verdict_error(const nlmsghdr* nlh, size_t len, VerdictError& out)
{
    if (nlh->nlmsg_type != NLMSG_ERROR) return ENOMSG;
    if (nlh->nlmsg_len > len || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(nlmsgerr)))
        return EBADMSG;
    const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
    const nlmsghdr* req = &e->msg;
    const uint16_t single = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT;
    const uint16_t batch = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT_BATCH;
    if (e->error == 0 || (req->nlmsg_type != single && req->nlmsg_type != batch)) return ENOMSG;
    // The echo must be whole: the error header, then the request as long as it says it is.
    const size_t room = nlh->nlmsg_len - mnl_nlmsg_size(sizeof(int));
    if (req->nlmsg_len > room || req->nlmsg_len < mnl_nlmsg_size(sizeof(nfgenmsg)))
        return EBADMSG;
    nlattr* tb[NFQA_MAX + 1] = {};
    const auto* vh = parse_with_header<nfqnl_msg_verdict_hdr>(req, tb, NFQA_VERDICT_HDR);
    if (vh == nullptr) return EBADMSG;
    out = VerdictError{};
    out.error = -e->error;
    out.batch = req->nlmsg_type == batch;
    out.id = ntohl(vh->id);
    out.verdict = ntohl(vh->verdict);
    if (const nlattr* p = tb[NFQA_PAYLOAD]) {
        out.payload = static_cast<const uint8_t*>(mnl_attr_get_payload(p));
        out.len = mnl_attr_get_payload_len(p);
    }
    return 0;
}

int parse_packet(nlmsghdr* nlh, Packet& out)
{
    if (nlh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET)) return ENOMSG;
    nlattr* tb[NFQA_MAX + 1] = {};
    const auto* ph = parse_with_header<nfqnl_msg_packet_hdr>(nlh, tb, NFQA_PACKET_HDR);
    if (ph == nullptr) return EBADMSG;
    out = Packet{};
    out.id = ntohl(ph->packet_id);
    out.hook = ph->hook;
    if (tb[NFQA_IFINDEX_INDEV]) out.indev = ntohl(mnl_attr_get_u32(tb[NFQA_IFINDEX_INDEV]));
    if (tb[NFQA_IFINDEX_OUTDEV]) out.outdev = ntohl(mnl_attr_get_u32(tb[NFQA_IFINDEX_OUTDEV]));
    if (tb[NFQA_UID]) {
        out.has_uid = true;
        out.uid = ntohl(mnl_attr_get_u32(tb[NFQA_UID]));
    }
    if (tb[NFQA_GID]) {
        out.has_gid = true;
        out.gid = ntohl(mnl_attr_get_u32(tb[NFQA_GID]));
    }
    if (tb[NFQA_SKB_INFO]) out.skb_info = ntohl(mnl_attr_get_u32(tb[NFQA_SKB_INFO]));
    if (tb[NFQA_MARK]) out.mark = ntohl(mnl_attr_get_u32(tb[NFQA_MARK]));
    if (const nlattr* p = tb[NFQA_PAYLOAD]) {
        out.has_payload = true;
        out.payload = static_cast<uint8_t*>(mnl_attr_get_payload(p));
        out.len = mnl_attr_get_payload_len(p);
    }
    out.orig_len = out.len;
    if (tb[NFQA_CAP_LEN]) out.orig_len = ntohl(mnl_attr_get_u32(tb[NFQA_CAP_LEN]));
    return 0;
}

size_t build_bind(void* buf, uint16_t queue, uint32_t seq, uint32_t maxlen)
{
    nlmsghdr* nlh = put_header(buf, NFQNL_MSG_CONFIG, queue, seq, NLM_F_ACK);
    nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
    nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
    nfq_nlmsg_cfg_put_qmaxlen(nlh, maxlen);
    // Explicitly clear GSO and fail-open: whole MTU-sized packets, and a full queue drops
    // (divert(7): the stack is never blocked, an overflow drops). UID_GID on: the kernel
    // attaches the local socket's owner when the packet has one (the DIVERT_METADATA control
    // messages; two attributes, no lookup). libnetfilter_queue has no helper for the flags.
    mnl_attr_put_u32(nlh, NFQA_CFG_MASK,
                     htonl(NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_UID_GID));
    mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(NFQA_CFG_F_UID_GID));
    return nlh->nlmsg_len;
}

size_t build_unbind(void* buf, uint16_t queue, uint32_t seq)
{
    nlmsghdr* nlh = put_header(buf, NFQNL_MSG_CONFIG, queue, seq, 0);
    nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_UNBIND);
    return nlh->nlmsg_len;
}

size_t build_verdict(void* buf, uint16_t queue, uint32_t id, uint32_t verdict, size_t payload_len)
{
    nlmsghdr* nlh = put_header(buf, NFQNL_MSG_VERDICT, queue, 0, 0);
    nfq_nlmsg_verdict_put(nlh, static_cast<int>(id), static_cast<int>(verdict));
    if (payload_len != 0) {
        // Not nfq_nlmsg_verdict_put_pkt: it copies the packet into the message, and a changed
        // packet goes out straight from the program's buffer (iovecs after this header).
        auto* attr = static_cast<nlattr*>(mnl_nlmsg_get_payload_tail(nlh));
        attr->nla_type = NFQA_PAYLOAD;
        attr->nla_len = static_cast<uint16_t>(MNL_ATTR_HDRLEN + payload_len);
        const size_t head = nlh->nlmsg_len + MNL_ATTR_HDRLEN;
        nlh->nlmsg_len += MNL_ALIGN(MNL_ATTR_HDRLEN + payload_len);
        return head;
    }
    return nlh->nlmsg_len;
}

size_t build_verdict_mark(void* buf, uint16_t queue, uint32_t id, uint32_t verdict, uint32_t mark)
{
    nlmsghdr* nlh = put_header(buf, NFQNL_MSG_VERDICT, queue, 0, 0);
    nfq_nlmsg_verdict_put(nlh, static_cast<int>(id), static_cast<int>(verdict));
    nfq_nlmsg_verdict_put_mark(nlh, mark);
    return nlh->nlmsg_len;
}

size_t build_batch_verdict(void* buf, uint16_t queue, uint32_t max_id, uint32_t verdict)
{
    nlmsghdr* nlh = put_header(buf, NFQNL_MSG_VERDICT_BATCH, queue, 0, 0);
    nfq_nlmsg_verdict_put(nlh, static_cast<int>(max_id), static_cast<int>(verdict));
    return nlh->nlmsg_len;
}

}  // namespace divert::nfq
