// read's model rebuilding without a kernel: a compiled table is turned into what the kernel
// dumps would return for it, and rebuild_model must give the ruleset back.
#include <gtest/gtest.h>

#include <cerrno>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>

#include <algorithm>
#include <map>

#include "backend/common/read_model.h"
#include "backend/nft/batch.h"
#include "backend/nft/commit_plan.h"
#include "backend/nft/dump.h"
#include "compile/compile.h"
#include "compile_fixtures.h"
#include "parse/parser.h"

namespace ipchains::backend::nft {
namespace {

using common::rebuild_model;

// What the kernel holds after the transaction that creates `t` from nothing: the batch
// plan_commit builds is parsed back message by message, as dump_* parse the kernel's answers.
KernelState as_kernel(const ir::Table& t)
{
    Batch batch(1);
    plan_commit(batch, nullptr, t, QueueImpl::Compat);
    batch.close();
    KernelState k;
    k.table_exists = true;
    int remaining = static_cast<int>(batch.size());
    for (auto* nlh = static_cast<const nlmsghdr*>(batch.data()); mnl_nlmsg_ok(nlh, remaining);
         nlh = mnl_nlmsg_next(nlh, &remaining)) {
        switch (nlh->nlmsg_type & 0xff) {
        case NFT_MSG_NEWCHAIN: {
            KernelChain c;
            EXPECT_TRUE(chain_from_msg(nlh, t.name, c));
            k.chains.push_back(c);
            break;
        }
        case NFT_MSG_NEWRULE: {
            KernelRule r;
            EXPECT_TRUE(rule_from_msg(nlh, t.name, r));
            k.rules.push_back(r);
            break;
        }
        case NFT_MSG_NEWOBJ: {
            KernelCounter c;
            EXPECT_TRUE(counter_from_msg(nlh, t.name, c));
            k.counters.push_back(c);
            break;
        }
        default:
            break;
        }
    }
    // The kernel dumps rules chain by chain.
    std::stable_sort(k.rules.begin(), k.rules.end(), [&](const KernelRule& a, const KernelRule& b) {
        auto pos = [&](const std::string& n) {
            for (size_t i = 0; i < k.chains.size(); ++i)
                if (k.chains[i].name == n) return i;
            return k.chains.size();
        };
        return pos(a.chain) < pos(b.chain);
    });
    return k;
}

void expect_same_counters(const model::Ruleset& want, const model::Ruleset& got)
{
    ASSERT_EQ(want.chains.size(), got.chains.size());
    for (size_t i = 0; i < want.chains.size(); ++i) {
        const auto& a = want.chains[i];
        const auto& b = got.chains[i];
        EXPECT_EQ(a.policy_counters, b.policy_counters) << a.name;
        ASSERT_EQ(a.rules.size(), b.rules.size()) << a.name;
        for (size_t j = 0; j < a.rules.size(); ++j)
            EXPECT_EQ(a.rules[j].counters, b.rules[j].counters) << a.name << " rule " << j + 1;
    }
}

TEST(NftReadModel, NoTableIsAFreshBoot)
{
    auto rs = rebuild_model(KernelState{}, "ipchains");
    ASSERT_TRUE(rs.ok());
    EXPECT_EQ(*rs, model::Ruleset::initial());
}

TEST(NftReadModel, RichRulesetRoundTrips)
{
    model::Ruleset rs = fx::rich_ruleset();
    rs.divert_passthrough = true;
    auto t = compile::compile(rs);
    ASSERT_TRUE(t.ok()) << t.error().message;
    auto back = rebuild_model(as_kernel(*t), "ipchains");
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, rs);
    EXPECT_TRUE(back->divert_passthrough);
    // The resume site ids come back, so that the next command keeps them.
    const auto sites = fx::resume_sites(*t);
    EXPECT_EQ(sites.size(), 4u);
    EXPECT_EQ(back->resume_sites, sites);
}

TEST(NftReadModel, UserChainsKeepTheirCreationOrder)
{
    model::Ruleset rs = fx::ruleset({"zeta", "alpha", "mid"});
    fx::append(rs, "alpha", fx::jump("zeta"));
    fx::append(rs, "input", fx::jump("alpha"));
    auto t = compile::compile(rs);
    ASSERT_TRUE(t.ok());
    // The kernel lists chains in its own creation order, which need not be ours.
    KernelState k = as_kernel(*t);
    std::reverse(k.chains.begin(), k.chains.end());
    auto back = rebuild_model(k, "ipchains");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, rs);
}

// A tag that says "*" leaves the policy to the base chain that holds it: the built-in chain
// itself (input, forward), or its hook chain when something of the layout comes first (the
// masqueraded-replies rule that MASQ brings to forward).
TEST(NftReadModel, PolicyHeldByABaseChainComesFromIt)
{
    compile::Options opt;
    opt.base_chain_policy = true;
    for (bool masq : {false, true}) {
        model::Ruleset rs = model::Ruleset::initial();
        rs.find("input")->policy = model::Policy::Deny;
        rs.find("forward")->policy = model::Policy::Deny;
        fx::append(rs, "forward", fx::rule(masq ? model::TargetKind::Masq
                                                : model::TargetKind::Accept));
        auto t = compile::compile(rs, opt);
        ASSERT_TRUE(t.ok()) << t.error().message;
        ASSERT_EQ(fx::find(*t, "~fwd-hook") != nullptr, masq);
        for (const char* builtin : {"input", "forward", "output"})
            EXPECT_TRUE(compile::parse_chain_comment(fx::find(*t, builtin)->comment)
                            ->policy_in_base)
                << builtin;
        auto back = rebuild_model(as_kernel(*t), "ipchains");
        ASSERT_TRUE(back.ok()) << back.error().message;
        EXPECT_EQ(*back, rs) << (masq ? "behind the hook chain" : "the chain's own");
    }
}

