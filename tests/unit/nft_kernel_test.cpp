// The nft backend against the real kernel. Every test runs in a network namespace of its own
// (unshare), so nothing outside it is touched and nothing is left behind. Root only; exit 77
// only when this kernel has no network namespaces or no nf_tables.
#include <gtest/gtest.h>

#include <sched.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <libmnl/libmnl.h>
#include <libnftnl/rule.h>

#include "backend/execute.h"
#include "backend/nft/batch.h"
#include "backend/nft/dump.h"
#include "backend/nft/commit_plan.h"
#include "backend/nft/netlink.h"
#include "backend/nft/nft_backend.h"
#include "backend/nft/nftnl_ptr.h"
#include "backend/nft/queue_probe.h"
#include "backend/nft/transaction.h"
#include "backend/nft/udata.h"
#include "compile/compile.h"
#include "compile_fixtures.h"
#include "engine/engine.h"

namespace ipchains::backend::nft {
namespace {

std::string run(const std::string& cmd)
{
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

// The ruleset of a fresh read, for tests that look only at the model.
Result<model::Ruleset> read_rs(Backend& be, bool zero_counters = false)
{
    auto snap = be.read(zero_counters);
    if (!snap) return snap.error();
    return snap->ruleset;
}

// A snapshot of a kernel without our table that holds `rs`: what a commit that builds a table
// from scratch starts from. No generation: the commit is not checked.
Snapshot unread(const model::Ruleset& rs)
{
    Snapshot s;
    s.ruleset = rs;
    return s;
}

model::Change change_to(const model::Ruleset& after)
{
    model::Change c;
    c.after = after;
    return c;
}

std::string listing(const std::string& table = "ipchains")
{
    return run("nft list table ip " + table + " 2>/dev/null");
}

// A listing with the table name taken out and its chains in name order: two tables built by
// different command sequences may hold the same chains in another kernel order.
std::string normalized(const std::string& table)
{
    std::string text = listing(table), head, cur;
    std::vector<std::string> blocks;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(pos, nl - pos) + "\n";
        pos = nl + 1;
        if (line.rfind("table ip ", 0) == 0 || line == "}\n" || line == "\n") continue;
        if (line.rfind("\tchain ", 0) == 0 || line.rfind("\tcounter ", 0) == 0) {
            if (!cur.empty()) blocks.push_back(cur);
            cur = line;
        } else if (cur.empty()) {
            head += line;
        } else {
            cur += line;
        }
    }
    if (!cur.empty()) blocks.push_back(cur);
    std::sort(blocks.begin(), blocks.end());
    for (const auto& b : blocks) head += b;
    return head;
}

class NftKernel : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_EQ(unshare(CLONE_NEWNET), 0) << strerror(errno);
        unsetenv("IPCHAINS_DIVERT_NFT_QUEUE");
        unsetenv("IPCHAINS_DIVERT_TABLE");
    }

    static Config table(const std::string& name)
    {
        Config c;
        c.table = name;
        return c;
    }

    static model::Command append(const std::string& chain, const model::Rule& r)
    {
        model::Command c;
        c.op = model::Op::Append;
        c.chain = chain;
        c.rules = {r};
        return c;
    }

    static model::Command new_chain(const std::string& chain)
    {
        model::Command c;
        c.op = model::Op::NewChain;
        c.chain = chain;
        return c;
    }

    // Runs `cmd` the slow way (read, apply, commit), never the fast path.
    static Result<void> slow(Backend& be, const model::Command& cmd)
    {
        return execute_all(be, {cmd});
    }

    static model::Command delete_num(const std::string& chain, uint32_t rulenum)
    {
        model::Command c;
        c.op = model::Op::DeleteNum;
        c.chain = chain;
        c.rulenum = rulenum;
        return c;
    }

    static model::Command set_policy(const std::string& chain, model::Policy p)
    {
        model::Command c;
        c.op = model::Op::SetPolicy;
        c.chain = chain;
        c.policy = p;
        return c;
    }

    // Loads `layout` as it stands (what some earlier version left in the kernel), bypassing
    // the backend; true when the kernel took it.
    static bool load_raw(const ir::Table& layout)
    {
        auto nl = Netlink::open();
        if (!nl.ok()) return false;
        Batch batch((*nl)->next_seq());
        plan_commit(batch, nullptr, layout, QueueImpl::Compat);
        return run_transaction(**nl, batch).ok();
    }

    // The next command on a table an earlier version left (load_raw of `ruleset`'s table as
    // that version had it): `-P forward DENY`, run by `be`, must leave table `ipchains` as a
    // fresh commit of the same ruleset makes table `fresh`.
    static void expect_next_command_converts(NftBackend& be, const model::Ruleset& ruleset)
    {
        const model::Command deny = set_policy("forward", model::Policy::Deny);
        ASSERT_TRUE(slow(be, deny).ok());
        model::Ruleset want = ruleset;
        ASSERT_TRUE(engine::apply(want, deny).ok());
        NftBackend fresh(table("fresh"));
        ASSERT_TRUE(fresh.commit(unread(model::Ruleset::initial()), change_to(want)).ok());
        EXPECT_EQ(normalized("ipchains"), normalized("fresh"));
    }
};

TEST_F(NftKernel, CommitThenReadGivesTheSameRuleset)
{
    model::Ruleset rs = fx::rich_ruleset();
    rs.divert_passthrough = true;
    uint64_t n = 1;
    for (auto& c : rs.chains) {
        if (c.builtin()) c.policy_counters = {n * 1000, n * 100000};
        for (auto& r : c.rules) {
            r.counters = {n, n * 60};
            ++n;
        }
    }
    NftBackend be(table("ipchains"));
    ASSERT_TRUE(be.commit(unread(model::Ruleset::initial()), change_to(rs)).ok());

    NftBackend reader(table("ipchains"));
    auto back = read_rs(reader);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, rs);
    ASSERT_EQ(back->chains.size(), rs.chains.size());
    for (size_t i = 0; i < rs.chains.size(); ++i) {
        EXPECT_EQ(back->chains[i].policy_counters, rs.chains[i].policy_counters);
        for (size_t j = 0; j < rs.chains[i].rules.size(); ++j)
            EXPECT_EQ(back->chains[i].rules[j].counters, rs.chains[i].rules[j].counters)
                << rs.chains[i].name << " rule " << j + 1;
    }
}

TEST_F(NftKernel, ListingReadsLikeTheIntendedRules)
{
    using V = ir::Verdict;
    auto rule = [](std::vector<ir::Match> m, std::vector<ir::Statement> s, std::string c = {}) {
        return ir::Rule{std::move(m), std::move(s), std::move(c)};
    };
    const V drop{V::Drop, ""}, accept{V::Accept, ""};
    ir::Table t;
    t.name = "ipchains";
    t.comment = "ipchains-divert";
    t.counters.push_back(ir::CounterObject{"input-policy", 7, 700});
    ir::Chain user{"user", std::nullopt, {}, "ipchains:3:0:0:in:-:user"};
    ir::Chain c{"input", std::nullopt, {}, "ipchains:0:0:0:in:ACCEPT:input"};
    c.rules = {
        rule({ir::IfName{true, "eth0", false, false}}, {ir::Counter{5, 100}, accept},
             "-A input -i eth0 -j ACCEPT"),
        rule({ir::IfName{true, "ppp", true, false}}, {drop}),
        rule({ir::IfName{false, "eth1", false, true}}, {drop}),
        rule({ir::Addr{true, 0x0a000000, 0xff000000, false}}, {drop}),
        rule({ir::Addr{false, 0x01020304, 0xffffffff, true}}, {drop}),
        rule({ir::Addr{false, 0x0a000100, 0xff00ff00, false}}, {drop}),
        rule({ir::Proto{6, false}, ir::Port{false, 80, 80, false}}, {accept}),
        rule({ir::Proto{6, false}, ir::Port{true, 1, 1023, false}}, {accept}),
        rule({ir::Proto{17, false}, ir::Port{true, 1, 1023, true}}, {accept}),
        rule({ir::Proto{17, false}, ir::Port{false, 53, 53, true}}, {accept}),
        rule({ir::Proto{1, false}, ir::Icmp{ir::Icmp::Type, 3, 5, false}}, {accept}),
        rule({ir::Proto{1, false}, ir::Icmp{ir::Icmp::Type, 8, 8, false},
              ir::Icmp{ir::Icmp::Code, 0, 0, false}},
             {accept}),
        rule({ir::Proto{1, true}}, {accept}),
        rule({ir::Fragment{false}}, {drop}),
        rule({ir::Fragment{true}}, {drop}),
        rule({ir::Proto{6, false}, ir::Syn{false}}, {drop}),
        rule({ir::Proto{6, false}, ir::Syn{true}}, {drop}),
        rule({ir::Mark{0xffff, 5, false}}, {drop}),
        rule({ir::Mark{0x70000000, 0x10000000, true}}, {drop}),
        rule({}, {ir::NamedCounter{"input-policy"}, accept}),
        rule({}, {ir::Log{"input DENY ", std::nullopt, 0}}),
        rule({}, {ir::Log{"", uint16_t(0), 128}}),
        rule({}, {ir::SetMark{0xffff0000, 0x10}}),
        rule({}, {ir::Reject{ir::Reject::PortUnreach}}),
        rule({}, {ir::Reject{ir::Reject::HostUnreach}}),
        rule({}, {V{V::Jump, "user"}}),
        rule({}, {V{V::Goto, "user"}}),
        rule({}, {V{V::Return, ""}}),
    };
    ir::Chain hook{"~in-hook", ir::BaseChain{ir::Hook::Prerouting, -150}, {}, "ipchains-layout:hook"};
    hook.rules = {rule({}, {V{V::Jump, "input"}})};
    ir::Chain nat_in{"~nat-in", ir::BaseChain{ir::Hook::Prerouting, -100, ir::ChainType::Nat}, {}, ""};
    nat_in.rules = {rule({ir::Proto{6, false}}, {ir::Redirect{8080}}), rule({}, {ir::Redirect{0}})};
    ir::Chain nat_out{"~nat-out", ir::BaseChain{ir::Hook::Postrouting, 100, ir::ChainType::Nat}, {},
                      ""};
    nat_out.rules = {rule({ir::Mark{0x80000000, 0x80000000, false}},
                          {ir::SetCtMark{0x7fffffff, 0x80000000}, ir::Masquerade{}})};
    ir::Chain fwd{"~fwd-hook", ir::BaseChain{ir::Hook::Forward, 0}, {}, "ipchains-layout:hook"};
    fwd.rules = {rule({ir::CtReply{0x80000000, 0x80000000}}, {accept}),
                 rule({ir::CtReply{0, 0}}, {accept})};
    t.chains = {user, c, hook, fwd, nat_in, nat_out};

    auto nl = Netlink::open();
    ASSERT_TRUE(nl.ok());
    Batch batch((*nl)->next_seq());
    plan_commit(batch, nullptr, t, QueueImpl::Compat);
    auto sent = run_transaction(**nl, batch);
    ASSERT_TRUE(sent.ok()) << sent.error().message;

    EXPECT_EQ(listing(),
              "table ip ipchains {\n"
              "\tcomment \"ipchains-divert\"\n"
              "\tcounter input-policy {\n"
              "\t\tpackets 7 bytes 700\n"
              "\t}\n"
              "\n"
              "\tchain user {\n"
              "\t\tcomment \"ipchains:3:0:0:in:-:user\"\n"
              "\t}\n"
              "\n"
              "\tchain input {\n"
              "\t\tcomment \"ipchains:0:0:0:in:ACCEPT:input\"\n"
              "\t\tiifname \"eth0\" counter packets 5 bytes 100 accept comment \"-A input -i eth0 -j ACCEPT\"\n"
              "\t\tiifname \"ppp*\" drop\n"
              "\t\toifname != \"eth1\" drop\n"
              "\t\tip saddr 10.0.0.0/8 drop\n"
              "\t\tip daddr != 1.2.3.4 drop\n"
              "\t\tip daddr & 255.0.255.0 == 10.0.1.0 drop\n"
              "\t\ttcp dport 80 accept\n"
              "\t\ttcp sport 1-1023 accept\n"
              "\t\tudp sport != 1-1023 accept\n"
              "\t\tudp dport != 53 accept\n"
              "\t\ticmp type 3-5 accept\n"
              "\t\ticmp type echo-request icmp code net-unreachable accept\n"
              "\t\tip protocol != icmp accept\n"
              "\t\tip frag-off & 8191 != 0 drop\n"
              "\t\tip frag-off & 8191 == 0 drop\n"
              "\t\ttcp flags syn / syn,rst,ack drop\n"
              "\t\ttcp flags != syn / syn,rst,ack drop\n"
              "\t\tmeta mark & 0x0000ffff == 0x00000005 drop\n"
              "\t\tmeta mark & 0x70000000 != 0x10000000 drop\n"
              "\t\tcounter name \"input-policy\" accept\n"
              "\t\tlog prefix \"input DENY \"\n"
              "\t\tlog group 0 snaplen 128\n"
              "\t\tmeta mark set meta mark & 0xffff0010 | 0x00000010\n"
              "\t\treject\n"
              "\t\treject with icmp host-unreachable\n"
              "\t\tjump user\n"
              "\t\tgoto user\n"
              "\t\treturn\n"
              "\t}\n"
              "\n"
              "\tchain ~in-hook {\n"
              "\t\tcomment \"ipchains-layout:hook\"\n"
              "\t\ttype filter hook prerouting priority mangle; policy accept;\n"
              "\t\tjump input\n"
              "\t}\n"
              "\n"
              "\tchain ~fwd-hook {\n"
              "\t\tcomment \"ipchains-layout:hook\"\n"
              "\t\ttype filter hook forward priority filter; policy accept;\n"
              "\t\tct direction reply ct mark 0x80000000/1 accept\n"
              "\t\tct direction reply accept\n"
              "\t}\n"
              "\n"
              "\tchain ~nat-in {\n"
              "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
              "\t\tip protocol tcp redirect to :8080\n"
              "\t\tredirect\n"
              "\t}\n"
              "\n"
              "\tchain ~nat-out {\n"
              "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
              "\t\tmeta mark 0x80000000/1 ct mark set ct mark | 0x80000000 masquerade\n"
              "\t}\n"
              "}\n");
}

