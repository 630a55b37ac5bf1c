// backend::Backend on legacy iptables through libiptc (libip4tc): the same ir::Table the nft
// backend serializes, mapped onto the mangle, filter and nat tables (layout.h), next to
// whatever else those tables hold. Chains are named `<IPCHAINS_DIVERT_TABLE or ipchains>-<ir name>`.
#pragma once

#include <memory>
#include <string>

#include "backend/backend.h"

namespace ipchains::backend {

// The backend for IPCHAINS_DIVERT_TABLE (default "ipchains"); `reason` says why it was chosen and is
// shown by describe().
std::unique_ptr<Backend> make_iptc_backend(const std::string& reason = {});

// Whether this kernel has legacy iptables at all; `why` says what is missing otherwise.
bool iptc_usable(std::string* why);

// What the backend choice (backend/choice/) asks of legacy iptables.
struct LegacyPresence {
    bool available = false;  // the kernel has x_tables ip_tables
    bool has_ours = false;   // our chains are in mangle (table `table_name`)
    size_t foreign = 0;      // rules and chains of other programs in the instantiated tables
};
// Looks only at the tables this network namespace has instantiated: creates none.
LegacyPresence probe_legacy(const std::string& table_name);

}  // namespace ipchains::backend
