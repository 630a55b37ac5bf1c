// backend/iptc without a kernel: the ipt_entry codec, the xt info structs, and how one
// ir::Rule becomes a carrier plus an action chain.
#include <gtest/gtest.h>

#include <cstring>

#include <linux/netfilter/xt_DSCP.h>
#include <linux/netfilter/xt_MARK.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <linux/netfilter/xt_connmark.h>
#include <linux/netfilter/xt_mark.h>

#include "backend/iptc/entry.h"
#include "backend/iptc/extensions.h"
#include "backend/iptc/read_state.h"
#include "backend/iptc/translate.h"
// After the libc network headers (entry.h), which the kernel uapi ones defer to.
#include <linux/netfilter/xt_conntrack.h>
#include "compile/compile.h"

using namespace ipchains;
using namespace ipchains::backend::iptc;

namespace {

template <typename T>
T info(const Extension& x)
{
    T t;
    EXPECT_EQ(x.data.size(), sizeof(T));
    std::memcpy(&t, x.data.data(), sizeof(T));
    return t;
}

Context plain()
{
    return Context{"ipc-", "", "", false, false};
}

ir::Rule rule(std::vector<ir::Match> m, std::vector<ir::Statement> s, std::string comment = {})
{
    ir::Rule r;
    r.matches = std::move(m);
    r.statements = std::move(s);
    r.comment = std::move(comment);
    return r;
}

const Extension* find_match(const LegacyRule& r, const std::string& name)
{
    for (const auto& m : r.matches)
        if (m.name == name) return &m;
    return nullptr;
}

}  // namespace

TEST(IptcEntry, BuildThenParseKeepsIdentity)
{
    ActionChains acts;
    auto r = translate_rule(
        rule({ir::Proto{6, false}, ir::Addr{true, 0x0A000000, 0xFF000000, true},
              ir::Port{false, 80, 90, true}, ir::Syn{false},
              ir::IfName{true, "ppp", true, false}, ir::Mark{0xFF, 5, false}},
             {ir::Counter{7, 700}, ir::Verdict{ir::Verdict::Accept, ""}}, "-A input -j ACCEPT"),
        plain(), acts);
    ASSERT_TRUE(r);
    EXPECT_TRUE(acts.order.empty());
    auto bytes = build_entry(*r);
    const auto* e = reinterpret_cast<const ipt_entry*>(bytes.data());
    EXPECT_EQ(e->next_offset, bytes.size());
    EXPECT_EQ(e->counters.pcnt, 7u);
    LegacyRule back = parse_entry(e, "ACCEPT");
    EXPECT_EQ(identity(back), identity(*r));
    EXPECT_EQ(back.packets, 7u);
    EXPECT_EQ(carrier_comment(back), "-A input -j ACCEPT");
    // Interface prefix: three bytes compared, the fourth (NUL) not.
    EXPECT_EQ(std::string(back.ip.iniface), "ppp");
    EXPECT_EQ(back.ip.iniface_mask[2], 0xFF);
    EXPECT_EQ(back.ip.iniface_mask[3], 0x00);
    EXPECT_TRUE(back.ip.invflags & IPT_INV_SRCIP);
}

TEST(IptcEntry, IdentityIgnoresCountersNotTargets)
{
    LegacyRule a;
    a.label = "ACCEPT";
    LegacyRule b = a;
    b.packets = 9;
    EXPECT_EQ(identity(a), identity(b));
    b.label = "DROP";
    EXPECT_NE(identity(a), identity(b));
    LegacyRule g = a;
    g.ip.flags |= IPT_F_GOTO;
    EXPECT_NE(identity(a), identity(g));
}