TEST(NftReadModel, CountersComeBack)
{
    model::Ruleset rs = fx::rich_ruleset();
    uint64_t n = 1;
    for (auto& c : rs.chains) {
        if (c.builtin()) c.policy_counters = {n * 1000, n * 100000};
        for (auto& r : c.rules) {
            r.counters = {n, n * 60};
            ++n;
        }
    }
    auto t = compile::compile(rs);
    ASSERT_TRUE(t.ok());
    auto back = rebuild_model(as_kernel(*t), "ipchains");
    ASSERT_TRUE(back.ok());
    expect_same_counters(rs, *back);
}

TEST(NftReadModel, RuleCountersAddUpOverInstances)
{
    // A chain reached from two hooks is compiled twice; each copy counts its own packets.
    model::Ruleset rs = fx::ruleset({"both"});
    fx::append(rs, "input", fx::jump("both"));
    fx::append(rs, "output", fx::jump("both"));
    fx::append(rs, "both", fx::rule(model::TargetKind::Accept));
    auto t = compile::compile(rs);
    ASSERT_TRUE(t.ok());
    KernelState k = as_kernel(*t);
    // Copies other than the primary start at zero whatever the model said.
    int copies = 0;
    for (const auto& r : k.rules)
        if (!r.comment.empty() && r.chain.rfind("both@", 0) == 0) {
            EXPECT_EQ(r.packets, 0u);
            ++copies;
        }
    EXPECT_EQ(copies, 1);
    copies = 0;
    for (auto& r : k.rules) {
        if (r.comment.empty() || r.chain.rfind("both", 0) != 0) continue;
        r.packets = 10;
        r.bytes = 1000;
        ++copies;
    }
    ASSERT_EQ(copies, 2);
    auto back = rebuild_model(k, "ipchains");
    ASSERT_TRUE(back.ok());
    const model::Chain* both = back->find("both");
    ASSERT_NE(both, nullptr);
    ASSERT_EQ(both->rules.size(), 1u);
    EXPECT_EQ(both->rules[0].counters, (model::Counters{20, 2000}));
}

TEST(NftReadModel, ForeignChainsAndRulesAreIgnored)
{
    model::Ruleset rs = fx::rich_ruleset();
    auto t = compile::compile(rs);
    ASSERT_TRUE(t.ok());
    KernelState k = as_kernel(*t);
    k.chains.push_back(KernelChain{"added-by-hand", "", false});
    k.rules.push_back(KernelRule{"added-by-hand", "", 5, 5});
    k.rules.push_back(KernelRule{"~in-hook", "", 5, 5});
    auto back = rebuild_model(k, "ipchains");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, rs);
}

TEST(NftReadModel, UnreadableRuleCommentFailsLikeABadProcFormat)
{
    model::Ruleset rs = fx::ruleset();
    fx::append(rs, "input", fx::rule(model::TargetKind::Accept));
    auto t = compile::compile(rs);
    ASSERT_TRUE(t.ok());
    KernelState k = as_kernel(*t);
    for (auto& r : k.rules)
        if (!r.comment.empty()) r.comment = "-A input --no-such-option";
    auto back = rebuild_model(k, "ipchains");
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.error().exit_status, 3);
    EXPECT_EQ(back.error().code, EINVAL);
    EXPECT_NE(back.error().message.find("table ip ipchains: cannot read rule"),
              std::string::npos);
}

// docs/design.md "Table format": a table whose built-in chains may say "*" holds `~format-2`.
// An older reader takes its tag for a user chain's and fails on its rule, which is no save
// line; this reader skips it, and refuses a table of a later format.
TEST(NftReadModel, TableFormatChainStopsReadersOfAnotherFormat)
{
    compile::Options opt;
    opt.base_chain_policy = true;
    auto t = compile::compile(model::Ruleset::initial(), opt);
    ASSERT_TRUE(t.ok()) << t.error().message;
    const ir::Chain* format = fx::find(*t, "~format-2");
    ASSERT_NE(format, nullptr);
    auto tag = compile::parse_chain_comment(format->comment);
    ASSERT_TRUE(tag.has_value());
    EXPECT_FALSE(tag->builtin()) << "every version reads a user chain's tag";
    ASSERT_EQ(format->rules.size(), 1u);
    parse::ParseOptions popt;
    popt.restore_line = true;
    EXPECT_FALSE(parse::parse_command(parse::split_words(format->rules[0].comment), popt).ok());
    EXPECT_EQ(fx::find(*compile::compile(model::Ruleset::initial()), "~format-2"), nullptr)
        << "no format chain where no tag says \"*\"";

    KernelState k = as_kernel(*t);
    auto back = rebuild_model(k, "ipchains");
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, model::Ruleset::initial());
    for (auto& c : k.chains)
        if (c.name == "~format-2") c.comment = "ipchains:0:0:0:in:-:~format-3";
    back = rebuild_model(k, "ipchains");
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.error().exit_status, 3);
    EXPECT_EQ(back.error().message,
              "table ip ipchains: written by a newer ipchains-divert (table format 3, this "
              "version reads 2)");
}

}  // namespace
}  // namespace ipchains::backend::nft
