// A parsed ipchains invocation (or one restore-file line, or one IP_FW_* setsockopt call).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/rule.h"
#include "model/ruleset.h"

namespace ipchains::model {

enum class Op {
    Append,        // -A   rules appended in order
    Insert,        // -I   all rules inserted at rulenum (so they end up reversed)
    Replace,       // -R   exactly one rule
    DeleteSpec,    // -D chain spec: first equal rule, once per rule in `rules`
    DeleteNum,     // -D chain N
    Check,         // -C   one packet per rule in `rules` (built from the spec)
    List,          // -L [chain]
    ListZero,      // -L -Z: list and zero atomically (no chain)
    Flush,         // -F [chain]
    Zero,          // -Z [chain]; with chain and rulenum (ipfw zero N only): that one rule
    NewChain,      // -N
    DeleteChain,   // -X [chain]
    SetPolicy,     // -P
    MasqList,      // -M -L
    MasqSet,       // -M -S / -S
    Help,          // -h [icmp]
    Version,       // -V
    NotVersion,    // ! -V  (prints "Not ipchains 2.0")
    SetPassthrough,// --divert-passthrough on|off (project extension)
    Status,        // --status (project extension: backend choice and reason)
    DumpProc,      // --dump-proc names|chains (project extension: 2.2's /proc views)
};

// Which 2.2 /proc file --dump-proc reproduces (docs/reference/ipchains-commands.md section 11).
enum class ProcView {
    Names,   // /proc/net/ip_fwnames: one line per chain
    Chains,  // /proc/net/ip_fwchains: one line per rule
};

struct Options {
    bool verbose = false;      // -v
    bool numeric = false;      // -n
    bool exact = false;        // -x
    bool line_numbers = false; // --line-numbers
    bool no_warnings = false;  // --no-warnings
};

struct Command {
    Op op = Op::List;
    std::string chain;              // empty = all chains where allowed
    uint32_t rulenum = 0;           // -I (default 1), -R, numbered -D
    std::vector<Rule> rules;        // after (source x destination) expansion and -b
    Policy policy = Policy::Accept; // -P
    bool help_icmp = false;         // -h icmp
    int masq_timeouts[3] = {0, 0, 0};
    bool passthrough = false;       // SetPassthrough
    ProcView proc_view = ProcView::Names;  // DumpProc
    Options options;
    std::vector<std::string> warnings;  // printed on stdout before running (TOS, forwarding)
};

}  // namespace ipchains::model
