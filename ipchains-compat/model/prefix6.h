// Text form of an IPv6 prefix, shared by the ipfw grammar, the save line and the listings
// (docs/ipfw.md "IPv6").
#pragma once

#include <optional>
#include <string>

#include "model/rule.h"

namespace ipchains::model {

struct Ruleset;

// "addr" (a host, /128) or "addr/len" (0-128); host bits past len are cleared, as the IPv4
// grammar ANDs an address with its mask. nullopt when it is not one.
std::optional<Prefix6> parse_prefix6(const std::string& w);

// "addr/len", numeric, inet_ntop's form: "::/0" for any.
std::string prefix6_text(const Prefix6& p);

// Whether a ruleset holds an IPv6 rule (model::Rule::ip6) in any chain.
bool has_ip6_rules(const Ruleset& rs);

}  // namespace ipchains::model