TEST(IptcExtensions, MarkAndTosInvertTheKeepMask)
{
    auto m = info<xt_mark_tginfo2>(xt::set_mark(0x8000FFFF, 0x40000000));
    EXPECT_EQ(m.mark, 0x40000000u);
    EXPECT_EQ(m.mask, 0x7FFF0000u);
    auto t = info<xt_tos_target_info>(xt::set_tos(0x01, 0x10));
    EXPECT_EQ(t.tos_value, 0x10);
    EXPECT_EQ(t.tos_mask, 0xFE);
    auto q = info<xt_NFQ_info_v3>(xt::nfqueue(1234, true));
    EXPECT_EQ(q.queuenum, 1234);
    EXPECT_EQ(q.queues_total, 1);
    EXPECT_EQ(q.flags, NFQ_FLAG_BYPASS);
    EXPECT_EQ(xt::nfqueue(1, false).revision, 3);
}

TEST(IptcExtensions, ConntrackReplyConnmarkAndConnmarkTarget)
{
    auto d = info<xt_conntrack_mtinfo3>(xt::conntrack_reply());
    EXPECT_EQ(d.match_flags, XT_CONNTRACK_DIRECTION);
    EXPECT_EQ(d.invert_flags, XT_CONNTRACK_DIRECTION);  // iptables' --ctdir REPLY
    auto m = info<xt_connmark_mtinfo1>(xt::connmark(0x80000000, 0x80000000));
    EXPECT_EQ(m.mark, 0x80000000u);
    EXPECT_EQ(m.mask, 0x80000000u);
    EXPECT_EQ(m.invert, 0);
    auto t = info<xt_connmark_tginfo1>(xt::set_ct_mark(0x7fffffff, 0x80000000));
    EXPECT_EQ(t.ctmark, 0x80000000u);
    EXPECT_EQ(t.ctmask, 0x80000000u);
    EXPECT_EQ(t.mode, XT_CONNMARK_SET);
}

TEST(IptcTranslate, MasqueradedRepliesAndTheirCtMark)
{
    ActionChains acts;
    auto reply = translate_rule(
        rule({ir::CtReply{0x80000000, 0x80000000}}, {ir::Verdict{ir::Verdict::Accept, ""}}),
        plain(), acts);
    ASSERT_TRUE(reply);
    EXPECT_NE(find_match(*reply, "conntrack"), nullptr);
    EXPECT_NE(find_match(*reply, "connmark"), nullptr);
    EXPECT_EQ(reply->label, "ACCEPT");
    auto any = translate_rule(rule({ir::CtReply{0, 0}}, {}), plain(), acts);
    ASSERT_TRUE(any);
    EXPECT_EQ(find_match(*any, "connmark"), nullptr);

    // CONNMARK and MASQUERADE: two targets, so an action chain in that order.
    auto masq = translate_rule(
        rule({ir::Mark{0x80000000, 0x80000000, false}},
             {ir::SetCtMark{0x7fffffff, 0x80000000}, ir::Masquerade{}}),
        plain(), acts);
    ASSERT_TRUE(masq);
    ASSERT_EQ(acts.order.size(), 1u);
    const auto& chain = acts.chains.at(acts.order[0]);
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(chain[0].target.name, "CONNMARK");
    EXPECT_EQ(chain[1].target.name, "MASQUERADE");
    EXPECT_EQ(masq->label, acts.order[0]);
}

TEST(IptcTranslate, IcmpUsesIcmpMatchWhenItCanElseU32)
{
    ActionChains acts;
    auto simple = translate_rule(
        rule({ir::Proto{1, false}, ir::Icmp{ir::Icmp::Type, 8, 8, false}}, {}), plain(), acts);
    ASSERT_TRUE(simple);
    EXPECT_NE(find_match(*simple, "icmp"), nullptr);
    EXPECT_EQ(find_match(*simple, "u32"), nullptr);

    auto range = translate_rule(
        rule({ir::Proto{1, false}, ir::Icmp{ir::Icmp::Type, 3, 5, false},
              ir::Icmp{ir::Icmp::Code, 1, 1, true}},
             {}),
        plain(), acts);
    ASSERT_TRUE(range);
    int u32 = 0;
    for (const auto& m : range->matches) u32 += m.name == "u32";
    EXPECT_EQ(u32, 2);
}

