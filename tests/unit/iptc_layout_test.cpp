// make_layout over compiled rulesets, and the read-back through kernel_state + nft's
// rebuild_model: what commit writes, read gives back (counters summed over copies).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "backend/iptc/layout.h"
#include "backend/iptc/read_state.h"
#include "backend/common/read_model.h"
#include "compile_fixtures.h"

using namespace ipchains;
using namespace ipchains::backend::iptc;

namespace {

const std::string P = "ipchains-";

Layout layout_of(const model::Ruleset& rs)
{
    auto l = make_layout(fx::compiled(rs), P);
    if (!l) throw std::runtime_error(l.error().message);
    return *l;
}

const TableState& table(const Layout& l, const std::string& name)
{
    for (const auto& t : l.tables)
        if (t.table == name) return t;
    throw std::runtime_error("no table " + name);
}

const LegacyChain* chain(const TableState& t, const std::string& name)
{
    for (const auto& c : t.chains)
        if (c.name == name) return &c;
    return nullptr;
}

std::vector<std::string> hook_targets(const TableState& t, const std::string& builtin)
{
    std::vector<std::string> out;
    for (const auto& [b, rules] : t.hooks)
        if (b == builtin)
            for (const auto& r : rules) out.push_back(r.label);
    return out;
}

model::Ruleset read_back(const Layout& l)
{
    auto rs = backend::common::rebuild_model(kernel_state(table(l, "mangle").chains, P), "ipchains");
    if (!rs) throw std::runtime_error(rs.error().message);
    return *rs;
}

}  // namespace

TEST(IptcLayout, FreshBootHooksAndExecutors)
{
    Layout l = layout_of(model::Ruleset::initial());
    ASSERT_EQ(l.tables.size(), 3u);
    EXPECT_EQ(l.tables[0].table, "filter");
    EXPECT_EQ(l.tables[2].table, "mangle");
    const auto& m = table(l, "mangle");
    EXPECT_EQ(hook_targets(m, "PREROUTING"), std::vector<std::string>{P + "~in-hook"});
    // No REJECT and no DIVERT: forward goes straight to its hook chain, no gate.
    EXPECT_EQ(hook_targets(m, "FORWARD"), std::vector<std::string>{P + "~fwd-hook"});
    EXPECT_EQ(hook_targets(m, "POSTROUTING"), std::vector<std::string>{P + "~out-hook"});
    EXPECT_TRUE(hook_targets(m, "INPUT").empty());  // no DIVERT: nothing resumes
    EXPECT_EQ(chain(m, P + "~fwd-gate"), nullptr);
    EXPECT_EQ(chain(m, P + "~out-exec"), nullptr);
    // Nothing to reject: nothing in filter (the backend does not even open it), nor in nat
    // without MASQ or REDIRECT.
    for (const char* name : {"filter", "nat"}) {
        EXPECT_TRUE(table(l, name).chains.empty()) << name;
        EXPECT_TRUE(table(l, name).hooks.empty()) << name;
    }
    // The policies end the hook chains (no policy chain without DIVERT); output ACCEPTs are
    // plain: no REJECT stamp to turn into a drop.
    EXPECT_EQ(chain(m, P + "~output-policy"), nullptr);
    const LegacyChain* out = chain(m, P + "~out-hook");
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out->rules.back().label, "ACCEPT");
    EXPECT_EQ(chain(m, P + "~in-hook")->rules.back().label, "ACCEPT");
}

// Each REJECT brings the executors of its side, and only those (docs/backends.md).
TEST(IptcLayout, RejectsBringTheirExecutors)
{
    model::Ruleset rs = model::Ruleset::initial();
    rs.find("input")->policy = model::Policy::Reject;
    Layout l = layout_of(rs);
    const auto& m = table(l, "mangle");
    EXPECT_EQ(hook_targets(m, "FORWARD"), std::vector<std::string>{P + "~fwd-gate"});
    const auto& f = table(l, "filter");
    EXPECT_EQ(hook_targets(f, "INPUT"), std::vector<std::string>{P + "~in-exec"});
    EXPECT_EQ(hook_targets(f, "FORWARD"), std::vector<std::string>{P + "~in-exec"});
    EXPECT_EQ(chain(m, P + "~out-exec"), nullptr);

    rs = model::Ruleset::initial();
    model::Rule reject;
    reject.target = model::TargetKind::Reject;
    rs.find("forward")->rules.push_back(reject);
    rs.find("output")->rules.push_back(reject);
    l = layout_of(rs);
    const auto& m2 = table(l, "mangle");
    EXPECT_EQ(hook_targets(m2, "FORWARD"), std::vector<std::string>{P + "~fwd-hook"});
    EXPECT_EQ(hook_targets(table(l, "filter"), "FORWARD"),
              std::vector<std::string>{P + "~fwd-exec"});
    EXPECT_TRUE(hook_targets(table(l, "filter"), "INPUT").empty());
    // Output ACCEPTs continue in the executor that turns REJECT stamps into drops.
    const LegacyChain* out = chain(m2, P + "~out-hook");
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out->rules.back().label, P + "~out-exec");
    EXPECT_TRUE(out->rules.back().ip.flags & IPT_F_GOTO);
}

