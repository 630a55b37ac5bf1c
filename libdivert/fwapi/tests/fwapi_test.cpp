// IP_FW_* decoding and the 2.2 errno order, run through the real engine and execute() over an
// in-memory backend (docs/reference/firewall-api.md sections 4-8).
#include <arpa/inet.h>
#include <linux/ip_fw.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "fwapi/canonical.h"
#include "fwapi/dispatch.h"
#include "fwapi/passthrough.h"
#include "fwapi/request.h"
#include "fwapi/rule_convert.h"
#include "format/format.h"
#include "memory_backend.h"

using namespace divert::fwapi;
namespace model = ipchains::model;

namespace {

template <typename T>
std::vector<unsigned char> bytes(const T& v)
{
    const auto* p = reinterpret_cast<const unsigned char*>(&v);
    return std::vector<unsigned char>(p, p + sizeof v);
}

void set_label(char* dst, const char* s)
{
    std::memset(dst, 0, sizeof(ip_chainlabel));
    std::memcpy(dst, s, std::strlen(s));
}

// The HOWTO's rule: zero-filled, ICMP, all ports, outputsize 0xFFFF, DIVERT <port> on output.
struct ip_fwchange howto_rule(uint16_t port = 1234)
{
    struct ip_fwchange c;
    std::memset(&c, 0, sizeof c);
    c.fwc_rule.ipfw.fw_proto = 1;
    c.fwc_rule.ipfw.fw_redirpt = port;
    c.fwc_rule.ipfw.fw_spts[1] = 0xFFFF;
    c.fwc_rule.ipfw.fw_dpts[1] = 0xFFFF;
    c.fwc_rule.ipfw.fw_outputsize = 0xFFFF;
    set_label(c.fwc_rule.label, "DIVERT");
    set_label(c.fwc_label, "output");
    return c;
}

struct ip_fwchange simple_rule(const char* chain, const char* target)
{
    struct ip_fwchange c;
    std::memset(&c, 0, sizeof c);
    c.fwc_rule.ipfw.fw_spts[1] = 0xFFFF;
    c.fwc_rule.ipfw.fw_dpts[1] = 0xFFFF;
    c.fwc_rule.ipfw.fw_tosand = 0xFF;
    set_label(c.fwc_rule.label, target);
    set_label(c.fwc_label, chain);
    return c;
}

struct ip_fwnew numbered(const char* chain, const char* target, uint32_t n)
{
    struct ip_fwnew r;
    std::memset(&r, 0, sizeof r);
    r.fwn_rulenum = n;
    r.fwn_rule = simple_rule(chain, target).fwc_rule;
    set_label(r.fwn_label, chain);
    return r;
}

std::vector<unsigned char> label_bytes(const char* s)
{
    ip_chainlabel l;
    set_label(l, s);
    return std::vector<unsigned char>(l, l + sizeof l);
}

class Fwapi : public ::testing::Test {
protected:
    MemoryBackend be;

