// Internal to backend/text: one IR rule/chain header as nft syntax.
#pragma once

#include <string>
#include <vector>

#include "ir/ir.h"

namespace ipchains::backend::text {

struct RuleText {
    std::vector<std::string> notes;  // `# ...` lines to print before the rule
    std::string text;                // "ip protocol icmp counter packets 0 bytes 0 accept ..."
};

RuleText rule_text(const ir::Rule& r);

// `"..."` for nft: nft strings have no escapes, so a `"` becomes `'`.
std::string quoted(const std::string& s);

// "type filter hook prerouting priority -150; policy accept;" (separator `sep` after each part)
std::string base_chain_spec(const ir::BaseChain& b, const std::string& sep);
// "policy drop;": the part of it that changes in place.
std::string chain_policy_spec(const ir::BaseChain& b, const std::string& sep);

// nft caps comments at 128 bytes; longer ones are printed as notes instead.
constexpr size_t kMaxComment = 128;

// A rule run's set (compile/runs.h): "type ipv4_addr<sep>flags interval<sep>counter<sep>"
// (a concatenation: "type ipv4_addr . inet_service").
std::string set_spec(const ir::Set& s, const std::string& sep);
// "map" for a verdict map (its spec has "type ... : verdict"), "set" otherwise.
std::string set_keyword(const ir::Set& s);
// One member: "10.0.0.0/8 counter packets 0 bytes 0 comment \"#1 -A input ...\"". A comment
// nft cannot take (over kMaxComment) is left out and returned in `notes` instead.
std::string element_text(const ir::SetElement& e, std::vector<std::string>& notes);
// Just the key, for `delete element`.
std::string element_key_text(const ir::SetElement& e);

}  // namespace ipchains::backend::text
