#include "backend/choice/choice.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "backend/iptc/iptc_backend.h"
#include "backend/nft/nft_backend.h"

namespace ipchains::backend::choice {

namespace {

constexpr const char* kDefaultConfig = "/etc/ipchains-divert.conf";

std::string trim(const std::string& s)
{
    const char* ws = " \t\r\n";
    size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

bool iptables_is_legacy()
{
    for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"}) {
        std::string path = std::string(dir) + "iptables";
        char real[PATH_MAX];
        if (realpath(path.c_str(), real) == nullptr) continue;
        return std::string(real).find("legacy") != std::string::npos;
    }
    return false;
}

}  // namespace

HostFacts probe_host(const std::string& table_name)
{
    HostFacts f;
    const LegacyPresence legacy = probe_legacy(table_name);
    f.legacy_available = legacy.available;
    f.legacy_has_ours = legacy.has_ours;
    f.legacy_foreign = legacy.foreign;
    const nft::NftPresence nft = nft::probe_nft(table_name);
    f.nft_available = nft.available;
    f.nft_has_ours = nft.has_ours;
    f.iptables_is_legacy = iptables_is_legacy();
    return f;
}

Result<Choice> decide(const std::string& setting, const std::string& origin,
                      const std::function<HostFacts()>& facts)
{
    if (setting == "nft") return Choice{BackendKind::Nft, origin + "=nft"};
    if (setting == "legacy") return Choice{BackendKind::Legacy, origin + "=legacy"};
    if (setting != "auto" && !setting.empty())
        return Error::kernel(EINVAL, origin + "=" + setting +
                                         ": unknown backend (nft, legacy or auto)");
    const HostFacts f = facts();
    auto legacy = [](std::string why) { return Choice{BackendKind::Legacy, "auto: " + why}; };
    auto nft = [](std::string why) { return Choice{BackendKind::Nft, "auto: " + why}; };
    if (f.legacy_has_ours) return legacy("our rules are in legacy iptables");
    if (f.nft_has_ours) return nft("our rules are in nftables");
    if (!f.nft_available && f.legacy_available) return legacy("the kernel has no nf_tables");
    if (f.iptables_is_legacy && f.legacy_foreign > 0)
        return legacy("this host's iptables is legacy and holds " +
                      std::to_string(f.legacy_foreign) + " rules");
    if (f.legacy_foreign > 0) return nft("legacy tables hold rules, but iptables here is nft");
    return nft("nftables is available");
}

Result<ConfigSettings> config_settings(const std::string& text, const std::string& path)
{
    std::istringstream in(text);
    ConfigSettings settings;
    int n = 0;
    for (std::string line; std::getline(in, line);) {
        ++n;
        line = trim(line.substr(0, line.find('#')));
        if (line.empty()) continue;
        size_t eq = line.find('=');
        const std::string key = eq == std::string::npos ? "" : trim(line.substr(0, eq));
        std::string* value = key == "backend"        ? &settings.backend
                             : key == "empty-chains" ? &settings.empty_chains
                                                     : nullptr;
        if (value == nullptr)
            return Error::kernel(EINVAL, path + ":" + std::to_string(n) +
                                             ": expected `backend = auto|nft|legacy' or "
                                             "`empty-chains = hooked|unhooked'");
        *value = trim(line.substr(eq + 1));
    }
    return settings;
}

Result<bool> empty_chains_unhooked(const std::string& setting, const std::string& origin)
{
    if (setting.empty() || setting == "hooked") return false;
    if (setting == "unhooked") return true;
    return Error::kernel(EINVAL, origin + "=" + setting +
                                     ": unknown value for empty chains (hooked or unhooked)");
}

namespace {

class Described : public Backend {
public:
    Described(std::unique_ptr<Backend> inner, std::string reason)
        : inner_(std::move(inner)), reason_(std::move(reason))
    {
    }
    Result<Snapshot> read(bool zero) override { return inner_->read(zero); }
    Result<void> commit(const Snapshot& before, const model::Change& change) override
    {
        return inner_->commit(before, change);
    }
    Result<bool> append_fast(const std::string& c, const std::vector<model::Rule>& r) override
    {
        return inner_->append_fast(c, r);
    }
    Result<bool> policy_fast(const std::string& c, model::Policy p) override
    {
        return inner_->policy_fast(c, p);
    }
    std::string describe() override { return inner_->describe() + "; chosen by " + reason_; }

private:
    std::unique_ptr<Backend> inner_;
    std::string reason_;
};

}  // namespace

std::unique_ptr<Backend> with_reason(std::unique_ptr<Backend> inner, std::string reason)
{
    return std::unique_ptr<Backend>(new Described(std::move(inner), std::move(reason)));
}

Result<Choice> choose_backend(const std::string& table_name)
{
    ConfigSettings file;
    const char* cfg = getenv("IPCHAINS_DIVERT_CONF");
    const std::string path = cfg && *cfg ? cfg : kDefaultConfig;
    std::ifstream f(path);
    if (f.good()) {
        std::stringstream text;
        text << f.rdbuf();
        auto read = config_settings(text.str(), path);
        if (!read) return read.error();
        file = *read;
    }
    // Each setting from the environment when set there, else from the file.
    auto pick = [&](const char* env, const std::string& in_file, const char* key) {
        if (const char* e = getenv(env); e && *e)
            return std::make_pair(std::string(e), std::string(env));
        return std::make_pair(in_file, path + ": " + key);
    };
    auto [empty_chains, empty_origin] = pick("IPCHAINS_DIVERT_EMPTY_CHAINS", file.empty_chains,
                                             "empty-chains");
    auto unhook = empty_chains_unhooked(empty_chains, empty_origin);
    if (!unhook) return unhook.error();
    auto [backend, backend_origin] = pick("IPCHAINS_DIVERT_BACKEND", file.backend, "backend");
    auto facts = [&] { return probe_host(table_name); };
    auto choice = decide(backend, backend_origin, facts);  // "" (set nowhere) is auto
    if (!choice) return choice.error();
    choice->unhook_empty_chains = *unhook;
    return choice;
}

}  // namespace ipchains::backend::choice
