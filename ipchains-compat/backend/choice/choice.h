// Which kernel interface runs the commands, and why (docs/backends.md "Choosing").
//   IPCHAINS_DIVERT_BACKEND=nft|legacy|auto   per command (environment), wins over
//   /etc/ipchains-divert.conf           `backend = auto|nft|legacy` (IPCHAINS_DIVERT_CONF moves it),
//   auto (the default): where our rules already are; else legacy when the kernel has no
//   nf_tables, or when the host's iptables is the legacy one and holds rules; else nft.
// The reason ends up in describe(), so `ipchains --status` shows it. The same two places say
// whether the nft backend hooks empty ACCEPT chains (docs/backends.md "Empty chains"):
//   IPCHAINS_DIVERT_EMPTY_CHAINS=hooked|unhooked, `empty-chains = hooked|unhooked`.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "backend/backend.h"
#include "core/result.h"

// This module sits above the backends: it asks each whether our rules are there
// (nft::probe_nft, probe_legacy) and builds the one it picks; no backend knows the others.
namespace ipchains::backend::choice {

enum class BackendKind { Nft, Legacy };

struct Choice {
    BackendKind kind = BackendKind::Nft;
    std::string reason;   // "IPCHAINS_DIVERT_BACKEND=legacy", "auto: ...", ...
    bool unhook_empty_chains = false;  // `empty-chains = unhooked` (nft only)
};

// What auto looks at; probe_host() fills it from the running system, tests by hand.
struct HostFacts {
    bool legacy_available = false;   // the kernel has x_tables ip_tables (legacy iptables)
    bool legacy_has_ours = false;    // our chains are in legacy mangle
    size_t legacy_foreign = 0;       // rules/chains of other programs in legacy tables
    bool nft_available = false;      // nf_tables answers
    bool nft_has_ours = false;       // table ip <name> exists
    bool iptables_is_legacy = false; // `iptables` on this host is iptables-legacy
};

HostFacts probe_host(const std::string& table_name);

// `setting` is "auto", "nft" or "legacy" (anything else fails, EINVAL, naming `origin`).
Result<Choice> decide(const std::string& setting, const std::string& origin,
                      const std::function<HostFacts()>& facts);

// The values of a config file's text, each "" when absent.
struct ConfigSettings {
    std::string backend;       // `backend = ...`
    std::string empty_chains;  // `empty-chains = ...`
};
Result<ConfigSettings> config_settings(const std::string& text, const std::string& path);

// `setting` is "hooked" (or "", the default) or "unhooked"; anything else fails, EINVAL,
// naming `origin`.
Result<bool> empty_chains_unhooked(const std::string& setting, const std::string& origin);

// The whole policy: environment, then the config file, then auto.
Result<Choice> choose_backend(const std::string& table_name);

// `inner` whose describe() ends with "; chosen by <reason>" (for backends that do not take
// the reason themselves).
std::unique_ptr<Backend> with_reason(std::unique_ptr<Backend> inner, std::string reason);

}  // namespace ipchains::backend::choice