TEST_F(NftKernel, NoTableReadsAsAFreshBoot)
{
    NftBackend be(table("ipchains"));
    auto rs = read_rs(be);
    ASSERT_TRUE(rs.ok()) << rs.error().message;
    EXPECT_EQ(*rs, model::Ruleset::initial());
    EXPECT_EQ(listing(), "");
}

TEST_F(NftKernel, EveryIncrementalCommitMatchesAFreshBuild)
{
    // Each step goes through read -> apply -> commit (a diff); a second table built from
    // scratch with the same ruleset must hold the same chains and rules.
    NftBackend be(table("ipchains"));
    std::vector<model::Command> steps;
    steps.push_back(new_chain("ppp-in"));
    steps.push_back(append("input", fx::rule(model::TargetKind::Deny)));
    steps.push_back(append("ppp-in", fx::with_proto(fx::divert(1234), 17)));
    steps.push_back(append("input", fx::jump("ppp-in")));
    steps.push_back(append("output", fx::jump("ppp-in")));  // a second copy of ppp-in
    model::Command policy;
    policy.op = model::Op::SetPolicy;
    policy.chain = "forward";
    policy.policy = model::Policy::Deny;
    steps.push_back(policy);
    steps.push_back(delete_num("input", 2));
    model::Command flush;
    flush.op = model::Op::Flush;
    flush.chain = "output";
    steps.push_back(flush);
    steps.push_back(new_chain("later"));
    model::Command delchain;
    delchain.op = model::Op::DeleteChain;
    delchain.chain = "later";
    steps.push_back(delchain);
    model::Command pass;
    pass.op = model::Op::SetPassthrough;
    pass.passthrough = true;
    steps.push_back(pass);

    for (size_t i = 0; i < steps.size(); ++i) {
        auto r = slow(be, steps[i]);
        ASSERT_TRUE(r.ok()) << "step " << i + 1 << ": " << r.error().message;
        auto now = read_rs(be);
        ASSERT_TRUE(now.ok()) << now.error().message;
        const std::string fresh_name = "fresh" + std::to_string(i);
        NftBackend fresh(table(fresh_name));
        ASSERT_TRUE(fresh.commit(unread(model::Ruleset::initial()), change_to(*now)).ok());
        EXPECT_EQ(normalized("ipchains"), normalized(fresh_name)) << "after step " << i + 1;
    }
}

// docs/design.md "Chain layout": an ACCEPT or DENY policy held by a base chain changes in
// place. The chain keeps its handle, its rules and their counts, and its policy count; only
// the policy line of the listing changes.
TEST_F(NftKernel, PolicyChangesInPlace)
{
    NftBackend be(table("ipchains"));
    model::Ruleset rs = model::Ruleset::initial();
    fx::append(rs, "forward", fx::rule(model::TargetKind::Accept));
    rs.find("forward")->rules[0].counters = {5, 500};
    rs.find("forward")->policy_counters = {7, 700};
    ASSERT_TRUE(be.commit(unread(model::Ruleset::initial()), change_to(rs)).ok());
    const std::string with_handles = "nft -a list table ip ipchains";
    std::string want = run(with_handles);
    const std::string accept = "hook forward priority filter; policy accept;";
    ASSERT_NE(want.find(accept), std::string::npos) << want;
    want.replace(want.find(accept), accept.size(), "hook forward priority filter; policy drop;");

    ASSERT_TRUE(slow(be, set_policy("forward", model::Policy::Deny)).ok());
    EXPECT_EQ(run(with_handles), want);
    auto now = read_rs(be);
    ASSERT_TRUE(now.ok()) << now.error().message;
    const model::Chain& fwd = *now->find("forward");
    EXPECT_EQ(fwd.policy, model::Policy::Deny);
    EXPECT_EQ(fwd.policy_counters, (model::Counters{7, 700}));
    ASSERT_EQ(fwd.rules.size(), 1u);
    EXPECT_EQ(fwd.rules[0].counters, (model::Counters{5, 500}));
}

// The -P fast path (NftBackend::policy_fast) sets an ACCEPT or DENY policy that a base chain
// holds, the built-in chain's own or its hook chain's, and leaves the kernel as the slow path
// does; everything else it leaves to the slow path without touching the kernel.
TEST_F(NftKernel, FastPolicyLeavesWhatTheSlowPathLeaves)
{
    NftBackend fast(table("fast"));
    NftBackend slow_be(table("slow"));
    std::vector<model::Command> setup = {new_chain("ppp"),
                                         append("forward", fx::rule(model::TargetKind::Accept)),
                                         append("input", fx::jump("ppp"))};
    std::vector<model::Command> policies = {set_policy("forward", model::Policy::Deny),
                                            set_policy("input", model::Policy::Deny),
                                            set_policy("input", model::Policy::Deny),
                                            set_policy("forward", model::Policy::Accept)};
    for (const auto& c : setup) {
        ASSERT_TRUE(slow(fast, c).ok());
        ASSERT_TRUE(slow(slow_be, c).ok());
    }
    for (size_t i = 0; i < policies.size(); ++i) {
        auto done = fast.policy_fast(policies[i].chain, policies[i].policy);
        ASSERT_TRUE(done.ok()) << done.error().message;
        EXPECT_TRUE(*done) << "step " << i + 1;
        ASSERT_TRUE(slow(slow_be, policies[i]).ok());
        EXPECT_EQ(normalized("fast"), normalized("slow")) << "after step " << i + 1;
    }
    auto rs = read_rs(fast);
    ASSERT_TRUE(rs.ok()) << rs.error().message;
    EXPECT_EQ(rs->find("input")->policy, model::Policy::Deny);
    EXPECT_EQ(rs->find("forward")->policy, model::Policy::Accept);

    // Behind a hook chain (MASQ brings the masqueraded-replies rule), the hook chain's policy.
    for (NftBackend* be : {&fast, &slow_be})
        ASSERT_TRUE(slow(*be, append("forward", fx::rule(model::TargetKind::Masq))).ok());
    auto done = fast.policy_fast("forward", model::Policy::Deny);
    ASSERT_TRUE(done.ok() && *done);
    ASSERT_TRUE(slow(slow_be, set_policy("forward", model::Policy::Deny)).ok());
    EXPECT_NE(listing("fast").find("chain ~fwd-hook {"), std::string::npos);
    EXPECT_EQ(normalized("fast"), normalized("slow"));

    // A policy that is a rule, a user chain, a chain that does not exist: the slow path's.
    const std::string before = listing("fast");
    for (const auto& c : {set_policy("output", model::Policy::Reject),
                          set_policy("ppp", model::Policy::Deny),
                          set_policy("nosuch", model::Policy::Deny)}) {
        auto left = fast.policy_fast(c.chain, c.policy);
        ASSERT_TRUE(left.ok());
        EXPECT_FALSE(*left) << c.chain;
    }
    EXPECT_EQ(listing("fast"), before);
}