namespace {

// Matches and targets that make the kernel track connections.
int conntrack_users(const Layout& l)
{
    int n = 0;
    for (const auto& t : l.tables) {
        n += t.table == "nat" && (!t.chains.empty() || !t.hooks.empty());
        for (const auto& c : t.chains)
            for (const auto& r : c.rules) {
                for (const auto& m : r.matches)
                    n += m.name == "conntrack" || m.name == "connmark" || m.name == "state";
                n += !r.standard && (r.target.name == "CONNMARK" ||
                                     r.target.name == "MASQUERADE" || r.target.name == "REDIRECT");
            }
    }
    return n;
}

}  // namespace

TEST(IptcLayout, ConntrackOnlyWithMasqOrRedirect)
{
    model::Ruleset rs = fx::ruleset({"acct"});
    for (auto t : {model::TargetKind::Accept, model::TargetKind::Deny, model::TargetKind::Reject})
        for (const char* c : {"input", "forward", "output", "acct"}) fx::append(rs, c, fx::rule(t));
    fx::append(rs, "input", fx::divert(77));
    fx::append(rs, "forward", fx::jump("acct"));
    EXPECT_EQ(conntrack_users(layout_of(rs)), 0);

    model::Ruleset masq = rs;
    fx::append(masq, "forward", fx::rule(model::TargetKind::Masq));
    Layout l = layout_of(masq);
    EXPECT_GT(conntrack_users(l), 0);
    EXPECT_EQ(hook_targets(table(l, "nat"), "POSTROUTING"), std::vector<std::string>{P + "~nat-out"});
    EXPECT_TRUE(hook_targets(table(l, "nat"), "PREROUTING").empty());

    model::Ruleset redir = rs;
    fx::append(redir, "input", fx::with_proto(fx::rule(model::TargetKind::Redirect), 6));
    l = layout_of(redir);
    EXPECT_EQ(hook_targets(table(l, "nat"), "PREROUTING"), std::vector<std::string>{P + "~nat-in"});
    EXPECT_TRUE(hook_targets(table(l, "nat"), "POSTROUTING").empty());
}

TEST(IptcLayout, DivertSitesGetResumeCopies)
{
    Layout l = layout_of(fx::rich_ruleset());
    const auto& m = table(l, "mangle");
    EXPECT_EQ(hook_targets(m, "INPUT"), std::vector<std::string>{P + "~in-dispatch"});
    EXPECT_EQ(hook_targets(m, "FORWARD"),
              (std::vector<std::string>{P + "~in-dispatch^F", P + "~fwd-gate"}));
    const LegacyChain* copy = chain(m, P + "~input-policy^F");
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(copy->rules[0].label, P + "~fwd-gate");
    EXPECT_EQ(copy->rules[0].packets, 0u);
    for (const auto& t : l.tables)
        for (const auto& c : t.chains) EXPECT_LE(c.name.size(), kMaxChainName) << c.name;
    // Each dispatch chain returns the other hooks' resume stamps, for their own dispatch
    // later on the packet's way, and ends by clearing a stamp no site has (docs/design.md
    // "Resume site ids"), so that the later hooks' chains see the packet.
    for (const char* name : {"~in-dispatch", "~in-dispatch^F", "~out-dispatch"}) {
        const LegacyChain* d = chain(m, P + name);
        ASSERT_NE(d, nullptr) << name;
        ASSERT_GE(d->rules.size(), 2u) << name;
        EXPECT_EQ(d->rules[d->rules.size() - 2].label, "RETURN") << name;
        EXPECT_FALSE(d->rules.back().standard) << name;
        EXPECT_EQ(d->rules.back().target.name, "MARK") << name;
    }
}

TEST(IptcLayout, ReadBackGivesTheRuleset)
{
    model::Ruleset rs = fx::rich_ruleset();
    rs.chains[0].rules[1].counters = {3, 300};
    rs.chains[0].policy_counters = {11, 1100};
    rs.divert_passthrough = true;
    model::Ruleset back = read_back(layout_of(rs));
    EXPECT_EQ(back, rs);
    EXPECT_EQ(back.chains[0].rules[1].counters, (model::Counters{3, 300}));
    EXPECT_EQ(back.chains[0].policy_counters, (model::Counters{11, 1100}));
    // The resume site ids come back from the meta chain, so that the next command keeps them.
    auto t = compile::compile(rs);
    ASSERT_TRUE(t);
    const auto sites = fx::resume_sites(*t);
    EXPECT_EQ(sites.size(), 4u);
    EXPECT_EQ(back.resume_sites, sites);
}

