// The carrier rule of one ipchains rule, and the append fast path's promise.
#include <gtest/gtest.h>

#include "compile/compile.h"
#include "compile_fixtures.h"
#include "format/format.h"

using namespace ipchains;
using model::TargetKind;

namespace {

using Matches = std::vector<ir::Match>;
using Statements = std::vector<ir::Statement>;

const Matches kNever = {ir::Fragment{true}, ir::Fragment{false}};

ir::Rule carrier(const model::Rule& r, ir::Hook hook = ir::Hook::Prerouting)
{
    return compile::compile_rule("input", r, hook);
}

}  // namespace

TEST(CompileRule, MatchOrder)
{
    model::Rule r = fx::with_proto(fx::rule(TargetKind::Accept), 6);
    r.src = 0x0A000000;
    r.src_mask = 0xFF000000;
    r.dst = 0x0A000001;
    r.dst_mask = 0xFFFFFFFF;
    r.sport = {1024, 65535};
    r.dport = {80, 80};
    r.flags |= model::kFlagSyn;
    r.iface = "ppp";
    r.invflags = model::kInvSrcIp | model::kInvDstPort;
    EXPECT_EQ(carrier(r).matches,
              (Matches{ir::Proto{6, false}, ir::Addr{true, 0x0A000000, 0xFF000000, true},
                       ir::Addr{false, 0x0A000001, 0xFFFFFFFF, false}, ir::Fragment{true},
                       ir::Port{true, 1024, 65535, false}, ir::Port{false, 80, 80, true},
                       ir::Syn{false}, ir::IfName{true, "ppp", true, false}}));
    EXPECT_EQ(carrier(r).statements,
              (Statements{ir::Counter{}, ir::Verdict{ir::Verdict::Accept, ""}}));
}

TEST(CompileRule, NothingToMatch)
{
    EXPECT_TRUE(carrier(fx::rule()).matches.empty());
    EXPECT_EQ(carrier(fx::rule()).statements, (Statements{ir::Counter{}}));
}

TEST(CompileRule, CounterCarriesValues)
{
    model::Rule r = fx::rule();
    r.counters = {12, 3456};
    ir::Rule compiled = carrier(r);
    const auto& c = std::get<ir::Counter>(compiled.statements[0]);
    EXPECT_EQ(c.packets, 12u);
    EXPECT_EQ(c.bytes, 3456u);
}

TEST(CompileRule, Icmp)
{
    model::Rule r = fx::with_proto(fx::rule(), 1);
    r.sport = {8, 8};
    r.dport = {0, 0xFFFF};
    EXPECT_EQ(carrier(r).matches,
              (Matches{ir::Proto{1, false}, ir::Fragment{true}, ir::Icmp{ir::Icmp::Type, 8, 8, false}}));
    r.sport = {3, 3};
    r.dport = {1, 300};  // clamped to the code byte
    EXPECT_EQ(carrier(r).matches[3], ir::Match(ir::Icmp{ir::Icmp::Code, 1, 255, false}));
    r.dport = {0, 300};  // every code: only the fragment test is left
    EXPECT_EQ(carrier(r).matches.size(), 3u);
    r.dport = {256, 300};  // no code byte is that large
    EXPECT_EQ(carrier(r).matches, kNever);
}

TEST(CompileRule, FragmentFlags)
{
    model::Rule r = fx::rule();
    r.flags |= model::kFlagFrag;
    EXPECT_EQ(carrier(r).matches, (Matches{ir::Fragment{false}}));
    r.invflags = model::kInvFrag;
    EXPECT_EQ(carrier(r).matches, (Matches{ir::Fragment{true}}));
    r.flags &= ~model::kFlagFrag;  // inversion without the flag never matches in 2.2
    EXPECT_EQ(carrier(r).matches, kNever);

    r = fx::with_proto(fx::rule(), 6);
    r.flags |= model::kFlagFrag;
    r.dport = {80, 80};  // -f with ports: 2.2 never matched it
    EXPECT_EQ(carrier(r).matches, kNever);
    r.invflags = model::kInvFrag;  // ! -f with ports: one Fragment test
    EXPECT_EQ(carrier(r).matches,
              (Matches{ir::Proto{6, false}, ir::Fragment{true}, ir::Port{false, 80, 80, false}}));
}