// `empty-chains = unhooked` (Config::unhook_empty_chains): the fast paths leave the kernel as
// the slow path does, and leave a table of the other form (compile::kUnhookedChain) to the
// full commit, which converts it, as they leave it an ACCEPT that empties a chain's hook.
TEST_F(NftKernel, FastPathsKeepTheTablesEmptyChainsForm)
{
    Config unhooked_cfg = table("fast");
    unhooked_cfg.unhook_empty_chains = true;
    NftBackend fast(unhooked_cfg);
    unhooked_cfg.table = "slow";
    NftBackend slow_be(unhooked_cfg);
    for (NftBackend* be : {&fast, &slow_be})
        ASSERT_TRUE(slow(*be, append("forward", fx::rule(model::TargetKind::Deny))).ok());
    EXPECT_EQ(listing("fast").find("chain input {"), std::string::npos);
    const model::Command more = append("forward", fx::rule(model::TargetKind::Accept));
    auto done = fast.append_fast("forward", more.rules);
    ASSERT_TRUE(done.ok() && *done);
    ASSERT_TRUE(slow(slow_be, more).ok());
    auto deny = fast.policy_fast("forward", model::Policy::Deny);
    ASSERT_TRUE(deny.ok() && *deny);
    ASSERT_TRUE(slow(slow_be, set_policy("forward", model::Policy::Deny)).ok());
    EXPECT_EQ(normalized("fast"), normalized("slow"));
    // ACCEPT for a chain with rules stays fast; for an empty one it unhooks the chain, which
    // only the full commit does.
    auto accept = fast.policy_fast("forward", model::Policy::Accept);
    ASSERT_TRUE(accept.ok() && *accept);
    ASSERT_TRUE(slow(slow_be, set_policy("forward", model::Policy::Accept)).ok());
    EXPECT_EQ(normalized("fast"), normalized("slow"));
    for (NftBackend* be : {&fast, &slow_be})
        ASSERT_TRUE(slow(*be, set_policy("output", model::Policy::Deny)).ok());
    EXPECT_NE(listing("fast").find("chain output {"), std::string::npos);
    accept = fast.policy_fast("output", model::Policy::Accept);
    ASSERT_TRUE(accept.ok());
    EXPECT_FALSE(*accept) << "an empty chain: the full commit unhooks it";
    for (NftBackend* be : {&fast, &slow_be})
        ASSERT_TRUE(slow(*be, set_policy("output", model::Policy::Accept)).ok());
    EXPECT_EQ(listing("fast").find("chain output {"), std::string::npos);
    EXPECT_EQ(normalized("fast"), normalized("slow"));

    // The same table under the default setting: its fast paths leave the unhooked form alone,
    // and its full commit hooks input and output again.
    NftBackend hooked(table("fast"));
    const std::string before = listing("fast");
    auto left = hooked.append_fast("forward", more.rules);
    ASSERT_TRUE(left.ok());
    EXPECT_FALSE(*left);
    left = hooked.policy_fast("forward", model::Policy::Accept);
    ASSERT_TRUE(left.ok());
    EXPECT_FALSE(*left);
    EXPECT_EQ(listing("fast"), before);
    ASSERT_TRUE(slow(hooked, more).ok());
    EXPECT_NE(listing("fast").find("chain input {"), std::string::npos);
    EXPECT_EQ(listing("fast").find("~unhooked"), std::string::npos);
    // And back: the unhooked backend's fast path leaves the hooked form to the full commit.
    left = fast.append_fast("forward", more.rules);
    ASSERT_TRUE(left.ok());
    EXPECT_FALSE(*left);
    ASSERT_TRUE(slow(fast, more).ok());
    ASSERT_TRUE(slow(slow_be, more).ok());
    ASSERT_TRUE(slow(slow_be, more).ok());
    EXPECT_EQ(normalized("fast"), normalized("slow"));
}

// The fast path validates like the slow one: a bad rule fails with the engine's error and the
// kernel keeps what it had.
TEST_F(NftKernel, FastAppendRefusesWhatTheEngineRefuses)
{
    NftBackend be(table("ipchains"));
    ASSERT_TRUE(execute(be, append("input", fx::rule(model::TargetKind::Accept))).ok());
    const std::string before = listing();
    model::Rule ports_without_proto = fx::rule(model::TargetKind::Accept);
    ports_without_proto.dport = {80, 80};
    const model::Command bad = append("input", ports_without_proto);
    model::Ruleset rs = model::Ruleset::initial();
    auto want = engine::apply(rs, bad);
    ASSERT_FALSE(want.ok());
    auto got = execute(be, bad);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code, want.error().code);
    EXPECT_EQ(got.error().message, want.error().message);
    EXPECT_EQ(listing(), before);
}

TEST_F(NftKernel, FastAndSlowAppendLeaveTheSameKernelState)
{
    NftBackend fast(table("fast"));
    NftBackend slow_be(table("slow"));
    std::vector<model::Command> setup = {new_chain("acct"),
                                         append("input", fx::with_proto(fx::divert(99), 6)),
                                         append("input", fx::jump("acct")),
                                         append("output", fx::rule(model::TargetKind::None))};
    for (const auto& c : setup) {
        ASSERT_TRUE(slow(fast, c).ok());
        ASSERT_TRUE(slow(slow_be, c).ok());
    }
    model::Rule logged = fx::with_proto(fx::rule(model::TargetKind::Accept), 6);
    logged.flags |= model::kFlagLog;
    logged.dport = {80, 80};
    model::Rule masq = fx::rule(model::TargetKind::Masq);
    masq.iface = "ppp";
    masq.flags |= model::kFlagWildIf;
    model::Rule marked = fx::rule(model::TargetKind::None);
    marked.mark = 7;
    marked.flags |= model::kFlagMarkAbs;
    marked.tos_and = 0x01;
    marked.tos_xor = 0x10;
    // The first MASQ brings the nat chain and the ct rules: only the slow path builds them.
    auto first_masq = fast.append_fast("forward", {masq});
    ASSERT_TRUE(first_masq.ok()) << first_masq.error().message;
    EXPECT_FALSE(*first_masq);
    EXPECT_EQ(listing("fast").find(" ct "), std::string::npos);
    ASSERT_TRUE(slow(fast, append("forward", masq)).ok());
    ASSERT_TRUE(slow(slow_be, append("forward", masq)).ok());
    // -l: its NFLOG prefix holds the rule's number, which the fast path does not know.
    auto first_logged = fast.append_fast("input", {logged});
    ASSERT_TRUE(first_logged.ok()) << first_logged.error().message;
    EXPECT_FALSE(*first_logged);
    ASSERT_TRUE(slow(fast, append("input", logged)).ok());
    ASSERT_TRUE(slow(slow_be, append("input", logged)).ok());
    std::vector<std::pair<std::string, model::Rule>> appends = {
        {"input", fx::rule(model::TargetKind::Reject)},
        {"forward", masq},
        {"output", marked},
        {"acct", fx::rule(model::TargetKind::Return)},
        {"acct", fx::rule(model::TargetKind::Deny)},
    };
    for (const auto& [chain, rule] : appends) {
        auto done = fast.append_fast(chain, {rule});
        ASSERT_TRUE(done.ok()) << done.error().message;
        // An interface wildcard may extend a rule run (compile/runs.h may_join_run): the full
        // commit decides, as for any rule with a key field.
        const bool may_join = chain == "forward";
        EXPECT_EQ(*done, !may_join) << chain;
        if (!*done) ASSERT_TRUE(slow(fast, append(chain, rule)).ok());
        ASSERT_TRUE(slow(slow_be, append(chain, rule)).ok());
    }
    std::string a = listing("fast"), b = listing("slow");
    ASSERT_FALSE(a.empty());
    a.replace(a.find("table ip fast"), 13, "table ip X");
    b.replace(b.find("table ip slow"), 13, "table ip X");
    EXPECT_EQ(a, b);
}

// Rule runs (compile/runs.h): one more member of the run that ends a chain is one element
// through the fast path; a member the run cannot take goes to the slow path.
TEST_F(NftKernel, FastAppendOfARunMemberLeavesTheSlowPathsState)
{
    NftBackend fast(table("fast"));
    NftBackend slow_be(table("slow"));
    auto host = [](uint32_t last_byte, const char* iface = nullptr) {
        model::Rule r = fx::rule(model::TargetKind::Deny);
        r.src = 0xC0000200u | last_byte;  // 192.0.2.x
        r.src_mask = 0xFFFFFFFFu;
        if (iface) {
            r.iface = iface;
            r.flags &= static_cast<uint16_t>(~model::kFlagWildIf);
        }
        return r;
    };
    std::vector<model::Command> setup;
    for (uint32_t i = 1; i <= 5; ++i) {
        setup.push_back(append("input", host(i)));
        setup.push_back(append("output", host(i, "eth0")));
    }
    for (const auto& c : setup) {
        { auto r = slow(fast, c); ASSERT_TRUE(r.ok()) << r.error().message; }
        ASSERT_TRUE(slow(slow_be, c).ok());
    }
    model::Rule network = fx::rule(model::TargetKind::Deny);
    network.src = 0x0A000000u;
    network.src_mask = 0xFF000000u;
    struct Step {
        std::string chain;
        model::Rule rule;
        bool fast;
    };
    std::vector<Step> steps = {
        {"input", host(6), true},
        {"output", host(6, "eth0"), true},
        {"input", host(3), false},   // overlaps member 3: a rule of its own
        {"input", host(7), false},   // the chain no longer ends in the run
        {"output", network, false},  // another shape (no -i)
    };
    for (const auto& s : steps) {
        auto done = fast.append_fast(s.chain, {s.rule});
        ASSERT_TRUE(done.ok()) << done.error().message;
        EXPECT_EQ(*done, s.fast) << s.chain;
        if (!*done) ASSERT_TRUE(slow(fast, append(s.chain, s.rule)).ok());
        ASSERT_TRUE(slow(slow_be, append(s.chain, s.rule)).ok());
    }
    std::string a = listing("fast"), b = listing("slow");
    ASSERT_NE(a.find("192.0.2.6 counter packets 0 bytes 0 comment \"#6 -A input"),
              std::string::npos)
        << a;
    a.replace(a.find("table ip fast"), 13, "table ip X");
    b.replace(b.find("table ip slow"), 13, "table ip X");
    EXPECT_EQ(a, b);
}

// The tally in the last rule of nft chain `chain` of `ip ipchains`, none when it has none.
std::optional<RunTally> tally_of(const std::string& chain)
{
    auto nl = Netlink::open();
    if (!nl) return std::nullopt;
    RequestBuf buf;
    nlmsghdr* nlh = rules_request(buf, "ipchains", chain, false, NFPROTO_IPV4);
    std::optional<RunTally> tally;
    auto r = (*nl)->query(nlh, [&](const nlmsghdr* m) {
        RulePtr rule(nftnl_rule_alloc());
        if (nftnl_rule_nlmsg_parse(m, rule.get()) < 0) return MNL_CB_OK;
        tally.reset();
        if (nftnl_rule_is_set(rule.get(), NFTNL_RULE_USERDATA)) {
            uint32_t len = 0;
            const void* ud = nftnl_rule_get_data(rule.get(), NFTNL_RULE_USERDATA, &len);
            tally = run_tally_from_udata(ud, len);
        }
        return MNL_CB_OK;
    });
    if (!r) return std::nullopt;
    return tally;
}

uint32_t generation_now()
{
    auto nl = Netlink::open();
    if (!nl) return 0;
    auto g = get_generation(**nl);
    return g ? *g : 0;
}