// A commit learns which ipchains chain each legacy chain carries from the tags the read found
// (iptc_backend.cpp): they must name the owners the layout gave, copies included.
TEST(IptcLayout, ChainOwnersFromTheTagsAreTheLayoutsOwners)
{
    Layout l = layout_of(fx::rich_ruleset());
    const auto& m = table(l, "mangle");
    const auto owners = chain_owners(kernel_state(m.chains, P).chains, P);
    ASSERT_FALSE(m.owner.empty());
    bool copy_seen = false;
    for (const auto& [legacy, owner] : m.owner) {
        auto it = owners.find(legacy);
        ASSERT_NE(it, owners.end()) << legacy;
        EXPECT_EQ(it->second, owner) << legacy;
        copy_seen |= legacy.find(kCopyForward) != std::string::npos;
    }
    EXPECT_TRUE(copy_seen);
    EXPECT_EQ(owners.count(P + "~fwd-gate"), 0u);
    EXPECT_EQ(owners.count(P + "~meta"), 0u);
}

TEST(IptcLayout, CopiesAddTheirCountersOnRead)
{
    model::Ruleset rs = fx::rich_ruleset();
    Layout l = layout_of(rs);
    auto& m = l.tables[2];
    for (auto& c : m.chains)
        if (c.name == P + "input~1^F")
            for (auto& r : c.rules)
                if (!carrier_comment(r).empty()) {
                    r.packets = 2;
                    r.bytes = 20;
                    break;
                }
    model::Ruleset back = read_back(l);
    EXPECT_EQ(back.chains[0].rules[1].counters, (model::Counters{2, 20}));
}

TEST(IptcLayout, ZeroLeavesPolicyChainsAlone)
{
    Layout l = layout_of(model::Ruleset::initial());
    auto z = zeroable(table(l, "mangle").chains, P);
    EXPECT_EQ(std::count(z.begin(), z.end(), P + "input"), 1);
    // Without DIVERT the hook chain holds the policy rule and its counter.
    EXPECT_EQ(std::count(z.begin(), z.end(), P + "~in-hook"), 0);
    EXPECT_EQ(std::count(z.begin(), z.end(), P + "~meta"), 0);
}

// One rule starts from a policy's count, whether it ends the hook chain or the policy chain
// the continuations share (compile/layout.cpp), so reading back gives the count once.
TEST(IptcLayout, PolicyCountsReadBackOnce)
{
    for (bool divert : {false, true}) {
        model::Ruleset rs = model::Ruleset::initial();
        if (divert) fx::append(rs, "output", fx::divert(7));
        for (auto& c : rs.chains) c.policy_counters = {5, 500};
        model::Ruleset back = read_back(layout_of(rs));
        for (const auto& c : back.chains)
            EXPECT_EQ(c.policy_counters, (model::Counters{5, 500})) << c.name << " " << divert;
    }
}

TEST(IptcLayout, EmptyKernelReadsAsFreshBoot)
{
    auto rs = backend::common::rebuild_model(kernel_state({}, P), "ipchains");
    ASSERT_TRUE(rs);
    EXPECT_EQ(*rs, model::Ruleset::initial());
}

// TEE (docs/ipfw.md "TEE"): the dispatch chains are hooked for the TEE kind as well, only when
// a TEE site exists, and the TEE rule and its number read back.
TEST(IptcLayout, TeeSitesAreDispatchedForTheTeeKind)
{
    auto rs = fx::ruleset();
    model::Rule tee = fx::divert(5000);
    tee.target = model::TargetKind::Tee;
    tee.number = 100;
    fx::append(rs, "input", tee);
    fx::append(rs, "output", fx::divert(5001));
    Layout l = layout_of(rs);
    const auto& m = table(l, "mangle");
    EXPECT_EQ(hook_targets(m, "INPUT"),
              (std::vector<std::string>{P + "~in-dispatch", P + "~in-dispatch"}));
    // output has a DIVERT only: one POSTROUTING dispatch hook (plus the forwarded-output one).
    const auto post = hook_targets(m, "POSTROUTING");
    EXPECT_EQ(std::count(post.begin(), post.end(), P + "~out-dispatch"), 1);
    EXPECT_EQ(read_back(l), rs);
}
