// The DIVERT_METADATA control messages (core/metadata.h; docs/divert.7 "Metadata").
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "core/metadata.h"
#include "divert.h"

using divert::Metadata;

namespace {

std::map<int, uint32_t> read_cmsgs(msghdr& msg)
{
    std::map<int, uint32_t> out;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        EXPECT_EQ(c->cmsg_level, IPPROTO_DIVERT);
        EXPECT_EQ(c->cmsg_len, CMSG_LEN(sizeof(uint32_t)));
        uint32_t v;
        std::memcpy(&v, CMSG_DATA(c), sizeof v);
        out[c->cmsg_type] = v;
    }
    return out;
}

Metadata sample(bool owner)
{
    Metadata m;
    m.in_ifindex = 2;
    m.out_ifindex = 3;
    m.hook = DIVERT_HOOK_FORWARD;
    m.mark = 0x10020000;
    m.rule = 7;
    m.has_uid = m.has_gid = owner;
    m.uid = 1000;
    m.gid = 100;
    return m;
}

}  // namespace

TEST(DivertMetadata, EveryItemWithTheOwnerWhenKnown)
{
    alignas(cmsghdr) unsigned char buf[256];
    msghdr msg{};
    msg.msg_control = buf;
    msg.msg_controllen = sizeof buf;
    divert::put_cmsgs(&msg, sample(true));
    EXPECT_EQ(msg.msg_controllen, 7 * CMSG_SPACE(sizeof(uint32_t)));
    EXPECT_EQ(msg.msg_flags & MSG_CTRUNC, 0);
    auto got = read_cmsgs(msg);
    EXPECT_EQ(got, (std::map<int, uint32_t>{{DIVERT_CMSG_IN_IFINDEX, 2},
                                            {DIVERT_CMSG_OUT_IFINDEX, 3},
                                            {DIVERT_CMSG_HOOK, DIVERT_HOOK_FORWARD},
                                            {DIVERT_CMSG_MARK, 0x10020000},
                                            {DIVERT_CMSG_UID, 1000},
                                            {DIVERT_CMSG_GID, 100},
                                            {DIVERT_CMSG_RULE, 7}}));
}

TEST(DivertMetadata, NoOwnerNoUidGid)
{
    alignas(cmsghdr) unsigned char buf[256];
    msghdr msg{};
    msg.msg_control = buf;
    msg.msg_controllen = sizeof buf;
    divert::put_cmsgs(&msg, sample(false));
    auto got = read_cmsgs(msg);
    EXPECT_EQ(got.size(), 5u);
    EXPECT_EQ(got.count(DIVERT_CMSG_UID), 0u);
    EXPECT_EQ(got.count(DIVERT_CMSG_GID), 0u);
}

TEST(DivertMetadata, ShortBufferGetsWhatFitsAndCtrunc)
{
    alignas(cmsghdr) unsigned char buf[64];
    msghdr msg{};
    msg.msg_control = buf;
    msg.msg_controllen = 2 * CMSG_SPACE(sizeof(uint32_t)) + 4;
    divert::put_cmsgs(&msg, sample(true));
    EXPECT_EQ(msg.msg_controllen, 2 * CMSG_SPACE(sizeof(uint32_t)));
    EXPECT_NE(msg.msg_flags & MSG_CTRUNC, 0);
    EXPECT_EQ(read_cmsgs(msg).size(), 2u);

    msghdr none{};
    divert::put_cmsgs(&none, sample(true));
    EXPECT_EQ(none.msg_controllen, 0u);
    EXPECT_NE(none.msg_flags & MSG_CTRUNC, 0);
}