TEST(CompileRule, Quirks)
{
    model::Rule r = fx::rule();
    r.invflags = model::kInvSyn;  // without -y
    EXPECT_EQ(carrier(r).matches, kNever);
    r = fx::rule();
    r.invflags = model::kInvSrcIp;  // ! 0/0
    EXPECT_EQ(carrier(r).matches, kNever);
    r = fx::rule();
    r.src = 5;  // unmasked address bits: never equal
    EXPECT_EQ(carrier(r).matches, kNever);
    r.invflags = model::kInvSrcIp;
    EXPECT_TRUE(carrier(r).matches.empty());
    r = fx::rule();
    r.invflags = model::kInvVia;  // ! any interface
    EXPECT_EQ(carrier(r).matches, kNever);
    r = fx::with_proto(fx::rule(), 6);
    r.invflags = model::kInvDstPort;  // inverted full range: only later fragments
    EXPECT_EQ(carrier(r).matches, (Matches{ir::Proto{6, false}, ir::Fragment{false}}));
    r = fx::with_proto(fx::rule(), 300);
    EXPECT_EQ(carrier(r).matches, kNever);
    r.invflags = model::kInvProto;
    EXPECT_TRUE(carrier(r).matches.empty());
}

TEST(CompileRule, InterfaceSideDependsOnHook)
{
    model::Rule r = fx::rule();
    r.iface = "eth0";
    r.flags = 0;
    r.invflags = model::kInvVia;
    EXPECT_EQ(carrier(r).matches, (Matches{ir::IfName{true, "eth0", false, true}}));
    EXPECT_EQ(carrier(r, ir::Hook::Forward).matches, (Matches{ir::IfName{false, "eth0", false, true}}));
    EXPECT_EQ(carrier(r, ir::Hook::Postrouting).matches, (Matches{ir::IfName{false, "eth0", false, true}}));
}

TEST(CompileRule, SideEffectsInOrder)
{
    model::Rule r = fx::rule(TargetKind::Deny);
    r.flags |= model::kFlagLog | model::kFlagNetlink | model::kFlagMarkAbs;
    r.output_size = 128;
    r.tos_and = 0x01;
    r.tos_xor = 0x10;
    r.mark = 0x1234;
    // -l: the kernel's line, then the NFLOG copy for ipchains-logd with the rule's number.
    EXPECT_EQ(compile::compile_rule("input", r, ir::Hook::Prerouting, 5).statements,
              (Statements{ir::Counter{}, ir::Log{"input DENY ", std::nullopt, 0},
                          ir::Log{"input DENY #5", compile::kPacketLogGroup, 80},
                          ir::Log{"", uint16_t{0}, 128}, ir::SetTos{0x01, 0x10},
                          ir::SetMark{~compile::kUserMarkMask, 0x1234},
                          ir::Verdict{ir::Verdict::Drop, ""}}));
    r = fx::rule();
    r.mark = 0xFFFFFFFF;  // -m -1: approximated as OR of the low 16 bits
    EXPECT_EQ(carrier(r).statements[1], ir::Statement(ir::SetMark{0xFFFF0000u, 0xFFFF}));
    r.mark = 0x10000;  // nothing left in the user bits
    EXPECT_EQ(carrier(r).statements.size(), 1u);
    r = fx::rule();
    r.flags |= model::kFlagLog;
    EXPECT_EQ(carrier(r).statements[1], ir::Statement(ir::Log{"input - ", std::nullopt, 0}));
    r = fx::divert(1234);
    r.flags |= model::kFlagLog;
    EXPECT_EQ(carrier(r).statements[1], ir::Statement(ir::Log{"input DIVERT 1234 ", std::nullopt, 0}));
    EXPECT_EQ(compile::compile_rule("input", r, ir::Hook::Prerouting, 12).statements[2],
              ir::Statement(ir::Log{"input DIVERT 1234 #12", uint16_t{22}, 80}));
}