// An append after an append reads the run from the tally the first one left, not from a dump
// of every member; a commit in between (here one that drops a member and leaves the lookup rule
// alone) makes the tally stale, and the next append reads the members again
// (docs/design.md "The run's tally").
TEST_F(NftKernel, FastAppendTrustsTheRunTallyOnlyInItsOwnGeneration)
{
    NftBackend be(table("ipchains"));
    auto host = [](uint32_t last_byte) {
        model::Rule r = fx::rule(model::TargetKind::Deny);
        r.src = 0xC0000200u | last_byte;  // 192.0.2.x
        r.src_mask = 0xFFFFFFFFu;
        return r;
    };
    for (uint32_t i = 1; i <= 5; ++i) ASSERT_TRUE(slow(be, append("input", host(i))).ok());
    // The fourth commit added the lookup rule with its tally; the fifth added an element only.
    auto before_fifth = tally_of("input");
    ASSERT_TRUE(before_fifth);
    EXPECT_EQ(before_fifth->members, 4u);
    EXPECT_NE(before_fifth->generation, generation_now());
    for (uint32_t i = 6; i <= 7; ++i) {
        auto done = be.append_fast("input", {host(i)});
        ASSERT_TRUE(done.ok()) << done.error().message;
        ASSERT_TRUE(*done);
        auto t = tally_of("input");
        ASSERT_TRUE(t);
        EXPECT_EQ(t->generation, generation_now());
        EXPECT_EQ(t->members, i);
        EXPECT_EQ(t->sample.rfind("-A input -s 192.0.2." + std::to_string(i) + "/", 0), 0u)
            << t->sample;
    }
    // A member that exists is found in the set, not in the tally: the full commit decides.
    auto again = be.append_fast("input", {host(6)});
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_FALSE(*again);

    ASSERT_TRUE(slow(be, delete_num("input", 1)).ok());
    auto stale = tally_of("input");
    ASSERT_TRUE(stale);
    EXPECT_EQ(stale->members, 7u) << "the deletion left the lookup rule as it was";
    EXPECT_NE(stale->generation, generation_now());
    auto done = be.append_fast("input", {host(8)});
    ASSERT_TRUE(done.ok()) << done.error().message;
    ASSERT_TRUE(*done);
    EXPECT_EQ(tally_of("input")->members, 7u);
    EXPECT_NE(listing().find("192.0.2.8 counter packets 0 bytes 0 comment \"#7 -A input"),
              std::string::npos)
        << listing();
    auto rs = read_rs(be);
    ASSERT_TRUE(rs.ok()) << rs.error().message;
    const auto* input = rs->find("input");
    ASSERT_TRUE(input);
    ASSERT_EQ(input->rules.size(), 7u);
    for (uint32_t i = 0; i < 7; ++i) EXPECT_EQ(input->rules[i].src, 0xC0000200u | (i + 2));
}

// The same for runs over ports (an interval set), interfaces and source . port (a pipapo
// set): the fast path reads the members' keys back from the kernel.
TEST_F(NftKernel, FastAppendToPortInterfaceAndConcatenationRuns)
{
    NftBackend fast(table("fast"));
    NftBackend slow_be(table("slow"));
    auto iface = [](const char* name) {
        model::Rule r = fx::rule(model::TargetKind::Accept);
        r.iface = name;
        r.flags &= static_cast<uint16_t>(~model::kFlagWildIf);
        return r;
    };
    auto wild = [&](const char* prefix) {
        model::Rule r = iface(prefix);
        r.flags |= model::kFlagWildIf;
        return r;
    };
    std::vector<model::Command> setup = {new_chain("ports"), new_chain("nets")};
    for (uint16_t p : {53, 123, 161}) setup.push_back(append("ports", fx::udp_deny(p, p)));
    setup.push_back(append("ports", fx::udp_deny(6000, 6063)));
    for (const char* n : {"eth0", "eth1", "eth2", "eth3"})
        setup.push_back(append("output", iface(n)));
    for (uint32_t n = 1; n <= 2; ++n)
        for (uint16_t p : {53, 123})
            setup.push_back(append("nets", fx::udp_deny(p, p, n << 24, 0xFF000000u)));
    auto verdict = [&](uint16_t p, model::TargetKind t) {
        model::Rule r = fx::udp_deny(p, p);
        r.target = t;
        return r;
    };
    setup.push_back(new_chain("mixed"));
    for (uint16_t p : {1, 2, 3, 4})
        setup.push_back(append("mixed", verdict(p, p % 2 ? model::TargetKind::Accept
                                                          : model::TargetKind::Deny)));
    for (const auto& c : setup) {
        { auto r = slow(fast, c); ASSERT_TRUE(r.ok()) << r.error().message; }
        ASSERT_TRUE(slow(slow_be, c).ok());
    }
    struct Step {
        std::string chain;
        model::Rule rule;
        bool fast;
    };
    std::vector<Step> steps = {
        {"ports", fx::udp_deny(7000, 7010), true},
        {"ports", fx::udp_deny(8000, 8000), true},
        {"ports", fx::udp_deny(6010, 6010), false},  // inside 6000-6063
        {"output", iface("eth4"), true},
        {"output", wild("ppp"), false},  // a range of names: the set becomes an interval set
        {"output", iface("eth9"), true},
        {"output", iface("ppp0"), false},  // ppp+ takes its packets
        {"output", iface("eth1"), false},  // a member already
        {"nets", fx::udp_deny(53, 53, 3u << 24, 0xFF000000u), true},
        {"nets", fx::udp_deny(123, 123, 0x01020000u, 0xFFFF0000u), false},  // inside 1.0.0.0/8 . 123
        {"nets", fx::udp_deny(124, 124, 0x01020000u, 0xFFFF0000u), false},  // the chain ends otherwise
        {"mixed", verdict(5, model::TargetKind::Accept), true},  // a verdict map's element
        {"mixed", verdict(6, model::TargetKind::Deny), true},
        {"mixed", verdict(7, model::TargetKind::Reject), false},  // no map verdict
    };
    for (const auto& s : steps) {
        auto done = fast.append_fast(s.chain, {s.rule});
        ASSERT_TRUE(done.ok()) << done.error().message;
        EXPECT_EQ(*done, s.fast) << s.chain << " " << s.rule.dport.lo;
        if (!*done) ASSERT_TRUE(slow(fast, append(s.chain, s.rule)).ok());
        ASSERT_TRUE(slow(slow_be, append(s.chain, s.rule)).ok());
    }
    std::string a = listing("fast"), b = listing("slow");
    ASSERT_NE(a.find("3.0.0.0/8 . 53 counter packets 0 bytes 0 comment \"#5 -A nets"),
              std::string::npos)
        << a;
    ASSERT_NE(
        a.find("\"#6 -A mixed -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 6 -p 17 -j DENY\" : drop"),
        std::string::npos)
        << a;
    a.replace(a.find("table ip fast"), 13, "table ip X");
    b.replace(b.find("table ip slow"), 13, "table ip X");
    EXPECT_EQ(a, b);
}

TEST_F(NftKernel, FastPathLeavesWhatItCannotDoToTheSlowPath)
{
    NftBackend be(table("ipchains"));
    model::Rule accept = fx::rule(model::TargetKind::Accept);
    auto done = be.append_fast("input", {accept});
    ASSERT_TRUE(done.ok());
    EXPECT_FALSE(*done) << "no table yet";

    ASSERT_TRUE(slow(be, new_chain("both")).ok());
    ASSERT_TRUE(slow(be, append("input", fx::jump("both"))).ok());
    ASSERT_TRUE(slow(be, append("output", fx::jump("both"))).ok());
    done = be.append_fast("both", {accept});
    ASSERT_TRUE(done.ok());
    EXPECT_FALSE(*done) << "a chain with two copies";

    // A built-in chain that is its own base chain takes its first rule the fast way. Behind a
    // hook chain (here for the masqueraded-replies rule that a MASQ anywhere brings), its
    // first rule brings the hook chain's goto; the first REJECT of a hook brings the hook's
    // post chain (docs/design.md "Chain layout").
    done = be.append_fast("forward", {accept});
    ASSERT_TRUE(done.ok());
    EXPECT_TRUE(*done) << "forward is its own base chain";
    EXPECT_NE(listing().find("chain forward {\n\t\tcomment \"ipchains:1:0:0:fwd:*:forward\"\n"
                             "\t\ttype filter hook forward"),
              std::string::npos)
        << listing();
    ASSERT_TRUE(slow(be, delete_num("forward", 1)).ok());
    ASSERT_TRUE(slow(be, new_chain("masqer")).ok());
    ASSERT_TRUE(slow(be, append("masqer", fx::rule(model::TargetKind::Masq))).ok());
    done = be.append_fast("forward", {accept});
    ASSERT_TRUE(done.ok());
    EXPECT_FALSE(*done) << "an empty built-in chain behind a hook chain";
    EXPECT_EQ(listing().find("goto forward"), std::string::npos);
    ASSERT_TRUE(execute(be, append("forward", accept)).ok());
    EXPECT_NE(listing().find("goto forward"), std::string::npos);
    model::Rule reject = fx::rule(model::TargetKind::Reject);
    done = be.append_fast("forward", {reject});
    ASSERT_TRUE(done.ok());
    EXPECT_FALSE(*done) << "the first REJECT on forward";
    EXPECT_EQ(listing().find("~fwd-post-1"), std::string::npos);
    ASSERT_TRUE(execute(be, append("forward", reject)).ok());
    EXPECT_NE(listing().find("~fwd-post-1"), std::string::npos);
    done = be.append_fast("forward", {reject});
    ASSERT_TRUE(done.ok());
    EXPECT_TRUE(*done) << "the second REJECT on forward";

    done = be.append_fast("nosuch", {accept});
    ASSERT_TRUE(done.ok());
    EXPECT_FALSE(*done) << "an unknown chain: the slow path reports it";
    auto through = execute(be, append("nosuch", accept));
    ASSERT_FALSE(through.ok());
    EXPECT_EQ(through.error().code, ENOENT);
    EXPECT_EQ(through.error().message,
              engine::kernel_error_text(model::Op::Append, ENOENT, model::TargetKind::Accept));
}

TEST_F(NftKernel, CountersCountRealPacketsAndZeroWithListing)
{
    ASSERT_EQ(system("ip link set lo up"), 0);
    NftBackend be(table("ipchains"));
    model::Rule icmp = fx::with_proto(fx::rule(model::TargetKind::None), 1);
    ASSERT_TRUE(slow(be, append("input", icmp)).ok());
    ASSERT_EQ(system("ping -q -c 3 -i 0.2 -W 1 127.0.0.1 >/dev/null"), 0);

    auto counted = read_rs(be, true);  // -L -Z: read and zero
    ASSERT_TRUE(counted.ok()) << counted.error().message;
    const model::Chain* input = counted->find("input");
    ASSERT_NE(input, nullptr);
    // Echo requests and replies both arrive on lo: 6 packets of 84 bytes.
    EXPECT_EQ(input->rules.at(0).counters, (model::Counters{6, 504}));
    EXPECT_EQ(input->policy_counters.packets, 6u);

    auto after = read_rs(be);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->find("input")->rules.at(0).counters, (model::Counters{0, 0}));
    // 2.2 never zeroed policy counters.
    EXPECT_EQ(after->find("input")->policy_counters, input->policy_counters);

    // A commit that rebuilds the chain keeps the counts (initial counter values).
    ASSERT_EQ(system("ping -q -c 1 -W 1 127.0.0.1 >/dev/null"), 0);
    ASSERT_TRUE(slow(be, append("input", fx::rule(model::TargetKind::Accept))).ok());
    model::Command ins;
    ins.op = model::Op::Insert;
    ins.chain = "input";
    ins.rulenum = 1;
    ins.rules = {fx::rule(model::TargetKind::None)};
    ASSERT_TRUE(slow(be, ins).ok());
    auto kept = read_rs(be);
    ASSERT_TRUE(kept.ok());
    EXPECT_EQ(kept->find("input")->rules.at(1).counters, (model::Counters{2, 168}));
}

