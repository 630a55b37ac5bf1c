// RunElements (backend/nft/serialize.h), no kernel: the element lists that make_set_elements
// writes, framed as the kernel frames a GETSETELEM dump (the same attributes), read back for
// the append fast path; and make_set's size.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "backend/nft/serialize.h"
#include "compile/runs.h"

namespace ipchains::backend::nft {
namespace {

using F = ir::SetField;

struct Messages {
    std::vector<std::vector<char>> bufs;
};

// Calls `f` on each element nest of the message's element list.
template <typename Fn>
void each_list_entry(nlmsghdr* nlh, Fn f)
{
    auto* a = static_cast<nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)));
    int left = static_cast<int>(static_cast<char*>(mnl_nlmsg_get_payload_tail(nlh)) -
                                reinterpret_cast<char*>(a));
    for (; mnl_attr_ok(a, left); left -= MNL_ALIGN(a->nla_len), a = mnl_attr_next(a)) {
        if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS) continue;
        auto* e = static_cast<nlattr*>(mnl_attr_get_payload(a));
        int in = static_cast<int>(mnl_attr_get_payload_len(a));
        for (; mnl_attr_ok(e, in); in -= MNL_ALIGN(e->nla_len), e = mnl_attr_next(e)) f(e);
    }
}

// Each element object of `s` as one dump message. libnftnl numbers a request's list entries
// 1, 2, ...; the kernel's dump names each NFTA_LIST_ELEM, as libnftnl's parser requires.
Messages dump_of(const ir::Set& s)
{
    Messages out;
    for (const auto& o : make_all_set_elements("ipchains", s, ElementContent::Counts)) {
        std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE * 4);
        nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_NEWSETELEM, NFPROTO_IPV4,
                                              NLM_F_MULTI, 1);
        nftnl_set_elems_nlmsg_build_payload(nlh, o.get());
        each_list_entry(nlh, [](nlattr* e) { e->nla_type = NFTA_LIST_ELEM | NLA_F_NESTED; });
        buf.resize(nlh->nlmsg_len);
        out.bufs.push_back(std::move(buf));
    }
    return out;
}

RunElements read(const ir::Set& s, const std::vector<F>& fields)
{
    RunElements r(fields);
    Messages m = dump_of(s);
    for (const auto& b : m.bufs) r.add_message(reinterpret_cast<const nlmsghdr*>(b.data()));
    return r;
}

ir::SetElement member(size_t n, std::vector<ir::SetKey> key)
{
    ir::SetElement e;
    e.key = std::move(key);
    std::string line = "-A input -s 10.0.0." + std::to_string(n) + " -j DENY";
    e.comment = compile::run_member_comment(n, line);
    return e;
}

ir::Set ports(bool interval)
{
    ir::Set s;
    s.name = "input-dport-1";
    s.fields = {F::DestPort};
    s.interval = interval;
    s.elements.push_back(member(1, {{F::DestPort, 80, 80, ""}}));
    if (interval) s.elements.push_back(member(2, {{F::DestPort, 1000, 1999, ""}}));
    s.elements.push_back(member(interval ? 3 : 2, {{F::DestPort, 443, 443, ""}}));
    return s;
}

TEST(RunElements, CountsNumbersAndTakesTheFirstSaveLine)
{
    RunElements r = read(ports(false), {F::DestPort});
    ASSERT_TRUE(r.keys_valid());
    EXPECT_FALSE(r.interval());
    EXPECT_EQ(r.members(), 2u);
    EXPECT_TRUE(r.numbers_complete());
    EXPECT_EQ(r.sample(), "-A input -s 10.0.0.1 -j DENY");
    EXPECT_TRUE(r.overlaps({{F::DestPort, 443, 443, ""}}));
    EXPECT_FALSE(r.overlaps({{F::DestPort, 444, 444, ""}}));
}

TEST(RunElements, EndBoundsCloseTheirRangesAndAreNoMembers)
{
    RunElements r = read(ports(true), {F::DestPort});
    ASSERT_TRUE(r.keys_valid());
    EXPECT_TRUE(r.interval());
    EXPECT_EQ(r.members(), 3u);
    EXPECT_TRUE(r.numbers_complete());
    EXPECT_TRUE(r.overlaps({{F::DestPort, 1999, 1999, ""}}));
    EXPECT_TRUE(r.overlaps({{F::DestPort, 900, 1000, ""}}));
    EXPECT_FALSE(r.overlaps({{F::DestPort, 2000, 2000, ""}}));
    EXPECT_FALSE(r.overlaps({{F::DestPort, 81, 442, ""}}));
}

// A dump read while the kernel resized the set's hash table: member 2 came twice, member 3
// never. Count and highest number still agree, so only the numbers themselves tell.
TEST(RunElements, ADumpThatRepeatedAndSkippedMembersIsNotNumberedInFull)
{
    ir::Set s;
    s.name = "input-saddr-1";
    s.fields = {F::SourceAddr};
    for (uint32_t n : {1u, 2u, 2u, 4u})
        s.elements.push_back(member(n, {{F::SourceAddr, 0x0a000000 + n, 0x0a000000 + n, ""}}));
    RunElements r = read(s, s.fields);
    ASSERT_TRUE(r.keys_valid());
    EXPECT_EQ(r.members(), 4u);
    EXPECT_FALSE(r.numbers_complete());
}

