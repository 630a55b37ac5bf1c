// One ir::Rule -> legacy rules. iptables allows one target per rule, so a rule with several
// statements becomes a "carrier" (the matches, the counter, the comments) whose target is a
// small action chain holding one rule per statement, the verdict last. The carrier enters it
// with -g when the verdict is RETURN or a goto (so they act on the carrier's own chain) and
// with -j otherwise. Matches are evaluated once, before any statement runs, exactly as in the
// single nft rule: a MARK in the action chain cannot change whether the rule matched.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "backend/iptc/entry.h"
#include "core/result.h"
#include "ir/ir.h"

namespace ipchains::backend::iptc {

// How verdicts read in the legacy chain a rule lands in (docs/backends.md "Legacy layout").
struct Context {
    std::string prefix;          // legacy name of IR chain X is prefix + X + suffix
    std::string suffix;          // the copy this chain belongs to ("" or "^F", "^P")
    std::string accept_goto;     // ACCEPT continues in this legacy chain; "" = plain ACCEPT
    bool accept_returns = false; // executors in a shared built-in chain stay transparent
    bool forward_reject = false; // forward-side REJECT stamps carry id 1 (see layout.cpp)
};

// Action chains, named after their content so that equal statement lists share one chain and
// an unchanged rule keeps an unchanged name.
struct ActionChains {
    std::map<std::string, std::vector<LegacyRule>> chains;
    std::vector<std::string> order;
};

// Comment texts the reader looks for.
constexpr const char* kCounterComment = "ipchains-counter:";  // + named counter
constexpr const char* kMoreComment = "+";                      // continuation of a long line

std::string legacy_name(const Context& ctx, const std::string& ir_chain);

// Fails (EINVAL) for what legacy iptables cannot express.
Result<LegacyRule> translate_rule(const ir::Rule& r, const Context& ctx,
                                  ActionChains& actions);

// The matches of `r` alone, for synthesized layout rules.
Result<LegacyRule> translate_matches(const std::vector<ir::Match>& matches);

}  // namespace ipchains::backend::iptc
