// ir -> libnftnl, no kernel: each match and statement must become the expressions nft itself
// generates for the same rule (compare `nft --debug=netlink`), printed by libnftnl.
#include <gtest/gtest.h>

#include <string>

#include <libnftnl/rule.h>

#include "backend/nft/serialize.h"
#include "backend/nft/udata.h"

namespace ipchains::backend::nft {
namespace {

std::string exprs(const ir::Rule& r, QueueImpl q = QueueImpl::Compat)
{
    RulePtr nr = make_rule("ipchains", "input", r, q);
    char buf[4096];
    nftnl_rule_snprintf(buf, sizeof(buf), nr.get(), NFTNL_OUTPUT_DEFAULT, 0);
    std::string s(buf);
    // Drop the "ip ipchains input" header line: only the expressions are under test.
    auto nl = s.find('\n');
    return nl == std::string::npos ? std::string() : s.substr(nl + 1);
}

std::string match(const ir::Match& m)
{
    return exprs(ir::Rule{{m}, {}, ""});
}

std::string stmt(const ir::Statement& s, QueueImpl q = QueueImpl::Compat)
{
    return exprs(ir::Rule{{}, {s}, ""}, q);
}

TEST(NftSerialize, InterfaceExactComparesTheWholeField)
{
    EXPECT_EQ(match(ir::IfName{true, "eth0", false, false}),
              "  [ meta load iifname => reg 1 ]\n"
              "  [ cmp eq reg 1 0x30687465 0x00000000 0x00000000 0x00000000 ]\n");
}

TEST(NftSerialize, InterfacePrefixComparesOnlyTheNameBytes)
{
    EXPECT_EQ(match(ir::IfName{false, "ppp", true, true}),
              "  [ meta load oifname => reg 1 ]\n"
              "  [ cmp neq reg 1 0x00707070 ]\n");
}

TEST(NftSerialize, AddressWithPrefixMask)
{
    EXPECT_EQ(match(ir::Addr{true, 0x0a000000, 0xff000000, false}),
              "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
              "  [ bitwise reg 1 = ( reg 1 & 0x000000ff ) ^ 0x00000000 ]\n"
              "  [ cmp eq reg 1 0x0000000a ]\n");
}

TEST(NftSerialize, HostAddressNeedsNoMask)
{
    EXPECT_EQ(match(ir::Addr{false, 0x01020304, 0xffffffff, true}),
              "  [ payload load 4b @ network header + 16 => reg 1 ]\n"
              "  [ cmp neq reg 1 0x04030201 ]\n");
}

TEST(NftSerialize, Protocol)
{
    EXPECT_EQ(match(ir::Proto{17, true}),
              "  [ payload load 1b @ network header + 9 => reg 1 ]\n"
              "  [ cmp neq reg 1 0x00000011 ]\n");
}

TEST(NftSerialize, SinglePortIsAComparison)
{
    EXPECT_EQ(match(ir::Port{false, 80, 80, false}),
              "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
              "  [ cmp eq reg 1 0x00005000 ]\n");
    EXPECT_EQ(match(ir::Port{true, 53, 53, true}),
              "  [ payload load 2b @ transport header + 0 => reg 1 ]\n"
              "  [ cmp neq reg 1 0x00003500 ]\n");
}

TEST(NftSerialize, PortRangeUsesTheRangeExpression)
{
    EXPECT_EQ(match(ir::Port{true, 1, 1023, false}),
              "  [ payload load 2b @ transport header + 0 => reg 1 ]\n"
              "  [ range eq reg 1 0x00000100 0x0000ff03 ]\n");
    EXPECT_EQ(match(ir::Port{false, 1024, 65535, true}),
              "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
              "  [ range neq reg 1 0x00000004 0x0000ffff ]\n");
}

TEST(NftSerialize, IcmpTypeAndCode)
{
    EXPECT_EQ(match(ir::Icmp{ir::Icmp::Type, 3, 5, false}),
              "  [ payload load 1b @ transport header + 0 => reg 1 ]\n"
              "  [ range eq reg 1 0x00000003 0x00000005 ]\n");
    EXPECT_EQ(match(ir::Icmp{ir::Icmp::Code, 1, 1, true}),
              "  [ payload load 1b @ transport header + 1 => reg 1 ]\n"
              "  [ cmp neq reg 1 0x00000001 ]\n");
}

TEST(NftSerialize, Fragment)
{
    EXPECT_EQ(match(ir::Fragment{false}),
              "  [ payload load 2b @ network header + 6 => reg 1 ]\n"
              "  [ bitwise reg 1 = ( reg 1 & 0x0000ff1f ) ^ 0x00000000 ]\n"
              "  [ cmp neq reg 1 0x00000000 ]\n");
    EXPECT_EQ(match(ir::Fragment{true}),
              "  [ payload load 2b @ network header + 6 => reg 1 ]\n"
              "  [ bitwise reg 1 = ( reg 1 & 0x0000ff1f ) ^ 0x00000000 ]\n"
              "  [ cmp eq reg 1 0x00000000 ]\n");
}

TEST(NftSerialize, Syn)
{
    EXPECT_EQ(match(ir::Syn{false}),
              "  [ payload load 1b @ transport header + 13 => reg 1 ]\n"
              "  [ bitwise reg 1 = ( reg 1 & 0x00000016 ) ^ 0x00000000 ]\n"
              "  [ cmp eq reg 1 0x00000002 ]\n");
    EXPECT_EQ(match(ir::Syn{true}),
              "  [ payload load 1b @ transport header + 13 => reg 1 ]\n"
              "  [ bitwise reg 1 = ( reg 1 & 0x00000016 ) ^ 0x00000000 ]\n"
              "  [ cmp neq reg 1 0x00000002 ]\n");
}

TEST(NftSerialize, MarkIsHostOrder)
{
    EXPECT_EQ(match(ir::Mark{0x7fff0000, 0x10010000, true}),
              "  [ meta load mark => reg 1 ]\n"
              "  [ bitwise reg 1 = ( reg 1 & 0x7fff0000 ) ^ 0x00000000 ]\n"
              "  [ cmp neq reg 1 0x10010000 ]\n");
    EXPECT_EQ(match(ir::Mark{0xffffffff, 5, false}),
              "  [ meta load mark => reg 1 ]\n"
              "  [ cmp eq reg 1 0x00000005 ]\n");
}

TEST(NftSerialize, ConntrackReplyAndMark)
{
    EXPECT_EQ(match(ir::CtReply{0x80000000, 0x80000000}),
              "  [ ct load direction => reg 1 ]\n"
              "  [ cmp eq reg 1 0x00000001 ]\n"
              "  [ ct load mark => reg 1 ]\n"
              "  [ bitwise reg 1 = ( reg 1 & 0x80000000 ) ^ 0x00000000 ]\n"
              "  [ cmp eq reg 1 0x80000000 ]\n");
    EXPECT_EQ(match(ir::CtReply{0, 0}),
              "  [ ct load direction => reg 1 ]\n"
              "  [ cmp eq reg 1 0x00000001 ]\n");
    EXPECT_EQ(stmt(ir::SetCtMark{0x7fffffff, 0x80000000}),
              "  [ ct load mark => reg 1 ]\n"
              "  [ bitwise reg 1 = ( reg 1 & 0x7fffffff ) ^ 0x80000000 ]\n"
              "  [ ct set mark with reg 1 ]\n");
}

TEST(NftSerialize, Counters)
{
    EXPECT_EQ(stmt(ir::Counter{5, 100}), "  [ counter pkts 5 bytes 100 ]\n");
    EXPECT_EQ(stmt(ir::NamedCounter{"input-policy"}),
              "  [ objref type 1 name input-policy ]\n");
}

TEST(NftSerialize, Log)
{
    EXPECT_EQ(stmt(ir::Log{"input DENY ", std::nullopt, 0}),
              "  [ log prefix input DENY  ]\n");
    EXPECT_EQ(stmt(ir::Log{"", uint16_t(0), 128}),
              "  [ log group 0 snaplen 128 qthreshold 0 ]\n");
}

TEST(NftSerialize, SetMark)
{
    EXPECT_EQ(stmt(ir::SetMark{0x8000ffff, 0x10010000}),
              "  [ meta load mark => reg 1 ]\n"
              "  [ bitwise reg 1 = ( reg 1 & 0x8000ffff ) ^ 0x10010000 ]\n"
              "  [ meta set mark with reg 1 ]\n");
}

TEST(NftSerialize, SetTosRewritesAlignedWordWithChecksum)
{
    // Version/IHL byte kept, TOS byte (tos & 0x01) ^ 0x10, IP checksum fixed (inet, @10).
    EXPECT_EQ(stmt(ir::SetTos{0x01, 0x10}),
              "  [ payload load 2b @ network header + 0 => reg 1 ]\n"
              "  [ bitwise reg 1 = ( reg 1 & 0x000001ff ) ^ 0x00001000 ]\n"
              "  [ payload write reg 1 => 2b @ network header + 0 csum_type 1 csum_off 10 "
              "csum_flags 0x0 ]\n");
}

TEST(NftSerialize, QueueNative)
{
    EXPECT_EQ(stmt(ir::Queue{1234, false}, QueueImpl::Native), "  [ queue num 1234 ]\n");
    EXPECT_EQ(stmt(ir::Queue{5, true}, QueueImpl::Native), "  [ queue num 5 bypass ]\n");
}

TEST(NftSerialize, QueueCompatIsXtNfqueueRevision3)
{
    RulePtr nr = make_rule("ipchains", "input", ir::Rule{{}, {ir::Queue{1234, true}}, ""},
                           QueueImpl::Compat);
    nftnl_expr_iter* it = nftnl_expr_iter_create(nr.get());
    nftnl_expr* e = nftnl_expr_iter_next(it);
    ASSERT_NE(e, nullptr);
    EXPECT_STREQ(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "target");
    EXPECT_STREQ(nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME), "NFQUEUE");
    EXPECT_EQ(nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV), 3u);
    uint32_t len = 0;
    const auto* info = static_cast<const uint16_t*>(nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len));
    ASSERT_EQ(len, 8u);  // xt_NFQ_info_v3, padded to the xtables alignment
    EXPECT_EQ(info[0], 1234);  // queuenum
    EXPECT_EQ(info[1], 1);     // queues_total
    EXPECT_EQ(info[2], 1);     // NFQ_FLAG_BYPASS
    EXPECT_EQ(nftnl_expr_iter_next(it), nullptr);
    nftnl_expr_iter_destroy(it);
}