// An ACCEPT or DENY policy is the hook chain's own (compile::Options::base_chain_policy): the
// kernel counts it in the chain, and the count moves whole to the counter object when a DIVERT
// continuation needs one, and back when it goes (docs/design.md "Chain layout").
TEST_F(NftKernel, PolicyCountMovesWithTheFormOfThePolicy)
{
    ASSERT_EQ(system("ip link set lo up"), 0);
    NftBackend be(table("ipchains"));
    ASSERT_TRUE(slow(be, set_policy("forward", model::Policy::Deny)).ok());
    ASSERT_EQ(system("ping -q -c 2 -i 0.2 -W 1 127.0.0.1 >/dev/null"), 0);
    auto policy_of = [&](const char* chain) {
        auto rs = read_rs(be);
        return rs.ok() ? rs->find(chain)->policy_counters : model::Counters{999, 999};
    };
    // Echo requests and replies both arrive on lo.
    EXPECT_EQ(policy_of("input"), (model::Counters{4, 336}));
    std::string now = listing();
    EXPECT_EQ(now.find("counter input-policy"), std::string::npos) << now;
    EXPECT_NE(now.find("type filter hook forward priority filter; policy drop;"), std::string::npos)
        << now;

    // A DIVERT rule no packet matches: its continuation ends in the policy chain, whose counter
    // object takes over the count.
    model::Rule divert = fx::with_proto(fx::divert(4321), 17);
    ASSERT_TRUE(slow(be, append("input", divert)).ok());
    now = listing();
    EXPECT_NE(now.find("counter input-policy"), std::string::npos) << now;
    EXPECT_NE(now.find("chain ~input-policy"), std::string::npos) << now;
    EXPECT_EQ(policy_of("input"), (model::Counters{4, 336}));
    ASSERT_EQ(system("ping -q -c 1 -W 1 127.0.0.1 >/dev/null"), 0);
    EXPECT_EQ(policy_of("input"), (model::Counters{6, 504}));

    ASSERT_TRUE(slow(be, delete_num("input", 1)).ok());
    now = listing();
    EXPECT_EQ(now.find("counter input-policy"), std::string::npos) << now;
    EXPECT_EQ(policy_of("input"), (model::Counters{6, 504}));
    ASSERT_EQ(system("ping -q -c 1 -W 1 127.0.0.1 >/dev/null"), 0);
    EXPECT_EQ(policy_of("input"), (model::Counters{8, 672}));

    // A policy change recreates the hook chain from the count read just before.
    ASSERT_TRUE(slow(be, set_policy("forward", model::Policy::Accept)).ok());
    ASSERT_TRUE(slow(be, set_policy("input", model::Policy::Reject)).ok());
    now = listing();
    EXPECT_NE(now.find("counter input-policy"), std::string::npos) << now;
    EXPECT_EQ(policy_of("input"), (model::Counters{8, 672}));
    EXPECT_EQ(policy_of("forward"), (model::Counters{0, 0}));
}

// A recreated hook chain is hooked as soon as its creation is in the batch, before its rules
// are active, so every packet in between falls off it to its policy: the kernel accepts there
// until the commit, and the policy counters must not count those packets either. A ping flood
// that rules accept crosses 40 recreations: none is lost, none reaches a policy.
TEST_F(NftKernel, RecreatedHookChainsNeitherDropNorMiscount)
{
    ASSERT_EQ(system("ip link set lo up"), 0);
    NftBackend be(table("ipchains"));
    model::Rule icmp = fx::with_proto(fx::rule(model::TargetKind::Accept), 1);
    ASSERT_TRUE(slow(be, append("input", icmp)).ok());
    ASSERT_TRUE(slow(be, append("output", icmp)).ok());
    ASSERT_TRUE(slow(be, set_policy("input", model::Policy::Deny)).ok());
    ASSERT_TRUE(slow(be, set_policy("output", model::Policy::Deny)).ok());
    std::string flood;
    std::thread pinger([&] { flood = run("ping -f -q -c 100000 127.0.0.1 2>&1"); });
    for (int i = 0; i < 10; ++i) {
        // The output policy changes (its hook chain is recreated), and input's policy changes
        // form with a DIVERT rule that nothing matches, and back.
        EXPECT_TRUE(slow(be, set_policy("output", model::Policy::Accept)).ok());
        EXPECT_TRUE(slow(be, set_policy("output", model::Policy::Deny)).ok());
        EXPECT_TRUE(slow(be, append("input", fx::with_proto(fx::divert(4321), 17))).ok());
        EXPECT_TRUE(slow(be, delete_num("input", 2)).ok());
    }
    pinger.join();
    EXPECT_NE(flood.find(" 0% packet loss"), std::string::npos) << flood;
    auto rs = read_rs(be);
    ASSERT_TRUE(rs.ok());
    EXPECT_EQ(rs->find("input")->policy_counters, (model::Counters{0, 0}));
    EXPECT_EQ(rs->find("output")->policy_counters, (model::Counters{0, 0}));
    EXPECT_GT(rs->find("input")->rules.at(0).counters.packets, 0u);
}

class NftKernelZero : public NftKernel, public ::testing::WithParamInterface<bool> {};

TEST_P(NftKernelZero, ZeroResetsTheNamedChainOnly)
{
    ASSERT_EQ(system("ip link set lo up"), 0);
    NftBackend be(table("ipchains"));
    if (GetParam()) be.assume_no_rule_reset();
    model::Rule icmp = fx::with_proto(fx::rule(model::TargetKind::None), 1);
    ASSERT_TRUE(slow(be, new_chain("acct")).ok());
    ASSERT_TRUE(slow(be, append("acct", icmp)).ok());
    ASSERT_TRUE(slow(be, append("input", fx::jump("acct"))).ok());
    ASSERT_TRUE(slow(be, append("output", icmp)).ok());
    ASSERT_EQ(system("ping -q -c 2 -i 0.2 -W 1 127.0.0.1 >/dev/null"), 0);

    model::Command zero;
    zero.op = model::Op::Zero;
    zero.chain = "acct";
    ASSERT_TRUE(slow(be, zero).ok());
    auto rs = read_rs(be);
    ASSERT_TRUE(rs.ok());
    EXPECT_EQ(rs->find("acct")->rules.at(0).counters, (model::Counters{0, 0}));
    EXPECT_EQ(rs->find("input")->rules.at(0).counters.packets, 4u);
    EXPECT_EQ(rs->find("output")->rules.at(0).counters.packets, 4u);

    // -L -Z: everything read, then zero; policy counters stay.
    auto listed = read_rs(be, true);
    ASSERT_TRUE(listed.ok());
    EXPECT_EQ(listed->find("output")->rules.at(0).counters.packets, 4u);
    auto after = read_rs(be);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(*after, *listed);
    for (const auto& c : after->chains)
        for (const auto& r : c.rules) EXPECT_EQ(r.counters, (model::Counters{0, 0})) << c.name;
    EXPECT_EQ(after->find("input")->policy_counters, listed->find("input")->policy_counters);
    EXPECT_GT(after->find("input")->policy_counters.packets, 0u);
}

// The members of a rule run count in set elements: -Z and -L -Z zero them as they do rules.
TEST_P(NftKernelZero, ZeroResetsRunMembers)
{
    ASSERT_EQ(system("ip link set lo up"), 0);
    NftBackend be(table("ipchains"));
    if (GetParam()) be.assume_no_rule_reset();
    ASSERT_TRUE(slow(be, new_chain("acct")).ok());
    for (uint32_t i = 1; i <= 4; ++i) {
        model::Rule r = fx::rule(model::TargetKind::None);
        r.dst = 0x7F000000u | i;  // 127.0.0.i
        r.dst_mask = 0xFFFFFFFFu;
        ASSERT_TRUE(slow(be, append("acct", r)).ok());
    }
    ASSERT_TRUE(slow(be, append("input", fx::jump("acct"))).ok());
    ASSERT_NE(listing().find("ip daddr @acct-daddr-1"), std::string::npos) << listing();
    ASSERT_EQ(system("ping -q -c 2 -i 0.2 -W 1 127.0.0.1 >/dev/null"), 0);
    auto counted = read_rs(be);
    ASSERT_TRUE(counted.ok());
    EXPECT_EQ(counted->find("acct")->rules.at(0).counters.packets, 4u);  // requests and replies
    EXPECT_EQ(counted->find("acct")->rules.at(1).counters.packets, 0u);

    model::Command zero;
    zero.op = model::Op::Zero;
    zero.chain = "acct";
    ASSERT_TRUE(slow(be, zero).ok());
    auto rs = read_rs(be);
    ASSERT_TRUE(rs.ok());
    EXPECT_EQ(rs->find("acct")->rules.at(0).counters, (model::Counters{0, 0}));
    EXPECT_EQ(rs->find("input")->rules.at(0).counters.packets, 4u);

    ASSERT_EQ(system("ping -q -c 1 -W 1 127.0.0.1 >/dev/null"), 0);
    auto listed = read_rs(be, true);
    ASSERT_TRUE(listed.ok());
    EXPECT_EQ(listed->find("acct")->rules.at(0).counters.packets, 2u);
    auto after = read_rs(be);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->find("acct")->rules.at(0).counters, (model::Counters{0, 0}));
    EXPECT_EQ(*after, *listed);
}

// ipfw's ip6 rules count in the ip6 table: -L -Z zeroes them too, on both paths.
TEST_P(NftKernelZero, ListAndZeroZeroesTheIp6Table)
{
    ASSERT_EQ(system("ip link set lo up"), 0);
    NftBackend be(table("ipchains"));
    if (GetParam()) be.assume_no_rule_reset();
    model::Rule v4 = fx::rule(model::TargetKind::None);
    v4.number = 100;
    model::Rule v6 = v4;
    v6.ip6 = true;
    ASSERT_TRUE(slow(be, append("input", v4)).ok());
    ASSERT_TRUE(slow(be, append("input", v6)).ok());
    ASSERT_EQ(system("ping -q -c 2 -i 0.2 -W 1 127.0.0.1 >/dev/null"), 0);
    ASSERT_EQ(system("ping -6 -q -c 2 -i 0.2 -W 1 ::1 >/dev/null"), 0);
    auto listed = read_rs(be, true);
    ASSERT_TRUE(listed.ok()) << listed.error().message;
    const model::Chain* input = listed->find("input");
    ASSERT_NE(input, nullptr);
    ASSERT_EQ(input->rules.size(), 2u);
    EXPECT_EQ(input->rules[0].counters.packets, 4u);
    EXPECT_EQ(input->rules[1].counters.packets, 4u);
    auto after = read_rs(be);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(*after, *listed);
    for (const auto& r : after->find("input")->rules)
        EXPECT_EQ(r.counters, (model::Counters{0, 0})) << (r.ip6 ? "ip6" : "ip");
}

