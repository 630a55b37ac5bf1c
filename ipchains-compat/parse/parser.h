// The ipchains command-line grammar (docs/reference/ipchains-commands.md sections 1-7) ->
// model::Command. A small token layer (parse/tokens.h) handles what getopt-style libraries cannot:
// `!` as a word of its own, optional arguments taken only when the next word does not start with
// '-' or '!', and the address-then-port word pairs.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "model/command.h"

namespace ipchains::parse {

struct ParseOptions {
    // A restore-file line or a kernel rule's userdata: only -A and the rule options. The
    // cross-option checks that only the 1.3.9 command enforced (never the 2.2 kernel: ports on
    // other protocols, -y without tcp, MASQ/REDIRECT chain checks, TOS rules) are skipped, so
    // every rule the IP_FW_* setsockopt path can store round-trips through format::save_line.
    bool restore_line = false;
    bool resolve_names = true;   // host/network/service lookups (tests pass false)
    // The IP forwarding warning for -A/-I on forward: -1 = 1.3.9's test (ip_forward is 0 and
    // stdin is a terminal), 0 = never, 1 = always (tests).
    int forward_warning = -1;
};

// args excludes argv[0]. Errors carry the exact ipchains message naming the token.
// Error::message is byte for byte what 1.3.9 printed after "<argv0>: ". Several 1.3.9 messages
// end in a newline of their own (e.g. "multiple -s flags not allowed\n", "Illegal option `-n'
// with this command\n"); it is kept, so the caller printing "<argv0>: " + message + "\n" and
// then the "Try ..." line reproduces 1.3.9's blank line exactly.
// Getopt-level errors carry glibc's text ("invalid option -- 'q'", "option '--de' is
// ambiguous; possibilities: ..."). Command::warnings hold the TOS and forwarding warnings,
// without a final newline (the forwarding one is two lines).
Result<model::Command> parse_command(const std::vector<std::string>& args,
                                     const ParseOptions& opt = {});

}  // namespace ipchains::parse

namespace ipchains::parse {
// Splits a restore-file / userdata line into words (blank-separated; '#' starts a comment
// only at the beginning of a line, which the caller handles).
std::vector<std::string> split_words(const std::string& line);
}  // namespace ipchains::parse