// The NFLOG prefix of a -l rule carries its number in its chain (ipchains-logd prints it as
// "(#N)"), so a rule inserted in front changes the compiled rule and the commit rewrites it.
TEST(CompileRule, LogPrefixFollowsRuleNumber)
{
    auto nflog_prefixes = [](const ir::Table& t, const std::string& chain) {
        std::vector<std::string> out;
        for (const auto& r : fx::find(t, chain)->rules)
            for (const auto& s : r.statements)
                if (const auto* l = std::get_if<ir::Log>(&s); l && l->group == uint16_t{22})
                    out.push_back(l->prefix);
        return out;
    };
    model::Ruleset rs = fx::ruleset({"acct"});
    model::Rule logged = fx::rule(TargetKind::Deny);
    logged.flags |= model::kFlagLog;
    fx::append(rs, "input", fx::rule(TargetKind::Accept));
    fx::append(rs, "input", logged);
    fx::append(rs, "input", fx::jump("acct"));
    logged.target = TargetKind::None;
    fx::append(rs, "acct", logged);
    ir::Table t = fx::compiled(rs);
    EXPECT_EQ(nflog_prefixes(t, "input"), std::vector<std::string>{"input DENY #2"});
    EXPECT_EQ(nflog_prefixes(t, "acct"), std::vector<std::string>{"acct - #1"});
    auto& input = rs.find("input")->rules;
    input.insert(input.begin(), fx::rule(TargetKind::Accept));
    EXPECT_EQ(nflog_prefixes(fx::compiled(rs), "input"), std::vector<std::string>{"input DENY #3"});
}

// docs/ipfw.md "IPv6": an ipfw ip6 rule with `log' carries the kernel line and the NFLOG copy
// in the ip6 table, and each family's NFLOG number counts that family's rules only.
TEST(CompileRule, Ip6LogCountsItsOwnFamily)
{
    auto logs = [](const ir::Table& t) {
        std::vector<ir::Log> out;
        for (const auto& r : fx::find(t, "input")->rules)
            for (const auto& s : r.statements)
                if (const auto* l = std::get_if<ir::Log>(&s)) out.push_back(*l);
        return out;
    };
    auto rs = model::Ruleset::initial();
    model::Rule v6 = fx::ip6_divert(100, 8000, "2001:db8::/32");
    v6.target = TargetKind::Accept;
    v6.redirect_port = 0;
    v6.flags |= model::kFlagLog;
    model::Rule v4 = fx::rule(TargetKind::Deny);
    v4.flags |= model::kFlagLog;
    v4.number = 200;
    model::Rule v6b = v6;
    v6b.number = 300;
    v6b.target = TargetKind::Deny;
    rs.find("input")->rules = {v6, v4, v6b};
    EXPECT_EQ(logs(fx::compiled6(rs)),
              (std::vector<ir::Log>{ir::Log{"input ACCEPT ", std::nullopt, 0},
                                    ir::Log{"input ACCEPT #1", compile::kPacketLogGroup, 80},
                                    ir::Log{"input DENY ", std::nullopt, 0},
                                    ir::Log{"input DENY #2", compile::kPacketLogGroup, 80}}));
    EXPECT_EQ(logs(fx::compiled(rs)),
              (std::vector<ir::Log>{ir::Log{"input DENY ", std::nullopt, 0},
                                    ir::Log{"input DENY #1", compile::kPacketLogGroup, 80}}));
}

TEST(CompileRule, Targets)
{
    using V = ir::Verdict;
    EXPECT_EQ(carrier(fx::rule(TargetKind::Return)).statements.back(), ir::Statement(V{V::Return, ""}));
    EXPECT_EQ(carrier(fx::rule(TargetKind::Accept)).statements.back(), ir::Statement(V{V::Accept, ""}));
    EXPECT_EQ(carrier(fx::rule(TargetKind::Masq), ir::Hook::Forward).statements.back(),
              ir::Statement(V{V::Accept, ""}));
    EXPECT_EQ(carrier(fx::rule(TargetKind::Masq), ir::Hook::Postrouting).statements.back(),
              ir::Statement(V{V::Drop, ""}));
    ir::Rule reject = carrier(fx::rule(TargetKind::Reject), ir::Hook::Postrouting);
    EXPECT_EQ(reject.statements,
              (Statements{ir::Counter{},
                          ir::SetMark{compile::kUserMarkMask | compile::kMasqBit,
                                      compile::mark_stamp(compile::MarkKind::Reject, 0)},
                          V{V::Accept, ""}}));
}

TEST(CompileRule, CommentIsTheSaveLine)
{
    model::Rule r = fx::with_proto(fx::rule(TargetKind::Deny), 17);
    EXPECT_EQ(carrier(r).comment, compile::rule_comment("input", r));
    EXPECT_EQ(compile::rule_comment("input", r), format::save_line("input", r));
}

