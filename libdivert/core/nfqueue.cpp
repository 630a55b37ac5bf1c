#include "core/nfqueue.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

namespace divert::nfq {
namespace {

nlmsghdr* put_header(void* buf, uint16_t type, uint16_t queue, uint32_t seq, uint16_t flags)
{
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = static_cast<uint16_t>((NFNL_SUBSYS_QUEUE << 8) | type);
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
    nlh->nlmsg_seq = seq;
    auto* nfg = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
    nfg->nfgen_family = AF_UNSPEC;
    nfg->version = NFNETLINK_V0;
    nfg->res_id = htons(queue);
    return nlh;
}

struct Attrs {
    const nlattr* tb[NFQA_MAX + 1] = {};
};

int collect(const nlattr* attr, void* data)
{
    auto* a = static_cast<Attrs*>(data);
    const int type = mnl_attr_get_type(attr);
    if (mnl_attr_type_valid(attr, NFQA_MAX) > 0) a->tb[type] = attr;
    return MNL_CB_OK;
}

}  // namespace

int error_of(const nlmsghdr* nlh)
{
    if (nlh->nlmsg_type != NLMSG_ERROR) return -1;
    if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(nlmsgerr))) return EBADMSG;
    const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
    return e->error < 0 ? -e->error : e->error;
}

int parse_packet(nlmsghdr* nlh, Packet& out)
{
    if (nlh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET)) return ENOMSG;
    Attrs a;
    if (mnl_attr_parse(nlh, sizeof(nfgenmsg), collect, &a) < 0) return EBADMSG;
    const nlattr* hdr = a.tb[NFQA_PACKET_HDR];
    if (hdr == nullptr || mnl_attr_get_payload_len(hdr) < sizeof(nfqnl_msg_packet_hdr))
        return EBADMSG;
    const auto* ph = static_cast<const nfqnl_msg_packet_hdr*>(mnl_attr_get_payload(hdr));
    out = Packet{};
    out.id = ntohl(ph->packet_id);
    out.hook = ph->hook;
    if (a.tb[NFQA_IFINDEX_INDEV]) out.indev = ntohl(mnl_attr_get_u32(a.tb[NFQA_IFINDEX_INDEV]));
    if (a.tb[NFQA_SKB_INFO]) out.skb_info = ntohl(mnl_attr_get_u32(a.tb[NFQA_SKB_INFO]));
    if (a.tb[NFQA_MARK]) out.mark = ntohl(mnl_attr_get_u32(a.tb[NFQA_MARK]));
    if (const nlattr* p = a.tb[NFQA_PAYLOAD]) {
        out.has_payload = true;
        out.payload = static_cast<uint8_t*>(mnl_attr_get_payload(p));
        out.len = mnl_attr_get_payload_len(p);
    }
    out.orig_len = out.len;
    if (a.tb[NFQA_CAP_LEN]) out.orig_len = ntohl(mnl_attr_get_u32(a.tb[NFQA_CAP_LEN]));
    return 0;
}

size_t build_bind(void* buf, uint16_t queue, uint32_t seq, uint32_t maxlen)
{
    nlmsghdr* nlh = put_header(buf, NFQNL_MSG_CONFIG, queue, seq, NLM_F_ACK);
    nfqnl_msg_config_cmd cmd{};
    cmd.command = NFQNL_CFG_CMD_BIND;
    cmd.pf = htons(AF_INET);
    mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
    nfqnl_msg_config_params params{};
    params.copy_range = htonl(0xffff);
    params.copy_mode = NFQNL_COPY_PACKET;
    mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(params), &params);
    mnl_attr_put_u32(nlh, NFQA_CFG_QUEUE_MAXLEN, htonl(maxlen));
    // Explicitly clear GSO and fail-open: whole MTU-sized packets, and a full queue drops
    // (spec 4: never block the stack, drop on overflow).
    mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN));
    mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(0));
    return nlh->nlmsg_len;
}

size_t build_unbind(void* buf, uint16_t queue, uint32_t seq)
{
    nlmsghdr* nlh = put_header(buf, NFQNL_MSG_CONFIG, queue, seq, 0);
    nfqnl_msg_config_cmd cmd{};
    cmd.command = NFQNL_CFG_CMD_UNBIND;
    cmd.pf = htons(AF_INET);
    mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
    return nlh->nlmsg_len;
}

size_t build_verdict(void* buf, uint16_t queue, uint32_t id, uint32_t verdict, size_t payload_len)
{
    nlmsghdr* nlh = put_header(buf, NFQNL_MSG_VERDICT, queue, 0, 0);
    nfqnl_msg_verdict_hdr vh{htonl(verdict), htonl(id)};
    mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(vh), &vh);
    if (payload_len != 0) {
        auto* attr = static_cast<nlattr*>(mnl_nlmsg_get_payload_tail(nlh));
        attr->nla_type = NFQA_PAYLOAD;
        attr->nla_len = static_cast<uint16_t>(MNL_ATTR_HDRLEN + payload_len);
        const size_t head = nlh->nlmsg_len + MNL_ATTR_HDRLEN;
        nlh->nlmsg_len += MNL_ALIGN(MNL_ATTR_HDRLEN + payload_len);
        return head;
    }
    return nlh->nlmsg_len;
}

size_t build_batch_verdict(void* buf, uint16_t queue, uint32_t max_id, uint32_t verdict)
{
    nlmsghdr* nlh = put_header(buf, NFQNL_MSG_VERDICT_BATCH, queue, 0, 0);
    nfqnl_msg_verdict_hdr vh{htonl(verdict), htonl(max_id)};
    mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(vh), &vh);
    return nlh->nlmsg_len;
}

}  // namespace divert::nfq
