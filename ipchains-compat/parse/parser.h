// The ipchains command-line grammar (ipchains-syntax.md sections 1-7) -> model::Command.
// A small token layer (parse/tokens.h) handles what getopt-style libraries cannot:
// `!` as a word of its own, optional arguments taken only when the next word does not start
// with '-' or '!', and the address-then-port word pairs.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "model/command.h"

namespace ipchains::parse {

struct ParseOptions {
    bool restore_line = false;   // a restore-file line: only -A and the rule options
    bool resolve_names = true;   // host/network/service lookups (tests pass false)
};

// args excludes argv[0]. Errors carry the exact ipchains message naming the token.
Result<model::Command> parse_command(const std::vector<std::string>& args,
                                     const ParseOptions& opt = {});

}  // namespace ipchains::parse

namespace ipchains::parse {
// Splits a restore-file / userdata line into words (blank-separated; '#' starts a comment
// only at the beginning of a line, which the caller handles).
std::vector<std::string> split_words(const std::string& line);
}  // namespace ipchains::parse