// docs/design.md "Fast path": appending a simple rule must leave exactly the kernel state the
// slow path would.
TEST(CompileRule, FastPathEqualsSlowPath)
{
    std::vector<model::Rule> appended;
    for (TargetKind t : {TargetKind::None, TargetKind::Accept, TargetKind::Deny, TargetKind::Reject,
                         TargetKind::Masq, TargetKind::Return}) {
        model::Rule r = fx::with_proto(fx::rule(t), 6);
        r.dport = {22, 22};
        r.iface = "eth1";
        r.mark = 3;  // no -l: its prefix holds the rule number, so -l takes the slow path
        appended.push_back(r);
    }
    int checked = 0, full_commits = 0;
    model::Ruleset rich = fx::rich_ruleset();
    fx::append(rich, "ppp-in", fx::rule());
    fx::append(rich, "input", fx::divert(77));
    // No REJECT anywhere: no post chain on forward and output.
    model::Ruleset plain = fx::ruleset({"acct"});
    fx::append(plain, "input", fx::divert(77));
    fx::append(plain, "forward", fx::rule(TargetKind::Accept));
    fx::append(plain, "output", fx::jump("acct"));
    // Empty built-in chains, which no hook chain jumps into.
    model::Ruleset empty = fx::ruleset();
    for (const auto& [base, chain] : std::vector<std::pair<model::Ruleset, const char*>>{
             {rich, "input"}, {rich, "forward"}, {rich, "output"}, {rich, "log"},
             {rich, "acct"}, {rich, "ppp-in"}, {plain, "forward"}, {plain, "acct"},
             {empty, "output"}}) {
        for (const auto& r : appended) {
            ir::Table before = fx::compiled(base);
            model::Ruleset rs = base;
            fx::append(rs, chain, r);
            ir::Table slow = fx::compiled(rs);

            // The fast path sees only the chain list: the chain's instances and last segment.
            std::vector<const ir::Chain*> instances;
            const ir::Chain* last = nullptr;
            compile::ChainTag last_tag;
            for (const auto& c : before.chains) {
                auto tag = compile::parse_chain_comment(c.comment);
                if (!tag || tag->name != chain) continue;
                if (tag->segment == 0) instances.push_back(&c);
                if (tag->instance == 0 && (!last || tag->segment > last_tag.segment)) {
                    last = &c;
                    last_tag = *tag;
                }
            }
            ASSERT_TRUE(last != nullptr) << chain;
            if (instances.size() != 1) {
                EXPECT_STREQ(chain, "ppp-in");  // reached from three hooks: slow path only
                continue;
            }
            // The first rule of a built-in chain brings the hook chain's jump to it
            // (NftBackend::append_fast sees that nothing jumps to the chain).
            auto references = [&](const ir::Table& t) {
                int n = 0;
                for (const auto& c : t.chains)
                    for (const auto& br : c.rules)
                        for (const auto& st : br.statements)
                            if (const auto* v = std::get_if<ir::Verdict>(&st))
                                n += v->chain == last->name;
                return n;
            };
            if (last_tag.builtin() && last_tag.segment == 0 && references(before) == 0) {
                EXPECT_EQ(references(slow), 1) << chain;
                ++full_commits;
                continue;
            }
            // The first REJECT of a hook brings its post chain, the first MASQ the nat
            // chain: NftBackend::append_fast leaves them to the full commit.
            const std::string post = compile::post_chain_name(last_tag.hook, 1);
            if ((r.target == TargetKind::Reject && !fx::find(before, post)) ||
                (r.target == TargetKind::Masq && !fx::find(before, "~nat-out"))) {
                EXPECT_TRUE(fx::find(slow, r.target == TargetKind::Reject ? post : "~nat-out"))
                    << chain;
                ++full_commits;
                continue;
            }
            ir::Table fast = before;
            for (auto& c : fast.chains)
                if (c.name == last->name)
                    c.rules.push_back(compile::compile_rule(chain, rs.find(chain)->rules.back(),
                                                            last_tag.hook));
            EXPECT_TRUE(fast == slow) << chain << " " << r.target_label();
            ++checked;
        }
    }
    EXPECT_EQ(checked, 30 + 8);
    EXPECT_EQ(full_commits, 4 + 6);
}
