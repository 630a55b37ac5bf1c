// engine::check and engine::matches: the 2.2 ip_fw_check walk (docs/reference/ipchains-commands.md
// 10.1, 10.3).
#include <gtest/gtest.h>

#include <cerrno>

#include "engine/engine.h"

using namespace ipchains;
using engine::CheckVerdict;
using engine::TestPacket;
using model::TargetKind;

namespace {

model::Rule rule(TargetKind t = TargetKind::Accept)
{
    model::Rule r;
    r.target = t;
    r.flags = model::kFlagWildIf;
    return r;
}

model::Rule jump(const std::string& to)
{
    model::Rule r = rule(TargetKind::Chain);
    r.target_chain = to;
    return r;
}

TestPacket packet(uint8_t proto = 6, uint16_t sport = 1024, uint16_t dport = 80)
{
    TestPacket p;
    p.src = 0xC0A80101;  // 192.168.1.1
    p.dst = 0x0A000001;  // 10.0.0.1
    p.proto = proto;
    p.sport = sport;
    p.dport = dport;
    p.iface = "eth0";
    return p;
}

model::Ruleset rs_with(const std::vector<std::string>& user = {})
{
    model::Ruleset rs = model::Ruleset::initial();
    for (const auto& n : user) {
        model::Chain c;
        c.name = n;
        rs.chains.push_back(c);
    }
    return rs;
}

CheckVerdict run(const model::Ruleset& rs, const std::string& chain, const TestPacket& p)
{
    auto v = engine::check(rs, chain, p);
    EXPECT_TRUE(v.ok());
    return v.ok() ? *v : CheckVerdict::Denied;
}

}  // namespace

TEST(EngineCheck, PoliciesDecideAtTheEndOfBuiltins)
{
    auto rs = rs_with();
    EXPECT_EQ(run(rs, "input", packet()), CheckVerdict::Accepted);
    rs.find("input")->policy = model::Policy::Deny;
    EXPECT_EQ(run(rs, "input", packet()), CheckVerdict::Denied);
    rs.find("input")->policy = model::Policy::Reject;
    EXPECT_EQ(run(rs, "input", packet()), CheckVerdict::Rejected);
    rs.find("forward")->policy = model::Policy::Masq;
    EXPECT_EQ(run(rs, "forward", packet()), CheckVerdict::Masqueraded);
    rs.find("input")->rules = {rule(TargetKind::Return), rule(TargetKind::Accept)};
    EXPECT_EQ(run(rs, "input", packet()), CheckVerdict::Rejected);  // RETURN -> policy
}

TEST(EngineCheck, SpecialTargets)
{
    auto rs = rs_with();
    struct Case {
        TargetKind t;
        CheckVerdict v;
    };
    for (Case c : {Case{TargetKind::Accept, CheckVerdict::Accepted},
                   Case{TargetKind::Deny, CheckVerdict::Denied},
                   Case{TargetKind::Reject, CheckVerdict::Rejected},
                   Case{TargetKind::Masq, CheckVerdict::Masqueraded},
                   Case{TargetKind::Redirect, CheckVerdict::Redirected},
                   Case{TargetKind::Divert, CheckVerdict::Diverted}}) {
        model::Rule r = rule(c.t);
        r.redirect_port = 1234;
        rs.find("input")->rules = {rule(TargetKind::None), r};
        EXPECT_EQ(run(rs, "input", packet()), c.v);
    }
}

TEST(EngineCheck, UserChainsReturnAndPassThrough)
{
    auto rs = rs_with({"a", "b"});
    rs.find("input")->policy = model::Policy::Deny;
    model::Rule to_b = jump("b");
    model::Rule udp_only = rule(TargetKind::Accept);
    udp_only.proto = 17;
    rs.find("input")->rules = {jump("a"), rule(TargetKind::Reject)};
    rs.find("a")->rules = {to_b, udp_only};
    rs.find("b")->rules = {rule(TargetKind::Return), rule(TargetKind::Accept)};
    EXPECT_EQ(run(rs, "input", packet(6)), CheckVerdict::Rejected);  // back after each jump
    EXPECT_EQ(run(rs, "input", packet(17)), CheckVerdict::Accepted);
    EXPECT_EQ(run(rs, "a", packet(6)), CheckVerdict::PassedThrough);
    EXPECT_EQ(run(rs, "b", packet(6)), CheckVerdict::PassedThrough);  // RETURN at the top
}