TEST(RunElements, AMemberWithoutItsNumberLeavesTheNumbersIncomplete)
{
    ir::Set s = ports(false);
    s.elements.push_back(member(3, {{F::DestPort, 22, 22, ""}}));
    s.elements.back().comment = "no number";
    RunElements r = read(s, {F::DestPort});
    ASSERT_TRUE(r.keys_valid());
    EXPECT_EQ(r.members(), 3u);
    EXPECT_FALSE(r.numbers_complete());
}

TEST(RunElements, InterfaceWildcardOverlapsItsNames)
{
    ir::Set s;
    s.name = "input-iif-1";
    s.fields = {F::InIface};
    s.interval = true;
    s.elements.push_back(member(1, {{F::InIface, 0, 0, "ppp", true}}));
    s.elements.push_back(member(2, {{F::InIface, 0, 0, "eth0", false}}));
    RunElements r = read(s, {F::InIface});
    ASSERT_TRUE(r.keys_valid());
    EXPECT_EQ(r.members(), 2u);
    EXPECT_TRUE(r.overlaps({{F::InIface, 0, 0, "ppp7", false}}));
    EXPECT_TRUE(r.overlaps({{F::InIface, 0, 0, "eth0", false}}));
    EXPECT_FALSE(r.overlaps({{F::InIface, 0, 0, "eth1", false}}));
}

TEST(RunElements, ConcatenationRangesComeFromTheLastKey)
{
    ir::Set s;
    s.name = "input-saddr-dport-1";
    s.fields = {F::SourceAddr, F::DestPort};
    s.interval = true;
    s.elements.push_back(member(1, {{F::SourceAddr, 0x0a000000, 0x0affffff, ""},
                                    {F::DestPort, 123, 123, ""}}));
    RunElements r = read(s, s.fields);
    ASSERT_TRUE(r.keys_valid());
    EXPECT_TRUE(r.interval());
    EXPECT_EQ(r.members(), 1u);
    EXPECT_TRUE(r.overlaps({{F::SourceAddr, 0x0a0a0a0a, 0x0a0a0a0a, ""},
                            {F::DestPort, 123, 123, ""}}));
    EXPECT_FALSE(r.overlaps({{F::SourceAddr, 0x0a0a0a0a, 0x0a0a0a0a, ""},
                             {F::DestPort, 124, 124, ""}}));
}

TEST(RunElements, AKeyOfAnotherLengthIsNoSetThisVersionWrote)
{
    // Port keys read as address keys: two bytes where four belong.
    RunElements r = read(ports(false), {F::SourceAddr});
    EXPECT_FALSE(r.keys_valid());
}

TEST(RunElements, AMessageThatDoesNotParseIsLeftOutWhole)
{
    Messages m = dump_of(ports(false));
    ASSERT_EQ(m.bufs.size(), 1u);
    // A second copy whose second list entry is no element: its first does not count either.
    std::vector<char> bad = m.bufs[0];
    auto* nlh = reinterpret_cast<nlmsghdr*>(bad.data());
    size_t entries = 0;
    each_list_entry(nlh, [&](nlattr* e) {
        if (entries++ == 1) e->nla_type = NFTA_LIST_UNSPEC | NLA_F_NESTED;
    });
    ASSERT_EQ(entries, 2u);
    RunElements r({F::DestPort});
    r.add_message(reinterpret_cast<const nlmsghdr*>(m.bufs[0].data()));
    r.add_message(nlh);
    ASSERT_TRUE(r.keys_valid());
    EXPECT_EQ(r.members(), 2u);
    EXPECT_TRUE(r.numbers_complete());
}

// make_set: the size reaches the kernel's NFTA_SET_DESC only for a hash set.
TEST(RunSet, AHashSetCarriesItsSizeAnIntervalSetNone)
{
    for (bool interval : {false, true}) {
        ir::Set s = ports(interval);
        s.size = compile::run_set_size(s, s.elements.size());
        SetPtr set = make_set("ipchains", s);
        std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
        nlmsghdr* nlh =
            nftnl_nlmsg_build_hdr(buf.data(), NFT_MSG_NEWSET, NFPROTO_IPV4, 0, 1);
        nftnl_set_nlmsg_build_payload(nlh, set.get());
        SetPtr back(nftnl_set_alloc());
        ASSERT_GE(nftnl_set_nlmsg_parse(nlh, back.get()), 0);
        if (interval) {
            EXPECT_FALSE(nftnl_set_is_set(back.get(), NFTNL_SET_DESC_SIZE));
        } else {
            ASSERT_TRUE(nftnl_set_is_set(back.get(), NFTNL_SET_DESC_SIZE));
            EXPECT_EQ(nftnl_set_get_u32(back.get(), NFTNL_SET_DESC_SIZE), 64u);
        }
    }
}

}  // namespace
}  // namespace ipchains::backend::nft
