// ir::Table -> what the legacy tables must hold: our chains and the jump rules we own at the
// top of built-in chains, per table (docs/backends.md "Legacy layout").
//
// nftables gives each stage its own base chain; legacy iptables gives one built-in chain per
// (table, hook), where ACCEPT ends the whole table for that hook. So stages that must follow
// one another in the same built-in chain are chained with gotos: in a chain copy whose ACCEPT
// must continue with a later stage, ACCEPT becomes `-g <next stage>`.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "backend/iptc/entry.h"
#include "core/result.h"
#include "ir/ir.h"

namespace ipchains::backend::iptc {

struct LegacyChain {
    std::string name;
    std::vector<LegacyRule> rules;
};

struct TableState {
    std::string table;                 // "filter", "nat", "mangle"
    std::vector<LegacyChain> chains;   // ours
    // Built-in chain -> our rules, which go at its top in this order.
    std::vector<std::pair<std::string, std::vector<LegacyRule>>> hooks;
    // Legacy chain -> the ipchains chain whose rules it carries (every instance, segment
    // and copy), so counters can be reset chain by chain.
    std::map<std::string, std::string> owner;
};

// Tables in commit order: the executors (filter, nat) before the chains that stamp for them.
struct Layout {
    std::vector<TableState> tables;
};

// Legacy-only chain holding one marker rule per tagged IR chain (comment = its chain comment):
// iptables chains have no comments, and libiptc lists user chains sorted by name.
constexpr const char* kMetaChain = "~meta";
constexpr const char* kCopyForward = "^F";     // input-side chains resumed in mangle FORWARD
constexpr const char* kCopyPostrouting = "^P"; // forward-side chains resumed in POSTROUTING

// The longest legacy chain name (XT_EXTENSION_MAXNAMELEN - 1, NUL excluded).
constexpr size_t kMaxChainName = 28;

Result<Layout> make_layout(const ir::Table& t, const std::string& prefix);

}  // namespace ipchains::backend::iptc