    int call(int optname, const std::vector<unsigned char>& buf)
    {
        auto rq = decode_request(optname, buf.data(), buf.size());
        if (!rq) return rq.error().code;
        return run_request(be, *rq);
    }
    template <typename T>
    int call(int optname, const T& v)
    {
        return call(optname, bytes(v));
    }
    const model::Chain& chain(const char* n) { return *be.state.find(n); }
};

TEST_F(Fwapi, HowtoRuleIsStoredAsDivertWithTosClearingKept)
{
    ASSERT_EQ(call(IP_FW_APPEND, howto_rule(4321)), 0);
    ASSERT_EQ(chain("output").rules.size(), 1u);
    const model::Rule& r = chain("output").rules[0];
    EXPECT_EQ(r.target, model::TargetKind::Divert);
    EXPECT_EQ(r.redirect_port, 4321);
    EXPECT_EQ(r.proto, 1);
    EXPECT_EQ(r.flags, model::kFlagWildIf);  // empty interface name
    EXPECT_EQ(r.tos_and, 0);                 // the 2.2 trap, kept
    EXPECT_EQ(r.tos_xor, 0);
    EXPECT_EQ(r.output_size, 0xFFFF);
    EXPECT_TRUE(r.sport.any());
    EXPECT_TRUE(r.iface.empty());
}

TEST_F(Fwapi, DeleteWithTheSameStructRemovesTheRule)
{
    ASSERT_EQ(call(IP_FW_APPEND, howto_rule()), 0);
    EXPECT_EQ(call(IP_FW_DELETE, howto_rule()), 0);
    EXPECT_TRUE(chain("output").rules.empty());
    EXPECT_EQ(call(IP_FW_DELETE, howto_rule()), EINVAL);  // no such rule
}

TEST_F(Fwapi, DeleteIgnoresMarkMarkAbsAndTos)
{
    auto c = howto_rule();
    c.fwc_rule.ipfw.fw_mark = 7;
    c.fwc_rule.ipfw.fw_flg = IP_FW_F_MARKABS;
    ASSERT_EQ(call(IP_FW_APPEND, c), 0);
    auto d = howto_rule();
    d.fwc_rule.ipfw.fw_tosand = 0xFF;
    EXPECT_EQ(call(IP_FW_DELETE, d), 0);
    EXPECT_TRUE(chain("output").rules.empty());
}

TEST_F(Fwapi, DeleteMatchesWhatTheKernelGivesBack)
{
    // Fields the stored form cannot carry: outputsize without -o, a port on ACCEPT.
    auto c = simple_rule("input", "ACCEPT");
    c.fwc_rule.ipfw.fw_outputsize = 0;
    c.fwc_rule.ipfw.fw_redirpt = 99;
    c.fwc_rule.ipfw.fw_invflg = IP_FW_INV_SRCPT;
    c.fwc_rule.ipfw.fw_tosand = 0;
    ASSERT_EQ(call(IP_FW_APPEND, c), 0);
    ASSERT_EQ(call(IP_FW_APPEND, c), 0);
    EXPECT_EQ(call(IP_FW_DELETE, c), 0);
    EXPECT_EQ(chain("input").rules.size(), 1u);
    EXPECT_EQ(call(IP_FW_DELETE, c), 0);
    EXPECT_TRUE(chain("input").rules.empty());
}

TEST_F(Fwapi, AddressesAreConvertedToHostOrder)
{
    auto c = simple_rule("input", "DENY");
    c.fwc_rule.ipfw.fw_src.s_addr = inet_addr("10.1.0.0");
    c.fwc_rule.ipfw.fw_smsk.s_addr = inet_addr("255.255.0.0");
    c.fwc_rule.ipfw.fw_dst.s_addr = inet_addr("192.168.1.7");
    c.fwc_rule.ipfw.fw_dmsk.s_addr = inet_addr("255.255.255.255");
    c.fwc_rule.ipfw.fw_proto = 6;
    c.fwc_rule.ipfw.fw_dpts[0] = c.fwc_rule.ipfw.fw_dpts[1] = 80;
    std::strcpy(c.fwc_rule.ipfw.fw_vianame, "eth0");
    ASSERT_EQ(call(IP_FW_APPEND, c), 0);
    const model::Rule& r = chain("input").rules.at(0);
    EXPECT_EQ(r.src, 0x0A010000u);
    EXPECT_EQ(r.src_mask, 0xFFFF0000u);
    EXPECT_EQ(r.dst, 0xC0A80107u);
    EXPECT_EQ(r.dport.lo, 80);
    EXPECT_EQ(r.iface, "eth0");
    EXPECT_EQ(r.flags & model::kFlagWildIf, 0);
    EXPECT_EQ(r.target, model::TargetKind::Deny);
}

TEST_F(Fwapi, ChainLookupComesBeforeRuleConversion)
{
    auto bad = simple_rule("nochain", "ACCEPT");
    bad.fwc_rule.ipfw.fw_flg = 0x40;
    EXPECT_EQ(call(IP_FW_APPEND, bad), ENOENT);
    set_label(bad.fwc_label, "input");
    EXPECT_EQ(call(IP_FW_APPEND, bad), EINVAL);
}

TEST_F(Fwapi, PortsOnlyForTcpUdpIcmpAndNotWithInvertedProtocol)
{
    auto c = simple_rule("input", "ACCEPT");
    c.fwc_rule.ipfw.fw_spts[0] = 1;
    EXPECT_EQ(call(IP_FW_APPEND, c), EINVAL);  // protocol 0
    c.fwc_rule.ipfw.fw_proto = 17;
    EXPECT_EQ(call(IP_FW_APPEND, c), 0);
    c.fwc_rule.ipfw.fw_invflg = IP_FW_INV_PROTO;
    EXPECT_EQ(call(IP_FW_APPEND, c), EINVAL);
}

TEST_F(Fwapi, LenientLike22)
{
    auto c = simple_rule("input", "ACCEPT");
    c.fwc_rule.ipfw.fw_flg = IP_FW_F_TCPSYN | IP_FW_F_FRAG;  // SYN without TCP, with -f
    c.fwc_rule.ipfw.fw_invflg = IP_FW_INV_SYN | IP_FW_INV_DSTPT;  // inverted "any" ports
    c.fwc_rule.ipfw.fw_redirpt = 99;                         // redirpt on ACCEPT
    c.fwc_rule.ipfw.fw_tosand = 0x01;
    c.fwc_rule.ipfw.fw_tosxor = 0x10;
    EXPECT_EQ(call(IP_FW_APPEND, c), 0);
}

TEST_F(Fwapi, TargetMustBeSpecialOrAnExistingUserChain)
{
    EXPECT_EQ(call(IP_FW_APPEND, simple_rule("input", "nosuch")), ENOENT);
    EXPECT_EQ(call(IP_FW_APPEND, simple_rule("input", "output")), ENOENT);  // built-in
    EXPECT_EQ(call(IP_FW_APPEND, simple_rule("input", "QUEUE")), ENOENT);   // 2.2 had none
    ASSERT_EQ(call(IP_FW_CREATECHAIN, label_bytes("mine")), 0);
    EXPECT_EQ(call(IP_FW_APPEND, simple_rule("input", "mine")), 0);
    EXPECT_EQ(call(IP_FW_APPEND, simple_rule("input", "")), 0);  // accounting
}

TEST_F(Fwapi, DivertNeedsAPort)
{
    EXPECT_EQ(call(IP_FW_APPEND, howto_rule(0)), EINVAL);
}

TEST_F(Fwapi, LabelsMustBeTerminated)
{
    auto c = howto_rule();
    std::memset(c.fwc_label, 'x', sizeof c.fwc_label);
    EXPECT_EQ(call(IP_FW_APPEND, c), EINVAL);
    std::vector<unsigned char> nine(9, 'a');
    EXPECT_EQ(call(IP_FW_FLUSH, nine), EINVAL);
    EXPECT_EQ(call(IP_FW_CREATECHAIN, nine), EINVAL);
    EXPECT_EQ(call(IP_FW_DELETECHAIN, nine), ENOENT);  // no check_label there
}

TEST_F(Fwapi, ExactLengths)
{
    auto c = bytes(howto_rule());
    c.push_back(0);
    EXPECT_EQ(call(IP_FW_APPEND, c), EINVAL);
    EXPECT_EQ(call(IP_FW_INSERT, bytes(howto_rule())), EINVAL);   // 80 bytes, wants 84
    EXPECT_EQ(call(IP_FW_FLUSH, std::vector<unsigned char>(8, 0)), EINVAL);
    EXPECT_EQ(call(IP_FW_MASQ_TIMEOUTS, std::vector<unsigned char>(12, 0)), 0);
    EXPECT_EQ(call(IP_FW_MASQ_CTL, std::vector<unsigned char>(12, 0)), ENOPROTOOPT);
    EXPECT_EQ(call(77, std::vector<unsigned char>(12, 0)), ENOPROTOOPT);
}

TEST_F(Fwapi, InsertAndReplaceNumbers)
{
    EXPECT_EQ(call(IP_FW_INSERT, numbered("input", "DENY", 0)), EINVAL);
    EXPECT_EQ(call(IP_FW_INSERT, numbered("nochain", "DENY", 0)), ENOENT);
    EXPECT_EQ(call(IP_FW_INSERT, numbered("input", "DENY", 2)), EINVAL);
    EXPECT_EQ(call(IP_FW_INSERT, numbered("input", "DENY", 1)), 0);
    EXPECT_EQ(call(IP_FW_INSERT, numbered("input", "ACCEPT", 2)), 0);  // length + 1 = tail
    EXPECT_EQ(call(IP_FW_INSERT, numbered("input", "REJECT", 1)), 0);
    ASSERT_EQ(chain("input").rules.size(), 3u);
    EXPECT_EQ(chain("input").rules[0].target, model::TargetKind::Reject);
    EXPECT_EQ(chain("input").rules[2].target, model::TargetKind::Accept);

    be.state.find("input")->rules[1].counters = {5, 500};
    EXPECT_EQ(call(IP_FW_REPLACE, numbered("input", "ACCEPT", 2)), 0);
    EXPECT_EQ(chain("input").rules[1].target, model::TargetKind::Accept);
    EXPECT_EQ(chain("input").rules[1].counters.packets, 5u);  // 2.2 kept the counters
    EXPECT_EQ(call(IP_FW_REPLACE, numbered("input", "ACCEPT", 0)), EINVAL);
    EXPECT_EQ(call(IP_FW_REPLACE, numbered("input", "ACCEPT", 4)), EINVAL);
}

TEST_F(Fwapi, DeleteNumAnswersEnoent)
{
    struct ip_fwdelnum d;
    std::memset(&d, 0, sizeof d);
    set_label(d.fwd_label, "input");
    d.fwd_rulenum = 1;
    EXPECT_EQ(call(IP_FW_DELETE_NUM, d), ENOENT);  // empty chain
    ASSERT_EQ(call(IP_FW_APPEND, simple_rule("input", "DENY")), 0);
    d.fwd_rulenum = 0;
    EXPECT_EQ(call(IP_FW_DELETE_NUM, d), ENOENT);
    d.fwd_rulenum = 2;
    EXPECT_EQ(call(IP_FW_DELETE_NUM, d), ENOENT);
    d.fwd_rulenum = 1;
    EXPECT_EQ(call(IP_FW_DELETE_NUM, d), 0);
    EXPECT_TRUE(chain("input").rules.empty());
}

TEST_F(Fwapi, FlushAndZero)
{
    ASSERT_EQ(call(IP_FW_APPEND, simple_rule("forward", "DENY")), 0);
    be.state.find("forward")->rules[0].counters = {3, 300};
    EXPECT_EQ(call(IP_FW_ZERO, label_bytes("forward")), 0);
    EXPECT_EQ(chain("forward").rules[0].counters.packets, 0u);
    EXPECT_EQ(call(IP_FW_FLUSH, label_bytes("forward")), 0);
    EXPECT_TRUE(chain("forward").rules.empty());
    EXPECT_EQ(call(IP_FW_FLUSH, label_bytes("nochain")), ENOENT);
    EXPECT_EQ(call(IP_FW_ZERO, label_bytes("")), ENOENT);
}

TEST_F(Fwapi, CreateAndDeleteChain)
{
    EXPECT_EQ(call(IP_FW_CREATECHAIN, label_bytes("input")), EEXIST);
    EXPECT_EQ(call(IP_FW_CREATECHAIN, label_bytes("")), EINVAL);  // DECISION
    ASSERT_EQ(call(IP_FW_CREATECHAIN, label_bytes("u1")), 0);
    EXPECT_EQ(call(IP_FW_CREATECHAIN, label_bytes("u1")), EEXIST);

    EXPECT_EQ(call(IP_FW_DELETECHAIN, label_bytes("input")), EBUSY);
    EXPECT_EQ(call(IP_FW_DELETECHAIN, label_bytes("output")), EBUSY);
    EXPECT_EQ(call(IP_FW_DELETECHAIN, label_bytes("nochain")), ENOENT);

    ASSERT_EQ(call(IP_FW_APPEND, simple_rule("u1", "DENY")), 0);
    EXPECT_EQ(call(IP_FW_DELETECHAIN, label_bytes("u1")), ENOTEMPTY);
    ASSERT_EQ(call(IP_FW_APPEND, simple_rule("input", "u1")), 0);
    EXPECT_EQ(call(IP_FW_DELETECHAIN, label_bytes("u1")), EBUSY);  // refcount first
    ASSERT_EQ(call(IP_FW_FLUSH, label_bytes("input")), 0);
    ASSERT_EQ(call(IP_FW_FLUSH, label_bytes("u1")), 0);
    EXPECT_EQ(call(IP_FW_DELETECHAIN, label_bytes("u1")), 0);
    EXPECT_EQ(be.state.find("u1"), nullptr);
}

TEST_F(Fwapi, Policy)
{
    auto policy = [](const char* p, const char* c) {
        struct ip_fwpolicy v;
        set_label(v.fwp_policy, p);
        set_label(v.fwp_label, c);
        return v;
    };
    EXPECT_EQ(call(IP_FW_POLICY, policy("DENY", "input")), 0);
    EXPECT_EQ(chain("input").policy, model::Policy::Deny);
    EXPECT_EQ(call(IP_FW_POLICY, policy("MASQ", "forward")), 0);
    EXPECT_EQ(call(IP_FW_POLICY, policy("MASQ", "input")), EINVAL);
    EXPECT_EQ(call(IP_FW_POLICY, policy("RETURN", "input")), EINVAL);
    EXPECT_EQ(call(IP_FW_POLICY, policy("", "input")), EINVAL);
    EXPECT_EQ(call(IP_FW_POLICY, policy("DENY", "nochain")), ENOENT);
    EXPECT_EQ(call(IP_FW_POLICY, policy("BOGUS", "nochain")), ENOENT);
    ASSERT_EQ(call(IP_FW_CREATECHAIN, label_bytes("u1")), 0);
    EXPECT_EQ(call(IP_FW_POLICY, policy("DENY", "u1")), EINVAL);
}

struct ip_fwtest icmp_probe(const char* chain)
{
    struct ip_fwtest t;
    std::memset(&t, 0, sizeof t);
    t.fwt_packet.fwp_iph.version = 4;
    t.fwt_packet.fwp_iph.ihl = 5;
    t.fwt_packet.fwp_iph.tot_len = 60;  // libipfwc: host order
    t.fwt_packet.fwp_iph.protocol = 1;
    t.fwt_packet.fwp_iph.saddr = inet_addr("10.0.0.1");
    t.fwt_packet.fwp_iph.daddr = inet_addr("10.0.0.2");
    t.fwt_packet.fwp_protoh.fwp_icmph.type = 8;
    std::strcpy(t.fwt_packet.fwp_vianame, "eth0");
    set_label(t.fwt_label, chain);
    return t;
}

TEST_F(Fwapi, CheckVerdictErrnos)
{
    EXPECT_EQ(call(IP_FW_CHECK, icmp_probe("input")), 0);  // policy ACCEPT
    ASSERT_EQ(call(IP_FW_APPEND, howto_rule()), 0);
    EXPECT_EQ(call(IP_FW_CHECK, icmp_probe("output")), IP_FW_CHECK_DIVERTED_ERRNO);
    EXPECT_EQ(IP_FW_CHECK_DIVERTED_ERRNO, EREMOTE);
    ASSERT_EQ(call(IP_FW_APPEND, simple_rule("input", "REJECT")), 0);
    EXPECT_EQ(call(IP_FW_CHECK, icmp_probe("input")), ECONNREFUSED);
    ASSERT_EQ(call(IP_FW_APPEND, simple_rule("forward", "DENY")), 0);
    EXPECT_EQ(call(IP_FW_CHECK, icmp_probe("forward")), ETIMEDOUT);
    ASSERT_EQ(call(IP_FW_CREATECHAIN, label_bytes("u1")), 0);
    EXPECT_EQ(call(IP_FW_CHECK, icmp_probe("u1")), ENFILE);  // fell off a user chain
}

TEST_F(Fwapi, CheckOrderAndQuirks)
{
    auto t = icmp_probe("nochain");
    t.fwt_packet.fwp_iph.ihl = 4;
    EXPECT_EQ(call(IP_FW_CHECK, t), ENOENT);  // lookup before the ihl test
    set_label(t.fwt_label, "input");
    EXPECT_EQ(call(IP_FW_CHECK, t), EINVAL);
    // check_label ran over the packet bytes: nine non-zero bytes fail it.
    auto raw = bytes(icmp_probe("input"));
    std::memset(raw.data(), 0x45, 9);
    EXPECT_EQ(call(IP_FW_CHECK, raw), EINVAL);
    // TCP fragment at offset 1: denied before any chain.
    auto f = icmp_probe("input");
    f.fwt_packet.fwp_iph.protocol = 6;
    f.fwt_packet.fwp_iph.frag_off = htons(1);
    EXPECT_EQ(call(IP_FW_CHECK, f), ETIMEDOUT);
}

// 2.2 accepted every rule that passes its two checks (section 6.6); so must the stored form.
TEST(Canonical, EveryRuleTwoTwoAcceptedHasAStoredForm)
{
    std::mt19937 rng(22);
    auto pick = [&](std::initializer_list<uint32_t> v) { return *(v.begin() + rng() % v.size()); };
    const char* targets[] = {"", "ACCEPT", "DENY", "REJECT", "MASQ", "REDIRECT", "RETURN",
                             "DIVERT", "user"};
    for (int i = 0; i < 20000; ++i) {
        struct ip_fwuser u;
        std::memset(&u, 0, sizeof u);
        struct ip_fw& fw = u.ipfw;
        fw.fw_smsk.s_addr = htonl(pick({0, 0xFF000000u, 0xFFFFFF00u, 0xFFFFFFFFu, 0x00FF00FFu}));
        fw.fw_src.s_addr = htonl(static_cast<uint32_t>(rng()));
        fw.fw_dmsk.s_addr = htonl(pick({0, 0xFFFF0000u, 0xFFFFFFFFu}));
        fw.fw_dst.s_addr = htonl(static_cast<uint32_t>(rng()));
        fw.fw_mark = pick({0, 1, 0xFFFF});  // wider marks: see WideMarksAreRefused
        fw.fw_proto = static_cast<uint16_t>(pick({0, 1, 6, 17, 47, 255}));
        fw.fw_flg = static_cast<uint16_t>(rng() & IP_FW_F_MASK);
        fw.fw_invflg = static_cast<uint16_t>(rng() & 0xFF);
        const bool ports = (fw.fw_proto == 1 || fw.fw_proto == 6 || fw.fw_proto == 17) &&
                           !(fw.fw_invflg & IP_FW_INV_PROTO) && rng() % 2;
        fw.fw_spts[0] = ports ? static_cast<uint16_t>(pick({0, 8, 1024})) : 0;
        fw.fw_spts[1] = ports ? static_cast<uint16_t>(pick({8, 2048, 0xFFFF})) : 0xFFFF;
        fw.fw_dpts[0] = ports ? static_cast<uint16_t>(pick({0, 80})) : 0;
        fw.fw_dpts[1] = ports ? static_cast<uint16_t>(pick({80, 0xFFFF})) : 0xFFFF;
        fw.fw_redirpt = static_cast<uint16_t>(pick({0, 1, 1234, 0xFFFF}));
        fw.fw_outputsize = static_cast<uint16_t>(pick({0, 40, 0xFFFF}));
        std::strcpy(fw.fw_vianame, pick({0, 1, 2}) == 0 ? "" : (rng() % 2 ? "eth0" : "ppp"));
        fw.fw_tosand = static_cast<uint8_t>(rng());
        fw.fw_tosxor = static_cast<uint8_t>(rng());
        std::strcpy(u.label, targets[rng() % 9]);

        auto rule = convert_rule(u);
        if (!rule) {
            // Only DIVERT without a port is refused for these inputs.
            EXPECT_TRUE(std::strcmp(u.label, "DIVERT") == 0 && fw.fw_redirpt == 0) << i;
            continue;
        }
        auto stored = canonical_rule(*rule);
        // The stored form cannot say "never matches": 2.2's meaning of an inverse SYN or
        // fragment flag without its base flag.
        const bool never_matches =
            ((fw.fw_invflg & IP_FW_INV_SYN) && !(fw.fw_flg & IP_FW_F_TCPSYN)) ||
            ((fw.fw_invflg & IP_FW_INV_FRAG) && !(fw.fw_flg & IP_FW_F_FRAG));
        if (never_matches) {
            EXPECT_FALSE(stored.ok()) << ipchains::format::save_line("input", *rule);
            continue;
        }
        ASSERT_TRUE(stored.ok()) << i << ": " << ipchains::format::save_line("input", *rule);
        auto again = canonical_rule(*stored);
        ASSERT_TRUE(again.ok());
        EXPECT_TRUE(*again == *stored) << ipchains::format::save_line("input", *stored);
        // What matching and DELETE look at survives.
        EXPECT_EQ(stored->src, rule->src);
        EXPECT_EQ(stored->dst_mask, rule->dst_mask);
        EXPECT_EQ(stored->proto, rule->proto);
        EXPECT_EQ(stored->target, rule->target);
        EXPECT_EQ(stored->tos_and, rule->tos_and);
        EXPECT_EQ(stored->tos_xor, rule->tos_xor);
        EXPECT_EQ(stored->iface, rule->iface);
    }
}

// The backends keep marks in 16 bits of the packet mark (docs/design.md); a rule that needs
// more is refused whole rather than stored with a different mark.
TEST_F(Fwapi, InverseFlagWithoutItsBaseIsRefused)
{
    // 2.2: never matches; stored it would read back as `! -y`. Refused, not changed.
    auto c = simple_rule("input", "DENY");
    c.fwc_rule.ipfw.fw_proto = 6;
    c.fwc_rule.ipfw.fw_invflg = IP_FW_INV_SYN;
    EXPECT_EQ(call(IP_FW_APPEND, c), EINVAL);
    c.fwc_rule.ipfw.fw_flg = IP_FW_F_TCPSYN;
    EXPECT_EQ(call(IP_FW_APPEND, c), 0);
}

TEST_F(Fwapi, WideMarksAreRefused)
{
    auto c = simple_rule("input", "ACCEPT");
    c.fwc_rule.ipfw.fw_mark = 0x10000;
    c.fwc_rule.ipfw.fw_flg = IP_FW_F_MARKABS;
    EXPECT_EQ(call(IP_FW_APPEND, c), EINVAL);
    c.fwc_rule.ipfw.fw_mark = 0xFFFF;
    EXPECT_EQ(call(IP_FW_APPEND, c), 0);
}

TEST(Passthrough, LibiptcCallsAreNotOurs)
{
    // IPT_SO_SET_ADD_COUNTERS for a table with N entries: name[32], num_counters, counters.
    for (uint32_t n : {1u, 2u, 3u, 4u}) {
        std::vector<unsigned char> buf(40 + 16 * n, 0);
        std::memcpy(buf.data(), "raw", 3);
        std::memcpy(buf.data() + 32, &n, 4);
        EXPECT_TRUE(is_iptables_call(65, buf.data(), buf.size())) << n;
    }
    std::vector<unsigned char> replace(200, 0);
    std::memcpy(replace.data(), "filter", 6);
    EXPECT_TRUE(is_iptables_call(64, replace.data(), replace.size()));
}

TEST(Passthrough, TwoTwoCallsAreOurs)
{
    auto c = howto_rule();
    c.fwc_rule.ipfw.fw_src.s_addr = inet_addr("97.98.99.0");  // "abc\0": table-name shaped
    auto b = bytes(c);
    EXPECT_FALSE(is_iptables_call(64, b.data(), b.size()));
    auto n = numbered("input", "DENY", 1);
    auto nb = bytes(n);
    EXPECT_FALSE(is_iptables_call(65, nb.data(), nb.size()));
}

}  // namespace