// The full commit leaves the tally in every run lookup rule it adds, as the append fast path
// does: after a restore (one transaction, which creates the table), an insert that splits the
// run, -Z and -L -Z (in place or by rebuild), the tally is the kernel's generation's, and the
// next append numbers its member from it (docs/design.md "The run's tally").
TEST_P(NftKernelZero, FullCommitLeavesTheRunTallyInTheLookupRulesItAdds)
{
    NftBackend be(table("ipchains"));
    if (GetParam()) be.assume_no_rule_reset();
    auto host = [](uint32_t last_byte) {
        model::Rule r = fx::rule(model::TargetKind::Deny);
        r.src = 0xC0000200u | last_byte;  // 192.0.2.x
        r.src_mask = 0xFFFFFFFFu;
        return r;
    };
    auto expect_trusted_tally = [](const std::string& after, uint32_t members, uint32_t last) {
        SCOPED_TRACE(after);
        auto t = tally_of("input");
        ASSERT_TRUE(t) << listing();
        EXPECT_EQ(t->generation, generation_now());
        EXPECT_EQ(t->members, members);
        EXPECT_EQ(t->sample.rfind("-A input -s 192.0.2." + std::to_string(last) + "/", 0), 0u)
            << t->sample;
    };
    auto append_member = [&](uint32_t last_byte, uint32_t number) {
        auto done = be.append_fast("input", {host(last_byte)});
        ASSERT_TRUE(done.ok()) << done.error().message;
        ASSERT_TRUE(*done);
        std::string element = "192.0.2." + std::to_string(last_byte) +
                              " counter packets 0 bytes 0 comment \"#" + std::to_string(number) +
                              " -A input -s 192.0.2." + std::to_string(last_byte) + "/";
        EXPECT_NE(listing().find(element), std::string::npos) << listing();
    };

    std::vector<model::Command> restore;
    for (uint32_t i = 1; i <= 5; ++i) restore.push_back(append("input", host(i)));
    ASSERT_TRUE(execute_all(be, restore).ok());
    expect_trusted_tally("restore", 5, 5);
    append_member(6, 6);

    // A rule of another shape (-p 6) before member 3: hosts 1 and 2 stay rules of their own,
    // 3 to 6 are the run, and its lookup rule is added again after them.
    model::Command ins;
    ins.op = model::Op::Insert;
    ins.chain = "input";
    ins.rulenum = 3;
    ins.rules = {fx::with_proto(host(100), 6)};
    ASSERT_TRUE(slow(be, ins).ok());
    expect_trusted_tally("-I", 4, 6);
    append_member(7, 5);

    // A packet from member 3 gives -Z something to zero. In place -Z sends no transaction;
    // the rebuild sends the lookup rule again in one bound to the generation it read.
    ASSERT_EQ(system("ip link set lo up && ip addr add 192.0.2.3/32 dev lo"), 0);
    auto send_from_member_3 = [&]() {
        ASSERT_EQ(system("bash -c 'echo x >/dev/udp/192.0.2.3/9'"), 0);
        auto counted = read_rs(be);
        ASSERT_TRUE(counted.ok()) << counted.error().message;
        EXPECT_EQ(counted->find("input")->rules.at(3).counters.packets, 1u);
    };
    send_from_member_3();
    model::Command zero;
    zero.op = model::Op::Zero;
    ASSERT_TRUE(slow(be, zero).ok());
    expect_trusted_tally("-Z", 5, 7);
    append_member(8, 6);
    send_from_member_3();
    auto listed = read_rs(be, true);
    ASSERT_TRUE(listed.ok()) << listed.error().message;
    EXPECT_EQ(listed->find("input")->rules.at(3).counters.packets, 1u);
    expect_trusted_tally("-L -Z", 6, 8);
    append_member(9, 7);

    auto rs = read_rs(be);
    ASSERT_TRUE(rs.ok()) << rs.error().message;
    const auto* input = rs->find("input");
    ASSERT_TRUE(input);
    std::vector<uint32_t> hosts;
    for (const auto& r : input->rules) hosts.push_back(r.src & 0xFFu);
    EXPECT_EQ(hosts, (std::vector<uint32_t>{1, 2, 100, 3, 4, 5, 6, 7, 8, 9}));
}

// A commit whose batch is bound to no generation (a snapshot that has none) cannot know the
// generation it creates: it leaves no tally.
TEST_F(NftKernel, CommitWithoutAGenerationLeavesNoTally)
{
    model::Ruleset rs = model::Ruleset::initial();
    for (uint32_t i = 1; i <= 5; ++i) {
        model::Rule r = fx::rule(model::TargetKind::Deny);
        r.src = 0xC0000200u | i;
        r.src_mask = 0xFFFFFFFFu;
        fx::append(rs, "input", r);
    }
    NftBackend be(table("ipchains"));
    ASSERT_TRUE(be.commit(unread(model::Ruleset::initial()), change_to(rs)).ok());
    ASSERT_NE(listing().find("ip saddr @input-saddr-1"), std::string::npos) << listing();
    EXPECT_FALSE(tally_of("input"));
}

INSTANTIATE_TEST_SUITE_P(RuleReset, NftKernelZero, ::testing::Values(false, true),
                         [](const auto& info) {
                             return info.param ? std::string("RebuildWithoutRuleReset")
                                               : std::string("GetRuleReset");
                         });

// A table written before rule runs existed holds a run's members as plain rules: the next
// command builds the set instead of adding elements to one the kernel does not have.
TEST_F(NftKernel, LinearTableFromAnOlderVersionGetsItsRunSet)
{
    model::Ruleset rs = fx::ruleset({"blk"});
    for (uint32_t i = 1; i <= 5; ++i) {
        model::Rule r = fx::rule(model::TargetKind::Deny);
        r.src = 0xC0000200u | i;
        r.src_mask = 0xFFFFFFFFu;
        fx::append(rs, "blk", r);
    }
    fx::append(rs, "input", fx::jump("blk"));
    compile::Options opt;
    opt.table_name = "ipchains";
    auto old = compile::compile(rs, opt);  // no rule runs
    ASSERT_TRUE(old.ok());
    ASSERT_TRUE(load_raw(*old));
    ASSERT_EQ(listing().find("@blk-saddr-1"), std::string::npos);

    NftBackend be(table("ipchains"));
    model::Rule sixth = fx::rule(model::TargetKind::Deny);
    sixth.src = 0xC0000206u;
    sixth.src_mask = 0xFFFFFFFFu;
    ASSERT_TRUE(slow(be, append("blk", sixth)).ok());
    fx::append(rs, "blk", sixth);
    NftBackend fresh(table("fresh"));
    ASSERT_TRUE(fresh.commit(unread(model::Ruleset::initial()), change_to(rs)).ok());
    EXPECT_NE(listing().find("ip saddr @blk-saddr-1 drop"), std::string::npos) << listing();
    EXPECT_EQ(normalized("ipchains"), normalized("fresh"));
}

TEST_F(NftKernel, StaleBeforeFailsAsOneTransaction)
{
    NftBackend be(table("ipchains"));
    model::Ruleset with_foo = fx::ruleset({"foo"});
    ASSERT_TRUE(be.commit(unread(model::Ruleset::initial()), change_to(with_foo)).ok());
    const std::string state = listing();

    // Another process created `foo` meanwhile: this one's diff adds it again.
    model::Ruleset with_foo_bar = fx::ruleset({"foo", "bar"});
    fx::append(with_foo_bar, "input", fx::rule(model::TargetKind::Deny));
    NftBackend stale(table("ipchains"));
    auto read = stale.read();
    ASSERT_TRUE(read.ok());
    // A snapshot whose ruleset is older than the kernel's, generation unknown (unchecked).
    Snapshot old = *read;
    old.ruleset = model::Ruleset::initial();
    old.generation.reset();
    auto r = stale.commit(old, change_to(with_foo_bar));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, EEXIST);
    EXPECT_EQ(r.error().exit_status, 1);
    EXPECT_NE(r.error().message.find("File exists (creating chain `"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(listing(), state) << "nothing of the failed transaction may remain";

    // ... or deleted `gone` meanwhile: deleting it again fails with ENOENT.
    model::Ruleset with_gone = fx::ruleset({"foo", "gone"});
    // (The snapshot says the kernel had `gone`, as a read before that deletion would have.)
    old.ruleset = with_gone;
    compile::Options opt;
    opt.table_name = "ipchains";
    auto gone_ir = compile::compile(with_gone, opt);
    ASSERT_TRUE(gone_ir.ok());
    old.chains.clear();
    for (const auto& c : gone_ir->chains)
        old.chains.push_back({c.name, c.comment, c.base.has_value()});
    r = stale.commit(old, change_to(with_foo));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ENOENT);
    EXPECT_NE(r.error().message.find("No such file or directory"), std::string::npos);
    EXPECT_NE(r.error().message.find("`gone'"), std::string::npos) << r.error().message;
    EXPECT_EQ(listing(), state);
}

// Without counter reset (kernels before 6.2) -Z rebuilds the zeroed chains in the change's own
// batch: a snapshot someone committed after is refused whole, and the command's second run
// zeroes the chain as the other process left it (docs/design.md "Zeroing counters").
TEST_F(NftKernel, ZeroByRebuildOnAStaleSnapshotIsRefusedThenRunAgain)
{
    ASSERT_EQ(system("ip link set lo up"), 0);
    NftBackend a(table("ipchains"));
    NftBackend b(table("ipchains"));
    a.assume_no_rule_reset();
    model::Rule icmp = fx::with_proto(fx::rule(model::TargetKind::None), 1);
    ASSERT_TRUE(slow(a, append("input", icmp)).ok());
    ASSERT_EQ(system("ping -q -c 2 -i 0.2 -W 1 127.0.0.1 >/dev/null"), 0);

    model::Command zero;
    zero.op = model::Op::Zero;
    zero.chain = "input";
    auto before = a.read();
    ASSERT_TRUE(before.ok()) << before.error().message;
    auto change = engine::make_change(before->ruleset, {zero});
    ASSERT_TRUE(change.ok());
    ASSERT_EQ(change->zeroed.count("input"), 1u);
    // Another process appends to the chain between this one's read and its commit.
    ASSERT_TRUE(slow(b, append("input", fx::rule(model::TargetKind::Deny))).ok());
    const std::string state = listing();

    auto r = a.commit(*before, *change);
    ASSERT_FALSE(r.ok()) << "a rebuild from a stale read went through";
    EXPECT_EQ(r.error().code, ERESTART) << r.error().message;
    EXPECT_EQ(listing(), state) << "the refused batch changed something";

    ASSERT_TRUE(execute_all(a, {zero}).ok());
    auto now = read_rs(a);
    ASSERT_TRUE(now.ok());
    const model::Chain* input = now->find("input");
    ASSERT_NE(input, nullptr);
    ASSERT_EQ(input->rules.size(), 2u) << "the other process's rule was overwritten";
    EXPECT_EQ(input->rules[1].target, model::TargetKind::Deny);
    for (const auto& rule : input->rules) EXPECT_EQ(rule.counters, (model::Counters{0, 0}));
}

