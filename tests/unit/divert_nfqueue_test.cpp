// The NFQUEUE codec against hand-built netlink bytes: what a bind and a verdict look like on
// the wire, and parsing a queued-packet message.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

#include "core/nfqueue.h"

namespace nfq = divert::nfq;

namespace {

std::map<int, std::vector<uint8_t>> attrs(const nlmsghdr* nlh)
{
    std::map<int, std::vector<uint8_t>> out;
    mnl_attr_parse(nlh, sizeof(nfgenmsg), [](const nlattr* a, void* d) {
        auto* m = static_cast<std::map<int, std::vector<uint8_t>>*>(d);
        const auto* p = static_cast<const uint8_t*>(mnl_attr_get_payload(a));
        (*m)[mnl_attr_get_type(a)] = std::vector<uint8_t>(p, p + mnl_attr_get_payload_len(a));
        return MNL_CB_OK;
    }, &out);
    return out;
}

uint16_t queue_of(const nlmsghdr* nlh)
{
    return ntohs(static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(nlh))->res_id);
}

uint32_t be32_at(const std::vector<uint8_t>& v, size_t off)
{
    uint32_t x;
    std::memcpy(&x, v.data() + off, 4);
    return ntohl(x);
}

}  // namespace

TEST(DivertNfqueue, BindAsksForWholePacketsWithoutGsoWithOwner)
{
    alignas(8) char buf[256];
    const size_t n = nfq::build_bind(buf, 1234, 99, 4096);
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(buf);
    ASSERT_EQ(n, nlh->nlmsg_len);
    EXPECT_EQ(nlh->nlmsg_type, (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_CONFIG);
    EXPECT_EQ(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
    EXPECT_EQ(nlh->nlmsg_seq, 99u);
    EXPECT_EQ(queue_of(nlh), 1234);
    auto a = attrs(nlh);
    ASSERT_EQ(a[NFQA_CFG_CMD].size(), sizeof(nfqnl_msg_config_cmd));
    EXPECT_EQ(a[NFQA_CFG_CMD][0], NFQNL_CFG_CMD_BIND);
    ASSERT_EQ(a[NFQA_CFG_PARAMS].size(), sizeof(nfqnl_msg_config_params));
    EXPECT_EQ(be32_at(a[NFQA_CFG_PARAMS], 0), 0xffffu);
    EXPECT_EQ(a[NFQA_CFG_PARAMS][4], NFQNL_COPY_PACKET);
    EXPECT_EQ(be32_at(a[NFQA_CFG_QUEUE_MAXLEN], 0), 4096u);
    EXPECT_EQ(be32_at(a[NFQA_CFG_MASK], 0),
              static_cast<uint32_t>(NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_UID_GID));
    EXPECT_EQ(be32_at(a[NFQA_CFG_FLAGS], 0), static_cast<uint32_t>(NFQA_CFG_F_UID_GID));
}

TEST(DivertNfqueue, VerdictWithoutPayload)
{
    alignas(8) char buf[nfq::kMaxHeader];
    const size_t n = nfq::build_verdict(buf, 7, 42, NF_DROP, 0);
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(buf);
    EXPECT_EQ(n, nlh->nlmsg_len);
    EXPECT_EQ(nlh->nlmsg_type, (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT);
    auto a = attrs(nlh);
    EXPECT_EQ(a.count(NFQA_MARK), 0u);  // the mark is never touched
    EXPECT_EQ(be32_at(a[NFQA_VERDICT_HDR], 0), static_cast<uint32_t>(NF_DROP));
    EXPECT_EQ(be32_at(a[NFQA_VERDICT_HDR], 4), 42u);
}

TEST(DivertNfqueue, VerdictWithPayloadLeavesRoomForTheCallersBytes)
{
    alignas(8) char buf[nfq::kMaxHeader + 64];
    const size_t head = nfq::build_verdict(buf, 7, 42, NF_ACCEPT, 21);
    // Complete the message as the caller does: payload bytes, then padding.
    std::memset(buf + head, 0xab, 21);
    std::memset(buf + head + 21, 0, 3);
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(buf);
    EXPECT_EQ(nlh->nlmsg_len, head + 24);
    auto a = attrs(nlh);
    ASSERT_EQ(a[NFQA_PAYLOAD].size(), 21u);
    EXPECT_EQ(a[NFQA_PAYLOAD][20], 0xab);
}

TEST(DivertNfqueue, BatchVerdict)
{
    alignas(8) char buf[nfq::kMaxHeader];
    nfq::build_batch_verdict(buf, 9, 1000, NF_ACCEPT);
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(buf);
    EXPECT_EQ(nlh->nlmsg_type, (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT_BATCH);
    EXPECT_EQ(queue_of(nlh), 9);
    EXPECT_EQ(be32_at(attrs(nlh)[NFQA_VERDICT_HDR], 4), 1000u);
}

TEST(DivertNfqueue, ParsesAQueuedPacket)
{
    alignas(8) char buf[512];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
    auto* g = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
    g->res_id = htons(1234);
    nfqnl_msg_packet_hdr ph{htonl(77), htons(0x0800), NF_INET_LOCAL_IN};
    mnl_attr_put(nlh, NFQA_PACKET_HDR, sizeof ph, &ph);
    mnl_attr_put_u32(nlh, NFQA_IFINDEX_INDEV, htonl(3));
    mnl_attr_put_u32(nlh, NFQA_SKB_INFO, htonl(NFQA_SKB_CSUMNOTREADY));
    const uint8_t payload[5] = {0x45, 1, 2, 3, 4};
    mnl_attr_put(nlh, NFQA_PAYLOAD, sizeof payload, payload);
    nfq::Packet p;
    ASSERT_EQ(nfq::parse_packet(nlh, p), 0);
    EXPECT_EQ(p.id, 77u);
    EXPECT_EQ(p.hook, NF_INET_LOCAL_IN);
    EXPECT_EQ(p.indev, 3u);
    EXPECT_EQ(p.skb_info, static_cast<uint32_t>(NFQA_SKB_CSUMNOTREADY));
    ASSERT_TRUE(p.has_payload);
    EXPECT_EQ(p.len, 5u);
    EXPECT_EQ(p.orig_len, 5u);
    EXPECT_EQ(p.payload[0], 0x45);
    EXPECT_EQ(p.outdev, 0u);
    EXPECT_FALSE(p.has_uid);
    EXPECT_FALSE(p.has_gid);
}

TEST(DivertNfqueue, ParsesTheMetadataAttributes)
{
    alignas(8) char buf[512];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
    auto* g = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
    g->res_id = htons(1234);
    nfqnl_msg_packet_hdr ph{htonl(78), htons(0x0800), NF_INET_POST_ROUTING};
    mnl_attr_put(nlh, NFQA_PACKET_HDR, sizeof ph, &ph);
    mnl_attr_put_u32(nlh, NFQA_IFINDEX_OUTDEV, htonl(4));
    mnl_attr_put_u32(nlh, NFQA_MARK, htonl(0x10020000));
    mnl_attr_put_u32(nlh, NFQA_UID, htonl(1000));
    mnl_attr_put_u32(nlh, NFQA_GID, htonl(0));
    const uint8_t payload[5] = {0x45, 1, 2, 3, 4};
    mnl_attr_put(nlh, NFQA_PAYLOAD, sizeof payload, payload);
    nfq::Packet p;
    ASSERT_EQ(nfq::parse_packet(nlh, p), 0);
    EXPECT_EQ(p.indev, 0u);
    EXPECT_EQ(p.outdev, 4u);
    EXPECT_EQ(p.mark, 0x10020000u);
    EXPECT_TRUE(p.has_uid);
    EXPECT_EQ(p.uid, 1000u);
    EXPECT_TRUE(p.has_gid);
    EXPECT_EQ(p.gid, 0u);
}

TEST(DivertNfqueue, OtherMessagesAreNotPackets)
{
    alignas(8) char buf[128];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = NLMSG_ERROR;
    auto* e = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nlmsgerr)));
    e->error = -EBUSY;
    nfq::Packet p;
    EXPECT_EQ(nfq::parse_packet(nlh, p), ENOMSG);
    EXPECT_EQ(nfq::error_of(nlh), EBUSY);
    e->error = 0;
    EXPECT_EQ(nfq::error_of(nlh), 0);
    nlh->nlmsg_type = NLMSG_DONE;
    EXPECT_EQ(nfq::error_of(nlh), -1);
}

namespace {

// What the kernel sends back when it refuses `request`: NLMSG_ERROR, the errno, and (no
// NETLINK_CAP_ACK) the whole request.
std::vector<uint8_t> refusal(const void* request, int error)
{
    const auto* req = static_cast<const nlmsghdr*>(request);
    std::vector<uint8_t> out(MNL_ALIGN(sizeof(nlmsghdr) + sizeof(int) + req->nlmsg_len), 0);
    auto* nlh = reinterpret_cast<nlmsghdr*>(out.data());
    nlh->nlmsg_len = static_cast<uint32_t>(out.size());
    nlh->nlmsg_type = NLMSG_ERROR;
    auto* e = static_cast<nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
    e->error = -error;
    std::memcpy(&e->msg, req, req->nlmsg_len);
    return out;
}

}  // namespace

TEST(DivertNfqueue, ARefusedVerdictNamesItsPacket)
{
    alignas(8) char buf[nfq::kMaxHeader];
    nfq::build_verdict(buf, 7, 42, NF_ACCEPT, 0);
    auto msg = refusal(buf, ENOENT);
    nfq::VerdictError ve;
    ASSERT_EQ(nfq::parse_verdict_error(reinterpret_cast<nlmsghdr*>(msg.data()), msg.size(), ve), 0);
    EXPECT_EQ(ve.error, ENOENT);
    EXPECT_FALSE(ve.batch);
    EXPECT_EQ(ve.id, 42u);
    EXPECT_EQ(ve.verdict, static_cast<uint32_t>(NF_ACCEPT));
    EXPECT_EQ(ve.payload, nullptr);
}

TEST(DivertNfqueue, ARefusedBatchAndARefusedChangedPacket)
{
    alignas(8) char buf[nfq::kMaxHeader + 64];
    nfq::build_batch_verdict(buf, 7, 99, NF_ACCEPT);
    auto msg = refusal(buf, ENOENT);
    nfq::VerdictError ve;
    ASSERT_EQ(nfq::parse_verdict_error(reinterpret_cast<nlmsghdr*>(msg.data()), msg.size(), ve), 0);
    EXPECT_TRUE(ve.batch);
    EXPECT_EQ(ve.id, 99u);

    // A changed packet: the header, then the bytes the caller sends right after it.
    const uint8_t packet[6] = {0x45, 0x10, 0, 20, 1, 2};
    const size_t head = nfq::build_verdict(buf, 7, 43, NF_ACCEPT, sizeof packet);
    std::memcpy(buf + head, packet, sizeof packet);
    msg = refusal(buf, ENOENT);
    ASSERT_EQ(nfq::parse_verdict_error(reinterpret_cast<nlmsghdr*>(msg.data()), msg.size(), ve), 0);
    EXPECT_EQ(ve.id, 43u);
    ASSERT_EQ(ve.len, sizeof packet);
    EXPECT_EQ(std::memcmp(ve.payload, packet, sizeof packet), 0);
}

TEST(DivertNfqueue, OnlyWholeRefusalsOfVerdictsCount)
{
    alignas(8) char buf[256];
    nfq::build_bind(buf, 7, 1, 4096);  // a refused bind is not a verdict
    auto msg = refusal(buf, EBUSY);
    nfq::VerdictError ve;
    EXPECT_EQ(nfq::parse_verdict_error(reinterpret_cast<nlmsghdr*>(msg.data()), msg.size(), ve),
              ENOMSG);
    nfq::build_verdict(buf, 7, 42, NF_ACCEPT, 0);
    msg = refusal(buf, 0);  // an ack
    EXPECT_EQ(nfq::parse_verdict_error(reinterpret_cast<nlmsghdr*>(msg.data()), msg.size(), ve),
              ENOMSG);
    msg = refusal(buf, ENOENT);
    EXPECT_EQ(nfq::parse_verdict_error(reinterpret_cast<nlmsghdr*>(msg.data()), msg.size() - 8, ve),
              EBADMSG);  // cut short
}
