// Small builders shared by the compile and text tests.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compile/compile.h"
#include "ir/ir.h"
#include "model/ruleset.h"

namespace fx {

using namespace ipchains;

model::Rule rule(model::TargetKind t = model::TargetKind::None);
model::Rule jump(const std::string& chain);
model::Rule divert(uint16_t port);
model::Rule with_proto(model::Rule r, uint16_t proto);
// -p udp [-s src/mask] -d 0/0 lo:hi -j DENY: a member of port and source . port runs.
model::Rule udp_deny(uint16_t lo, uint16_t hi, uint32_t src = 0, uint32_t mask = 0);
// `ipfw add N divert PORT ip6 from any to DST6 in` (docs/ipfw.md "IPv6"); DST6 as
// model::parse_prefix6 reads it.
model::Rule ip6_divert(uint16_t number, uint16_t port, const std::string& dst6);

// Ruleset::initial() plus empty user chains.
model::Ruleset ruleset(const std::vector<std::string>& user_chains = {});
// Appends through engine::apply; throws std::runtime_error on failure.
void append(model::Ruleset& rs, const std::string& chain, const model::Rule& r);
// compile() that throws on failure.
ir::Table compiled(const model::Ruleset& rs);
// The ip6 table (compile::Options::ip6), as the nft backend compiles it.
ir::Table compiled6(const model::Ruleset& rs);

const ir::Chain* find(const ir::Table& t, const std::string& name);
// What a reader gathers from a table's continuation chains: key -> resume site id
// (model::Ruleset::resume_sites).
std::map<std::string, uint32_t> resume_sites(const ir::Table& t);
// Every chain appears before any rule that jumps or goes to it.
bool ordered(const ir::Table& t);
std::vector<std::string> chain_names(const ir::Table& t);
// The verdict statements of a chain's rules, as "jump x"/"goto x"/"accept"/...
std::vector<std::string> verdicts(const ir::Chain& c);

// A ruleset using every feature: DIVERT in input and in a user chain reached from two hooks,
// REDIRECT, MASQ, REJECT, marks, TOS, logging, interfaces, fragments, ICMP, policies.
model::Ruleset rich_ruleset();

}  // namespace fx