TEST(EngineCheck, LoopIsCaught)
{
    auto rs = rs_with({"a", "b"});
    rs.find("input")->rules = {jump("a")};
    rs.find("a")->rules = {jump("b")};
    rs.find("b")->rules = {jump("a")};
    EXPECT_EQ(run(rs, "input", packet()), CheckVerdict::CaughtInLoop);
    rs.find("b")->rules = {jump("b")};
    EXPECT_EQ(run(rs, "a", packet()), CheckVerdict::CaughtInLoop);
    // Entering the same chain twice in sequence is no loop.
    rs.find("b")->rules = {};
    rs.find("a")->rules = {jump("b"), jump("b")};
    EXPECT_EQ(run(rs, "input", packet()), CheckVerdict::Accepted);
}

TEST(EngineCheck, MissingChain)
{
    auto rs = rs_with();
    auto v = engine::check(rs, "nosuch", packet());
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code, ENOENT);
    EXPECT_EQ(v.error().message, "No chain by that name");
}

TEST(EngineMatch, AddressesMasksAndInversion)
{
    model::Rule r = rule();
    r.src = 0xC0A80100;
    r.src_mask = 0xFFFFFF00;
    EXPECT_TRUE(engine::matches(r, packet()));
    r.invflags = model::kInvSrcIp;
    EXPECT_FALSE(engine::matches(r, packet()));
    r = rule();
    r.dst = 0x0A000002;
    r.dst_mask = 0xFFFFFFFF;
    EXPECT_FALSE(engine::matches(r, packet()));
    r.invflags = model::kInvDstIp;
    EXPECT_TRUE(engine::matches(r, packet()));
    r = rule();
    r.src = 1;  // not masked: never equal
    r.src_mask = 0;
    EXPECT_FALSE(engine::matches(r, packet()));
}

TEST(EngineMatch, Interfaces)
{
    model::Rule r = rule();
    EXPECT_TRUE(engine::matches(r, packet()));  // "" + WILDIF: any
    r.invflags = model::kInvVia;
    EXPECT_FALSE(engine::matches(r, packet()));
    r = rule();
    r.iface = "eth";
    EXPECT_TRUE(engine::matches(r, packet()));  // eth+
    r.flags = 0;
    EXPECT_FALSE(engine::matches(r, packet()));  // exact "eth"
    r.iface = "eth0";
    EXPECT_TRUE(engine::matches(r, packet()));
    r.invflags = model::kInvVia;
    EXPECT_FALSE(engine::matches(r, packet()));
    r = rule();
    r.iface = "eth00";
    EXPECT_FALSE(engine::matches(r, packet()));  // longer prefix than the name
}

TEST(EngineMatch, ProtocolAndPorts)
{
    model::Rule r = rule();
    r.proto = 6;
    r.dport = {80, 80};
    EXPECT_TRUE(engine::matches(r, packet(6)));
    EXPECT_FALSE(engine::matches(r, packet(17)));
    EXPECT_FALSE(engine::matches(r, packet(6, 1024, 81)));
    r.invflags = model::kInvDstPort;
    EXPECT_TRUE(engine::matches(r, packet(6, 1024, 81)));
    r = rule();
    r.proto = 17;
    r.invflags = model::kInvProto;
    EXPECT_TRUE(engine::matches(r, packet(6)));
    EXPECT_FALSE(engine::matches(r, packet(17)));
    r = rule();  // proto 0: everything, ports never looked at
    EXPECT_TRUE(engine::matches(r, packet(47)));
    r.invflags = model::kInvSrcPort;
    EXPECT_TRUE(engine::matches(r, packet(47)));
}

