// backend::open_backend: which kernel interface runs the commands. IPCHAINS_DIVERT_BACKEND (or
// /etc/ipchains-divert.conf) picks one (nft, legacy) or leaves the choice to us (auto).
#include <cerrno>
#include <string>

#include "backend/backend.h"
#include "backend/choice/choice.h"
#include "backend/iptc/iptc_backend.h"
#include "backend/nft/nft_backend.h"

namespace ipchains::backend {

Result<std::unique_ptr<Backend>> open_backend()
{
    // The policy (environment, /etc/ipchains-divert.conf, auto) lives in choice/choice.h.
    auto picked = choice::choose_backend(nft::config_from_env().table);
    if (!picked) return picked.error();
    if (picked->kind == choice::BackendKind::Legacy) {
        std::string why;
        if (!iptc_usable(&why)) return Error::kernel(ENOSYS, why);
        return make_iptc_backend(picked->reason);
    }
    nft::Config cfg = nft::config_from_env();
    cfg.unhook_empty_chains = picked->unhook_empty_chains;
    return choice::with_reason(std::unique_ptr<Backend>(new nft::NftBackend(cfg)), picked->reason);
}

}  // namespace ipchains::backend