TEST(NftSerialize, Reject)
{
    EXPECT_EQ(stmt(ir::Reject{ir::Reject::PortUnreach}), "  [ reject type 0 code 3 ]\n");
    EXPECT_EQ(stmt(ir::Reject{ir::Reject::HostUnreach}), "  [ reject type 0 code 1 ]\n");
}

TEST(NftSerialize, NatStatements)
{
    EXPECT_EQ(stmt(ir::Masquerade{}), "  [ masq ]\n");
    EXPECT_EQ(stmt(ir::Redirect{0}), "  [ redir ]\n");
    EXPECT_EQ(stmt(ir::Redirect{8080}),
              "  [ immediate reg 1 0x0000901f ]\n"
              "  [ redir proto_min reg 1 flags 0x2 ]\n");
}

TEST(NftSerialize, Verdicts)
{
    EXPECT_EQ(stmt(ir::Verdict{ir::Verdict::Accept, ""}), "  [ immediate reg 0 accept ]\n");
    EXPECT_EQ(stmt(ir::Verdict{ir::Verdict::Drop, ""}), "  [ immediate reg 0 drop ]\n");
    EXPECT_EQ(stmt(ir::Verdict{ir::Verdict::Return, ""}), "  [ immediate reg 0 return ]\n");
    EXPECT_EQ(stmt(ir::Verdict{ir::Verdict::Jump, "foo"}),
              "  [ immediate reg 0 jump -> foo ]\n");
    EXPECT_EQ(stmt(ir::Verdict{ir::Verdict::Goto, "input~1"}),
              "  [ immediate reg 0 goto -> input~1 ]\n");
}

