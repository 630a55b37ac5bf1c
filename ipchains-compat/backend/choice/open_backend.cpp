// backend::open_backend: which kernel interface runs the commands. IPCHAINS_DIVERT_BACKEND (or
// /etc/ipchains-divert.conf) picks one (nft, legacy) or leaves the choice to us (auto).
#include <cerrno>
#include <cstdlib>
#include <string>

#include "backend/backend.h"
#include "backend/iptc/choice.h"
#include "backend/iptc/iptc_backend.h"
#include "backend/nft/nft_backend.h"

namespace ipchains::backend {

Result<std::unique_ptr<Backend>> open_backend()
{
    // The policy (environment, /etc/ipchains-divert.conf, auto) lives in backend/iptc/choice.h.
    auto choice = iptc::choose_backend(nft::config_from_env().table);
    if (!choice) return choice.error();
    if (choice->kind == iptc::BackendKind::Legacy) {
        std::string why;
        if (!iptc_usable(&why)) return Error::kernel(ENOSYS, why);
        return make_iptc_backend(choice->reason);
    }
    return iptc::with_reason(
        std::unique_ptr<Backend>(new nft::NftBackend(nft::config_from_env())), choice->reason);
}

}  // namespace ipchains::backend
