// backend::open_backend: which kernel interface runs the commands. IPCHAINS_BACKEND picks
// one (nft, legacy) or leaves the choice to us (auto, the default).
#include <cerrno>
#include <cstdlib>
#include <string>

#include "backend/backend.h"
#include "backend/nft/nft_backend.h"

namespace ipchains::backend {

namespace {

enum class Kind { Nft, Legacy };

// The whole selection policy, kept apart from construction so the legacy (libiptc) backend
// only adds a case here and in open_backend.
Result<Kind> select_kind(const char* env)
{
    std::string v = env ? env : "";
    if (v.empty() || v == "auto") return Kind::Nft;  // the only backend built so far
    if (v == "nft") return Kind::Nft;
    if (v == "legacy") return Kind::Legacy;
    Error e = Error::kernel(EINVAL, "IPCHAINS_BACKEND=" + v + ": unknown backend (nft, legacy or auto)");
    return e;
}

}  // namespace

Result<std::unique_ptr<Backend>> open_backend()
{
    auto kind = select_kind(getenv("IPCHAINS_BACKEND"));
    if (!kind) return kind.error();
    switch (*kind) {
    case Kind::Nft:
        return std::unique_ptr<Backend>(new nft::NftBackend(nft::config_from_env()));
    case Kind::Legacy:
        break;
    }
    return Error::kernel(ENOSYS, "legacy backend not built yet");
}

}  // namespace ipchains::backend
