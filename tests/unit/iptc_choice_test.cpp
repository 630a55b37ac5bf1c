// The backend choice: explicit settings, the config file syntax, and auto's order of reasons.
#include <gtest/gtest.h>

#include "backend/choice/choice.h"

using namespace ipchains::backend::choice;

namespace {

std::function<HostFacts()> facts(HostFacts f)
{
    return [f] { return f; };
}

}  // namespace

TEST(IptcChoice, ExplicitSettingsNeedNoProbe)
{
    auto never = [] () -> HostFacts { ADD_FAILURE() << "probed"; return {}; };
    auto c = decide("legacy", "IPCHAINS_DIVERT_BACKEND", never);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->kind, BackendKind::Legacy);
    EXPECT_EQ(c->reason, "IPCHAINS_DIVERT_BACKEND=legacy");
    EXPECT_EQ(decide("nft", "x", never)->kind, BackendKind::Nft);
    auto bad = decide("iptables", "IPCHAINS_DIVERT_BACKEND", never);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "IPCHAINS_DIVERT_BACKEND=iptables: unknown backend (nft, legacy or auto)");
}

TEST(IptcChoice, AutoPrefersWhereOurRulesAre)
{
    HostFacts f;
    f.nft_available = true;
    f.legacy_available = true;
    EXPECT_EQ(decide("auto", "auto", facts(f))->kind, BackendKind::Nft);

    f.legacy_has_ours = true;
    f.nft_has_ours = true;
    auto c = decide("auto", "auto", facts(f));
    EXPECT_EQ(c->kind, BackendKind::Legacy);
    EXPECT_EQ(c->reason, "auto: our rules are in legacy iptables");

    f.legacy_has_ours = false;
    EXPECT_EQ(decide("auto", "auto", facts(f))->kind, BackendKind::Nft);
}

TEST(IptcChoice, AutoLegacyWhenHostIsLegacyWithRulesOrNoNftables)
{
    HostFacts f;
    f.legacy_available = true;
    f.nft_available = true;
    f.legacy_foreign = 4;
    EXPECT_EQ(decide("auto", "auto", facts(f))->kind, BackendKind::Nft);  // iptables is nft
    f.iptables_is_legacy = true;
    auto c = decide("auto", "auto", facts(f));
    EXPECT_EQ(c->kind, BackendKind::Legacy);
    EXPECT_EQ(c->reason, "auto: this host's iptables is legacy and holds 4 rules");
    f.legacy_foreign = 0;
    EXPECT_EQ(decide("auto", "auto", facts(f))->kind, BackendKind::Nft);
    f.nft_available = false;
    EXPECT_EQ(decide("", "auto", facts(f))->reason, "auto: the kernel has no nf_tables");
}

TEST(IptcChoice, ConfigFile)
{
    auto read = config_settings("# comment\n\nbackend = legacy  # why\n", "/c");
    ASSERT_TRUE(read);
    EXPECT_EQ(read->backend, "legacy");
    EXPECT_EQ(read->empty_chains, "");
    EXPECT_EQ(config_settings("", "/c")->backend, "");
    EXPECT_EQ(config_settings("empty-chains=unhooked\n", "/c")->empty_chains, "unhooked");
    for (const char* text : {"backend legacy\n", "empty_chains = unhooked\n"}) {
        auto bad = config_settings(text, "/etc/ipchains-divert.conf");
        ASSERT_FALSE(bad) << text;
        EXPECT_EQ(bad.error().message,
                  "/etc/ipchains-divert.conf:1: expected `backend = auto|nft|legacy' or "
                  "`empty-chains = hooked|unhooked'");
    }
}

TEST(IptcChoice, EmptyChainsSetting)
{
    EXPECT_FALSE(*empty_chains_unhooked("", "IPCHAINS_DIVERT_EMPTY_CHAINS"));
    EXPECT_FALSE(*empty_chains_unhooked("hooked", "IPCHAINS_DIVERT_EMPTY_CHAINS"));
    EXPECT_TRUE(*empty_chains_unhooked("unhooked", "IPCHAINS_DIVERT_EMPTY_CHAINS"));
    auto bad = empty_chains_unhooked("Unhooked", "/c: empty-chains");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message,
              "/c: empty-chains=Unhooked: unknown value for empty chains (hooked or unhooked)");
}