// -L -Z without counter reset: the rebuild carries the generation of the read, so rules another
// process appends meanwhile are never dropped by it (the read is repeated instead).
TEST_F(NftKernel, ListAndZeroByRebuildKeepsConcurrentAppends)
{
    NftBackend a(table("ipchains"));
    a.assume_no_rule_reset();
    ASSERT_TRUE(slow(a, append("input", fx::rule(model::TargetKind::None))).ok());
    constexpr int kAppends = 100;
    int appended = 0;
    std::string refused;
    std::atomic<bool> done{false};
    std::thread writer([&] {
        NftBackend b(table("ipchains"));
        for (int i = 0; i < kAppends; ++i) {
            auto r = slow(b, append("input", fx::rule(model::TargetKind::Accept)));
            if (r.ok()) ++appended;
            else refused = r.error().message;
        }
        done = true;
    });
    int listings = 0;
    while (!done) {
        auto listed = read_rs(a, true);
        EXPECT_TRUE(listed.ok() || listed.error().code == ERESTART) << listed.error().message;
        ++listings;
        usleep(500);
    }
    writer.join();
    // Both sides write: a command may give up after its retries (backend::execute), but never
    // half done.
    EXPECT_GT(appended, kAppends / 2) << refused;
    EXPECT_GT(listings, 1);
    auto now = read_rs(a);
    ASSERT_TRUE(now.ok());
    EXPECT_EQ(now->find("input")->rules.size(), static_cast<size_t>(1 + appended))
        << "a -L -Z rebuild put back an older state of the chain";
}

TEST_F(NftKernel, CommitAfterSomeoneElsesCommitIsRefusedThenRunAgain)
{
    NftBackend a(table("ipchains"));
    NftBackend b(table("ipchains"));
    ASSERT_TRUE(slow(a, new_chain("acct")).ok());

    auto before = a.read();
    ASSERT_TRUE(before.ok()) << before.error().message;
    // Another process commits between this one's read and its commit.
    ASSERT_TRUE(slow(b, append("input", fx::rule(model::TargetKind::Deny))).ok());
    const std::string state = listing();

    const auto mine = append("input", fx::rule(model::TargetKind::Accept));
    auto change = engine::make_change(before->ruleset, {mine});
    ASSERT_TRUE(change.ok());
    auto r = a.commit(*before, *change);
    ASSERT_FALSE(r.ok()) << "a diff computed from a stale read went through";
    EXPECT_EQ(r.error().code, ERESTART) << r.error().message;
    EXPECT_EQ(listing(), state) << "the refused batch changed something";

    // execute_all runs the command again on a fresh read: both rules are there.
    ASSERT_TRUE(execute_all(a, {mine}).ok());
    auto now = a.read();
    ASSERT_TRUE(now.ok());
    const model::Chain* input = now->ruleset.find("input");
    ASSERT_NE(input, nullptr);
    ASSERT_EQ(input->rules.size(), 2u);
    EXPECT_EQ(input->rules[0].target, model::TargetKind::Deny);
    EXPECT_EQ(input->rules[1].target, model::TargetKind::Accept);

    // The snapshot, not the backend object, carries what the commit checks: another backend
    // object given the now stale snapshot refuses too, and changes nothing.
    auto more = engine::make_change(now->ruleset, {mine});
    ASSERT_TRUE(more.ok());
    ASSERT_TRUE(slow(b, append("output", fx::rule(model::TargetKind::Deny))).ok());
    const std::string moved = listing();
    NftBackend c(table("ipchains"));
    auto refused = c.commit(*now, *more);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ERESTART) << refused.error().message;
    EXPECT_EQ(listing(), moved);
}

TEST_F(NftKernel, ChainsOfAnOlderLayoutAreRecreated)
{
    // What an earlier version left in the kernel: forward hook without the masqueraded
    // replies rule, nat chain without the ct mark.
    compile::Options opt;
    opt.table_name = "ipchains";
    model::Ruleset masq = model::Ruleset::initial();
    fx::append(masq, "forward", fx::rule(model::TargetKind::Masq));
    auto old = compile::compile(masq, opt);
    ASSERT_TRUE(old.ok());
    for (auto& c : old->chains) {
        if (c.name == "~fwd-hook") {
            c.comment = "ipchains-layout:hook";
            c.rules.erase(c.rules.begin());
        }
        if (c.name == "~nat-out") {
            c.comment = "ipchains-layout:nat";
            c.rules[0].statements = {ir::Masquerade{}};
        }
    }
    ASSERT_TRUE(load_raw(*old));
    ASSERT_EQ(listing().find("ct direction"), std::string::npos);

    NftBackend be(table("ipchains"));
    expect_next_command_converts(be, masq);
    if (HasFatalFailure()) return;
    EXPECT_NE(listing().find("ct direction reply"), std::string::npos);
}

TEST_F(NftKernel, ContinuationsOfAnOlderVersionGetTheirKeys)
{
    // What a version before kept site ids left in the kernel: continuation comments without
    // id and key, no stale stamp rules in the last post chain (docs/design.md "Resume site
    // ids"). The next command recreates them, so that the command after keeps the ids.
    compile::Options opt;
    opt.table_name = "ipchains";
    model::Ruleset diverting = model::Ruleset::initial();
    fx::append(diverting, "input", fx::with_proto(fx::divert(7), 1));
    auto old = compile::compile(diverting, opt);
    ASSERT_TRUE(old.ok());
    for (auto& c : old->chains) {
        if (c.name == "~cont-1") c.comment = "ipchains-layout:cont";
        if (c.name == "~in-post-3") c.rules.pop_back();
    }
    ASSERT_TRUE(load_raw(*old));
    ASSERT_EQ(listing().find("ipchains-layout:cont:"), std::string::npos);

    NftBackend be(table("ipchains"));
    expect_next_command_converts(be, diverting);
    if (HasFatalFailure()) return;
    auto snap = be.read(false);
    ASSERT_TRUE(snap.ok());
    EXPECT_EQ(snap->ruleset.resume_sites.size(), 1u);
    EXPECT_EQ(snap->ruleset.resume_sites.begin()->second, 1u);
}

TEST_F(NftKernel, ConntrackRulesOfAnOlderLayoutGoWithoutMasq)
{
    // What the previous version left for a ruleset without MASQ: the masqueraded-replies rule
    // and ~nat-out, whatever the ruleset. The next command leaves neither (differences.md 1.1).
    compile::Options opt;
    opt.table_name = "ipchains";
    model::Ruleset masq = model::Ruleset::initial();
    fx::append(masq, "forward", fx::rule(model::TargetKind::Masq));
    auto with = compile::compile(masq, opt);
    auto old = compile::compile(model::Ruleset::initial(), opt);
    ASSERT_TRUE(with.ok() && old.ok());
    for (auto& c : old->chains)
        if (c.name == "~fwd-hook") c = *fx::find(*with, "~fwd-hook");
    old->chains.push_back(*fx::find(*with, "~nat-out"));
    ASSERT_TRUE(load_raw(*old));
    ASSERT_NE(listing().find("ct direction"), std::string::npos);

    NftBackend be(table("ipchains"));
    expect_next_command_converts(be, model::Ruleset::initial());
    if (HasFatalFailure()) return;
    EXPECT_EQ(listing().find(" ct "), std::string::npos);
    EXPECT_EQ(listing().find("type nat"), std::string::npos);

    // MASQ and back, through the backend: one commit each way.
    ASSERT_TRUE(slow(be, append("forward", fx::rule(model::TargetKind::Masq))).ok());
    EXPECT_NE(listing().find("ct direction reply"), std::string::npos);
    EXPECT_NE(listing().find("type nat hook postrouting"), std::string::npos);
    ASSERT_TRUE(slow(be, delete_num("forward", 1)).ok());
    EXPECT_EQ(normalized("ipchains"), normalized("fresh"));
    EXPECT_EQ(listing().find("type nat"), std::string::npos);
}

// Before docs/design.md "Chain layout" emitted post chains only where needed, every hook had
// two (deferred REJECT, then "accept unless RESUME"), and every hook chain jumped to a policy
// chain. The next command, even one the append fast path could take, leaves the table a
// fresh build would, in one transaction.
TEST_F(NftKernel, PostAndPolicyChainsOfAnOlderLayoutGo)
{
    compile::Options opt;
    opt.table_name = "ipchains";
    model::Ruleset rs = model::Ruleset::initial();
    fx::append(rs, "output", fx::rule(model::TargetKind::Reject));
    auto old = compile::compile(rs, opt);
    ASSERT_TRUE(old.ok());
    const ir::Chain reject_post = *fx::find(*old, "~out-post-1");
    old->chains.erase(std::remove_if(old->chains.begin(), old->chains.end(),
                                     [](const ir::Chain& c) { return c.role == ir::ChainRole::Post; }),
                      old->chains.end());
    const std::pair<ir::Hook, int> hooks[] = {
        {ir::Hook::Prerouting, -150}, {ir::Hook::Forward, 0}, {ir::Hook::Postrouting, 0}};
    for (const auto& [hook, priority] : hooks) {
        for (int i = 1; i <= 2; ++i) {
            ir::Chain c;
            c.name = compile::post_chain_name(hook, i);
            c.base = ir::BaseChain{hook, priority + i, ir::ChainType::Filter};
            c.comment = "ipchains-layout:post";
            c.role = ir::ChainRole::Post;
            ir::Rule reject = reject_post.rules[0];
            if (hook != ir::Hook::Postrouting) reject.statements = {ir::Reject{ir::Reject::PortUnreach}};
            ir::Rule pass;
            pass.matches.push_back(ir::Mark{compile::kKindMask,
                                            compile::mark_stamp(compile::MarkKind::Resume, 0), true});
            pass.statements.push_back(ir::Verdict{ir::Verdict::Accept, ""});
            c.rules = {reject, pass};
            old->chains.push_back(c);
        }
    }
    std::vector<ir::Chain> policies;
    for (auto& c : old->chains) {
        if (c.role != ir::ChainRole::Hook) continue;
        const std::string builtin = c.name == "~in-hook" ? "input" : c.name == "~fwd-hook" ? "forward" : "output";
        ir::Chain p;
        p.name = "~" + builtin + "-policy";
        p.comment = "ipchains-layout:policy";
        p.role = ir::ChainRole::Policy;
        p.rules = {c.rules.back()};
        policies.push_back(p);
        c.comment = "ipchains-layout:hook";
        c.rules.back() = ir::Rule{};
        c.rules.back().statements.push_back(ir::Verdict{ir::Verdict::Jump, p.name});
    }
    old->chains.insert(old->chains.begin(), policies.begin(), policies.end());
    ASSERT_TRUE(load_raw(*old));
    ASSERT_NE(listing().find("~fwd-post-2"), std::string::npos);
    ASSERT_NE(listing().find("jump ~forward-policy"), std::string::npos);

    // An append the fast path could take, were it not for the older layout.
    NftBackend be(table("ipchains"));
    model::Rule accept = fx::rule(model::TargetKind::Accept);
    ASSERT_TRUE(execute(be, append("input", accept)).ok());
    model::Ruleset want = rs;
    fx::append(want, "input", accept);
    NftBackend fresh(table("fresh"));
    ASSERT_TRUE(fresh.commit(unread(model::Ruleset::initial()), change_to(want)).ok());
    EXPECT_EQ(normalized("ipchains"), normalized("fresh"));
    // Only the output hook rejects: its one post chain is the only one left.
    const std::string now = listing();
    EXPECT_NE(now.find("~out-post-1"), std::string::npos);
    for (const char* gone : {"~in-post-", "~fwd-post-", "~out-post-2", "chain ~input-policy",
                             "chain ~forward-policy", "chain ~output-policy", "jump ~"})
        EXPECT_EQ(now.find(gone), std::string::npos) << gone;
    // The policies are the hook chains' own now: the old counter objects went with the rest.
    EXPECT_EQ(now.find("counter forward-policy"), std::string::npos) << now;
    EXPECT_NE(now.find("type filter hook forward priority filter; policy accept;"),
              std::string::npos) << now;
    auto got = read_rs(be);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, want);
}

