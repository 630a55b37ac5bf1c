// Output formats of ipchains 1.3.9 (docs/reference/ipchains-commands.md section 9), byte for byte.
#pragma once

#include <string>

#include "model/command.h"
#include "model/ruleset.h"

namespace ipchains::format {

class NameLookup;  // format/names.h

// -L [chain] with -n -v -x --line-numbers as in `opt`. Empty `chain` lists all chains; a chain
// that does not exist gives "" (the caller reports "No chain by that name").
// Without -n, addresses, networks and services are looked up through system_names().
std::string list(const model::Ruleset& rs, const std::string& chain,
                 const model::Options& opt);
// The same with the name lookups supplied (tests use a fixed table: no DNS).
std::string list(const model::Ruleset& rs, const std::string& chain,
                 const model::Options& opt, NameLookup& names);

// The -v one-line echo of -A/-I/-R/-D/-C (section 9.3), with trailing newline.
std::string rule_echo(const model::Rule& r);

// ipchains-save output for one or all chains (section 12, our documented format).
std::string save(const model::Ruleset& rs, const std::string& chain);

// The 2.2 /proc views (docs/reference/ipchains-commands.md section 11) for `ipchains --dump-proc`,
// byte for byte: /proc/net/ip_fwnames (one line per chain, built-ins first) and
// /proc/net/ip_fwchains (one line per rule, in chain order), and one ip_fwchains line with its
// newline.
std::string proc_names(const model::Ruleset& rs);
std::string proc_chains(const model::Ruleset& rs);
std::string proc_rule_line(const std::string& chain, const model::Rule& r);

// -h and -h icmp texts; the version line.
std::string help_text(const std::string& argv0);
std::string icmp_help_text();
std::string version_text();  // "ipchains 1.3.9, 17-Mar-1999\n"

}  // namespace ipchains::format

namespace ipchains::format {
// One rule in the canonical save syntax, without newline:
// "-A input -s 10.0.0.0/255.0.0.0 -d 0.0.0.0/0.0.0.0 -p 6 -j ACCEPT". The compiler stores
// exactly this string as each kernel rule's userdata, and the nft backend parses it back
// with parse::parse_command(parse::split_words(line), {restore_line=true}).
std::string save_line(const std::string& chain, const model::Rule& r);

// "a.b.c.d" for a host-order IPv4 address.
std::string dotted_quad(uint32_t addr);
}  // namespace ipchains::format
