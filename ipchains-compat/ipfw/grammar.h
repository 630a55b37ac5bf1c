// The ipfw command line (FreeBSD's ipfw(8) subset of docs/ipfw.md "Grammar") -> ipfw::Command.
// Errors are one line naming the offending word, without the "ipfw: " prefix; the caller exits
// with kExitUsage.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "ipfw/command.h"

namespace ipchains::ipfw {

struct GrammarOptions {
    bool resolve_names = true;  // /etc/services and /etc/protocols (tests pass false)
};

// args excludes argv[0].
Result<Command> parse(const std::vector<std::string>& args, const GrammarOptions& opt = {});

}  // namespace ipchains::ipfw
