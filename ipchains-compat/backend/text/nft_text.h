// The text backend: ir::Table as nftables syntax, for ipchains-translate (the way
// iptables-translate prints `nft '...'` lines). Nothing here talks to the kernel.
#pragma once

#include <string>
#include <vector>

#include "compile/steps.h"
#include "ir/ir.h"

namespace ipchains::backend::text {

// A whole `nft -f` script that replaces the table: `table` + `delete table` + the table block
// with its counters, chains (hook, priority, comment) and rules. Where nft syntax cannot say
// what the IR does (TOS and/xor masks), the closest syntax is printed after a `# ` line.
std::string to_nft_script(const ir::Table& table);
// The same for several tables in one script (the `ip` table, then the `ip6` one: docs/ipfw.md
// "IPv6"), each replaced whole, under one header.
std::string to_nft_script(const std::vector<ir::Table>& tables);

// `nft '...'` command lines turning `before` into `after`: compile::commit_steps printed by
// steps_as_nft_commands. An empty `before` (no chains, no counters) means the table does not
// exist yet.
std::string to_nft_commands(const ir::Table& before, const ir::Table& after);

// One or more `nft '...'` lines per step, in the steps' order. `before` is nullptr when no step
// deletes elements.
std::string steps_as_nft_commands(const std::vector<compile::Step>& steps,
                                  const ir::Table* before, const ir::Table& after);

// nft script identifier for a chain, set or table name. The layout's names (`~in-hook`, `input~1`,
// `ppp-in@1`) and user chains named like nft keywords (`log`, `tcp`) are not valid identifiers
// in nft syntax, so: `~` -> `.`, `@` -> `/`, other characters outside [A-Za-z0-9-] -> `_XX`
// (hex), an unsafe first character is escaped too, and a keyword gets a trailing `_`.
// Ordinary names (`input`, `ppp-in`, `ipchains`) stay as they are. Injective, so distinct
// chains never collide.
std::string nft_identifier(const std::string& name);

// The table's nft family: `ip`, or `ip6` for the table of the ipfw ip6 rules.
std::string table_family(const ir::Table& table);

}  // namespace ipchains::backend::text