TEST(EngineMatch, IcmpTypeAndCode)
{
    model::Rule r = rule();
    r.proto = 1;
    r.sport = {8, 8};
    r.dport = {0, 0};
    EXPECT_TRUE(engine::matches(r, packet(1, 8, 0)));
    EXPECT_FALSE(engine::matches(r, packet(1, 0, 0)));
    EXPECT_FALSE(engine::matches(r, packet(1, 8, 1)));
    r.sport = {3, 3};
    r.dport = {0, 0xFFFF};
    EXPECT_TRUE(engine::matches(r, packet(1, 3, 13)));
}

TEST(EngineMatch, FragmentsAndPorts)
{
    TestPacket frag = packet(6);
    frag.fragment = true;
    model::Rule r = rule();
    r.proto = 6;
    EXPECT_TRUE(engine::matches(r, frag));  // full range passes
    r.dport = {80, 80};
    EXPECT_FALSE(engine::matches(r, frag));
    r.invflags = model::kInvDstPort;  // whatever the inversion
    EXPECT_FALSE(engine::matches(r, frag));
    r = rule();
    r.proto = 6;
    r.invflags = model::kInvDstPort;  // inverted full range: only fragments pass
    EXPECT_TRUE(engine::matches(r, frag));
    EXPECT_FALSE(engine::matches(r, packet(6)));
}

TEST(EngineMatch, FragmentFlag)
{
    TestPacket frag = packet();
    frag.fragment = true;
    model::Rule r = rule();
    r.flags |= model::kFlagFrag;
    EXPECT_TRUE(engine::matches(r, frag));
    EXPECT_FALSE(engine::matches(r, packet()));
    r.invflags = model::kInvFrag;  // ! -f
    EXPECT_FALSE(engine::matches(r, frag));
    EXPECT_TRUE(engine::matches(r, packet()));
    r.flags &= ~model::kFlagFrag;  // inversion without its flag: never
    EXPECT_FALSE(engine::matches(r, frag));
    EXPECT_FALSE(engine::matches(r, packet()));
}

TEST(EngineMatch, Syn)
{
    TestPacket syn = packet(6);
    syn.syn = true;
    model::Rule r = rule();
    r.proto = 6;
    r.flags |= model::kFlagSyn;
    EXPECT_TRUE(engine::matches(r, syn));
    EXPECT_FALSE(engine::matches(r, packet(6)));
    r.invflags = model::kInvSyn;
    EXPECT_FALSE(engine::matches(r, syn));
    EXPECT_TRUE(engine::matches(r, packet(6)));
    TestPacket frag = packet(6);
    frag.fragment = true;
    EXPECT_FALSE(engine::matches(r, frag));  // never, even inverted
    r.invflags = 0;
    syn.fragment = true;
    EXPECT_FALSE(engine::matches(r, syn));
    TestPacket udp = packet(17);
    udp.syn = true;  // only a TCP header has a SYN bit
    r.proto = 0;
    EXPECT_FALSE(engine::matches(r, udp));
}

TEST(EngineCheck, TestPacketFromRule)
{
    model::Rule r = rule();
    r.src = 1;
    r.src_mask = 0xFFFFFFFF;
    r.dst = 2;
    r.dst_mask = 0xFFFFFFFF;
    r.proto = 6;
    r.sport = {1000, 2000};
    r.dport = {80, 80};
    r.flags |= model::kFlagSyn;
    r.iface = "ppp0";
    TestPacket p = engine::test_packet_from_rule(r);
    EXPECT_EQ(p.src, 1u);
    EXPECT_EQ(p.dst, 2u);
    EXPECT_EQ(p.proto, 6);
    EXPECT_EQ(p.sport, 1000);
    EXPECT_EQ(p.dport, 80);
    EXPECT_TRUE(p.syn);
    EXPECT_FALSE(p.fragment);
    EXPECT_EQ(p.iface, "ppp0");
    EXPECT_TRUE(engine::matches(r, p));
}