TEST(IptcTranslate, SeveralStatementsGoThroughAnActionChain)
{
    ActionChains acts;
    auto r = translate_rule(
        rule({ir::Proto{17, false}},
             {ir::Counter{}, ir::Log{"input - ", {}, 0}, ir::SetMark{0xFFFF0000, 5},
              ir::Verdict{ir::Verdict::Drop, ""}},
             "-A input -p 17"),
        plain(), acts);
    ASSERT_TRUE(r);
    ASSERT_EQ(acts.order.size(), 1u);
    EXPECT_EQ(r->label, acts.order[0]);
    EXPECT_FALSE(r->ip.flags & IPT_F_GOTO);
    const auto& chain = acts.chains[acts.order[0]];
    ASSERT_EQ(chain.size(), 3u);
    EXPECT_EQ(chain[0].target.name, "LOG");
    EXPECT_EQ(chain[1].target.name, "MARK");
    EXPECT_EQ(chain[2].label, "DROP");

    // The same statements share the chain; RETURN makes the carrier enter it with -g.
    auto same = translate_rule(
        rule({ir::Proto{6, false}},
             {ir::Counter{}, ir::Log{"input - ", {}, 0}, ir::SetMark{0xFFFF0000, 5},
              ir::Verdict{ir::Verdict::Drop, ""}}),
        plain(), acts);
    EXPECT_EQ(same->label, r->label);
    auto ret = translate_rule(
        rule({}, {ir::Log{"x", {}, 0}, ir::Verdict{ir::Verdict::Return, ""}}), plain(), acts);
    EXPECT_TRUE(ret->ip.flags & IPT_F_GOTO);
    EXPECT_EQ(acts.order.size(), 2u);
}

TEST(IptcTranslate, AcceptFollowsTheContext)
{
    ActionChains acts;
    Context gate{"ipc-", "^F", "ipc-~fwd-gate", false, false};
    auto r = translate_rule(rule({}, {ir::Verdict{ir::Verdict::Accept, ""}}), gate, acts);
    EXPECT_EQ(r->label, "ipc-~fwd-gate");
    EXPECT_TRUE(r->ip.flags & IPT_F_GOTO);
    auto j = translate_rule(rule({}, {ir::Verdict{ir::Verdict::Jump, "foo~1"}}), gate, acts);
    EXPECT_EQ(j->label, "ipc-foo~1^F");
    Context exec{"ipc-", "", "", true, false};
    auto x = translate_rule(rule({}, {ir::Verdict{ir::Verdict::Accept, ""}}), exec, acts);
    EXPECT_EQ(x->label, "RETURN");
}

TEST(IptcTranslate, ForwardRejectStampsCarryIdOne)
{
    ActionChains acts;
    Context fwd{"ipc-", "", "", false, true};
    auto r = translate_rule(
        rule({}, {ir::SetMark{compile::kUserMarkMask | compile::kMasqBit,
                              compile::mark_stamp(compile::MarkKind::Reject, 0)}}),
        fwd, acts);
    auto m = info<xt_mark_tginfo2>(r->target);
    EXPECT_EQ(m.mark, compile::mark_stamp(compile::MarkKind::Reject, 1));
}

TEST(IptcTranslate, LongSaveLinesSpanSeveralComments)
{
    std::string line = "-A input " + std::string(400, 'x');
    ActionChains acts;
    auto r = translate_rule(rule({}, {ir::Counter{}}, line), plain(), acts);
    int comments = 0;
    for (const auto& m : r->matches) comments += m.name == "comment";
    EXPECT_EQ(comments, 2);
    auto bytes = build_entry(*r);
    LegacyRule back = parse_entry(reinterpret_cast<const ipt_entry*>(bytes.data()), "");
    EXPECT_EQ(carrier_comment(back), line);
}

TEST(IptcTranslate, ImpossibleRuleNeverMatches)
{
    auto r = translate_matches({ir::Fragment{true}, ir::Fragment{false}});
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ip.invflags & IPT_INV_SRCIP);
    EXPECT_EQ(r->ip.smsk.s_addr, 0u);
}