// The previous layout put every built-in chain behind a hook chain that held its policy and
// counters and `goto`ed it. A built-in chain with nothing of the layout before it is its own
// base chain now; the next full commit converts the table in one transaction, and the
// policies' counts move into the built-in chains (docs/design.md "Chain layout").
TEST_F(NftKernel, HookChainsOfThePreviousLayoutGiveWayToBuiltinBaseChains)
{
    compile::Options opt;
    opt.table_name = "ipchains";
    opt.base_chain_policy = true;
    model::Ruleset rs = model::Ruleset::initial();
    rs.find("forward")->policy = model::Policy::Deny;
    fx::append(rs, "forward", fx::rule(model::TargetKind::Accept));
    uint64_t n = 1;
    for (auto& c : rs.chains) c.policy_counters = {n, 100 * n}, ++n;
    auto old = compile::compile(rs, opt);
    ASSERT_TRUE(old.ok());
    std::vector<ir::Chain> hooks;
    for (auto& c : old->chains) {
        if (!c.base || c.role != ir::ChainRole::Ipchains) continue;
        ir::Chain h;
        h.name = compile::hook_chain_name(c.name);
        h.comment = "ipchains-layout:hook:base-policy";
        h.role = ir::ChainRole::Hook;
        h.base = c.base;
        c.base.reset();
        if (!c.rules.empty()) {
            h.rules.emplace_back();
            h.rules.back().statements.push_back(ir::Verdict{ir::Verdict::Goto, c.name});
        }
        hooks.push_back(h);
    }
    ASSERT_EQ(hooks.size(), 3u);
    old->chains.insert(old->chains.end(), hooks.begin(), hooks.end());
    ASSERT_TRUE(load_raw(*old));
    ASSERT_NE(listing().find("goto forward"), std::string::npos);

    NftBackend be(table("ipchains"));
    auto before = read_rs(be);
    ASSERT_TRUE(before.ok()) << before.error().message;
    EXPECT_EQ(*before, rs);
    for (const auto& c : rs.chains)
        EXPECT_EQ(before->find(c.name)->policy_counters, c.policy_counters) << c.name;

    model::Rule deny = fx::rule(model::TargetKind::Deny);
    ASSERT_TRUE(slow(be, append("input", deny)).ok());
    model::Ruleset want = rs;
    fx::append(want, "input", deny);
    NftBackend fresh(table("fresh"));
    ASSERT_TRUE(fresh.commit(unread(model::Ruleset::initial()), change_to(want)).ok());
    EXPECT_EQ(normalized("ipchains"), normalized("fresh"));
    const std::string now = listing();
    for (const char* gone : {"~in-hook", "~fwd-hook", "~out-hook", "goto"})
        EXPECT_EQ(now.find(gone), std::string::npos) << gone << "\n" << now;
    EXPECT_NE(now.find("type filter hook forward priority filter; policy drop;"),
              std::string::npos) << now;
    auto got = read_rs(be);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(*got, want);
    for (const auto& c : rs.chains)
        EXPECT_EQ(got->find(c.name)->policy_counters, c.policy_counters) << c.name;
}

// Counter reset needs NFT_MSG_GETRULE_RESET (6.2) and NFT_MSG_GETSETELEM_RESET (6.5): the
// probe agrees with the running kernel's version, with and without our table, and creates
// nothing.
TEST_F(NftKernel, CounterResetProbeMatchesTheKernelVersion)
{
    utsname u{};
    ASSERT_EQ(uname(&u), 0);
    int major = 0, minor = 0;
    ASSERT_EQ(sscanf(u.release, "%d.%d", &major, &minor), 2) << u.release;
    const bool expected = major > 6 || (major == 6 && minor >= 5);
    auto nl = Netlink::open();
    ASSERT_TRUE(nl.ok());
    auto without_table = probe_counter_reset(**nl, "ipchains");
    ASSERT_TRUE(without_table.ok()) << without_table.error().message;
    EXPECT_EQ(*without_table, expected) << u.release;
    EXPECT_EQ(run("nft list ruleset"), "");

    NftBackend be(table("ipchains"));
    ASSERT_TRUE(slow(be, append("input", fx::rule(model::TargetKind::Accept))).ok());
    const std::string state = listing();
    auto with_table = probe_counter_reset(**nl, "ipchains");
    ASSERT_TRUE(with_table.ok()) << with_table.error().message;
    EXPECT_EQ(*with_table, expected) << u.release;
    EXPECT_EQ(listing(), state);
}

TEST_F(NftKernel, NotRootIsPermissionDenied)
{
    NftBackend be(table("ipchains"));
    ASSERT_TRUE(
        be.commit(unread(model::Ruleset::initial()), change_to(fx::ruleset({"foo"}))).ok());
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) _exit(10);
        NftBackend user(table("ipchains"));
        auto rs = read_rs(user);
        if (rs.ok()) _exit(11);
        if (rs.error().code != EPERM) _exit(12);
        if (rs.error().message != "Permission denied (you must be root)") _exit(13);
        auto c = user.commit(unread(model::Ruleset::initial()), change_to(fx::ruleset({"bar"})));
        if (c.ok() || c.error().message != "Permission denied (you must be root)") _exit(14);
        auto f = user.append_fast("input", {fx::rule(model::TargetKind::Accept)});
        if (f.ok() || f.error().message != "Permission denied (you must be root)") _exit(15);
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "see the _exit codes in the child";
}

TEST_F(NftKernel, QueueProbeLeavesNothingBehind)
{
    auto nl = Netlink::open();
    ASSERT_TRUE(nl.ok());
    auto has = kernel_has_nft_queue(**nl);
    ASSERT_TRUE(has.ok()) << has.error().message;
    EXPECT_EQ(run("nft list ruleset"), "");

    NftBackend be(table("ipchains"));
    std::string d = be.describe();
    if (*has)
        EXPECT_EQ(d, "nftables (table ip ipchains); DIVERT via native nft queue");
    else
        EXPECT_EQ(d, "nftables (table ip ipchains); DIVERT via xt NFQUEUE (nft_compat): "
                     "kernel has no nft_queue");
    EXPECT_EQ(run("nft list ruleset"), "");
}

TEST_F(NftKernel, DivertThroughXtNfqueue)
{
    setenv("IPCHAINS_DIVERT_NFT_QUEUE", "compat", 1);
    NftBackend be(table("ipchains"));
    EXPECT_EQ(be.describe(), "nftables (table ip ipchains); DIVERT via xt NFQUEUE (nft_compat): "
                             "forced by IPCHAINS_DIVERT_NFT_QUEUE=compat");
    ASSERT_TRUE(slow(be, append("input", fx::with_proto(fx::divert(1234), 17))).ok());
    EXPECT_NE(listing().find(" queue num 1234 "), std::string::npos) << listing();
    auto back = read_rs(be);
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(back->find("input")->rules.size(), 1u);
    EXPECT_EQ(back->find("input")->rules[0].target, model::TargetKind::Divert);
}

TEST_F(NftKernel, DivertThroughNativeQueue)
{
    auto nl = Netlink::open();
    ASSERT_TRUE(nl.ok());
    auto has = kernel_has_nft_queue(**nl);
    ASSERT_TRUE(has.ok());
    setenv("IPCHAINS_DIVERT_NFT_QUEUE", "native", 1);
    NftBackend be(table("ipchains"));
    EXPECT_EQ(be.describe(), "nftables (table ip ipchains); DIVERT via native nft queue: "
                             "forced by IPCHAINS_DIVERT_NFT_QUEUE=native");
    auto r = slow(be, append("input", fx::with_proto(fx::divert(1234), 17)));
    if (*has) {
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_NE(listing().find(" queue num 1234 "), std::string::npos);
    } else {
        // This kernel has no nft_queue: a clear error, and nothing committed.
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ENOENT);
        EXPECT_NE(r.error().message.find("the kernel has no nft_queue (forced by "
                                         "IPCHAINS_DIVERT_NFT_QUEUE=native)"),
                  std::string::npos)
            << r.error().message;
        EXPECT_EQ(listing(), "");
    }
}

TEST_F(NftKernel, TableNameFromTheEnvironment)
{
    setenv("IPCHAINS_DIVERT_TABLE", "other", 1);
    Config cfg = config_from_env();
    EXPECT_EQ(cfg.table, "other");
    NftBackend be(cfg);
    ASSERT_TRUE(slow(be, append("input", fx::rule(model::TargetKind::Accept))).ok());
    EXPECT_EQ(listing("ipchains"), "");
    EXPECT_NE(listing("other"), "");
}

}  // namespace
}  // namespace ipchains::backend::nft

int main(int argc, char** argv)
{
    ::testing::InitGoogleTest(&argc, argv);
    if (geteuid() != 0) {
        fprintf(stderr, "nft_kernel_test must run as root (network namespaces, nf_tables)\n");
        return 1;
    }
    if (system("command -v nft >/dev/null") != 0) {
        fprintf(stderr, "nft_kernel_test needs the nft program (listings are compared)\n");
        return 1;
    }
    // Feature checks in a throw-away child: network namespaces, then nf_tables in one.
    pid_t pid = fork();
    if (pid == 0) {
        if (unshare(CLONE_NEWNET) != 0) _exit(77);
        _exit(system("nft list ruleset >/dev/null 2>&1") == 0 ? 0 : 78);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        fprintf(stderr, "SKIP: this kernel has no network namespaces\n");
        return 77;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 78) {
        fprintf(stderr, "SKIP: this kernel has no nf_tables\n");
        return 77;
    }
    return RUN_ALL_TESTS();
}