TEST(NftSerialize, MatchesBeforeStatementsAndCommentAsUserdata)
{
    ir::Rule r{{ir::Proto{6, false}, ir::Port{false, 80, 80, false}},
               {ir::Counter{0, 0}, ir::Verdict{ir::Verdict::Accept, ""}},
               "-A input -p 6 -j ACCEPT"};
    EXPECT_EQ(exprs(r),
              "  [ payload load 1b @ network header + 9 => reg 1 ]\n"
              "  [ cmp eq reg 1 0x00000006 ]\n"
              "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
              "  [ cmp eq reg 1 0x00005000 ]\n"
              "  [ counter pkts 0 bytes 0 ]\n"
              "  [ immediate reg 0 accept ]\n"
              "  userdata = { \\x00\\x18-A input -p 6 -j ACCEPT\\x00 }");
}

// A run's tally goes after the comment in the same userdata; each reader finds its own TLV.
TEST(NftSerialize, RunTallyBesideTheComment)
{
    std::string ud = comment_udata(0, "ipchains-run:input-saddr-1") +
                     run_tally_udata(RunTally{0x01020304, 7, "-A input -s 192.0.2.7 -j DENY"});
    EXPECT_EQ(comment_from_udata(ud.data(), static_cast<uint32_t>(ud.size()), 0),
              "ipchains-run:input-saddr-1");
    auto t = run_tally_from_udata(ud.data(), static_cast<uint32_t>(ud.size()));
    ASSERT_TRUE(t);
    EXPECT_EQ(t->generation, 0x01020304u);
    EXPECT_EQ(t->members, 7u);
    EXPECT_EQ(t->sample, "-A input -s 192.0.2.7 -j DENY");
    // Cut short, or without a tally: none.
    EXPECT_FALSE(run_tally_from_udata(ud.data(), static_cast<uint32_t>(ud.size() - 1)));
    std::string comment_only = comment_udata(0, "x");
    EXPECT_FALSE(run_tally_from_udata(comment_only.data(),
                                      static_cast<uint32_t>(comment_only.size())));
    // A sample too long for one TLV: no tally rather than a cut one.
    EXPECT_EQ(run_tally_udata(RunTally{1, 1, std::string(246, 'x')}), "");
    EXPECT_EQ(run_tally_udata(RunTally{1, 1, std::string(245, 'x')}).size(), 255u);
}

}  // namespace
}  // namespace ipchains::backend::nft
