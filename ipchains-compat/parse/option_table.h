// The option grammar tables of ipchains 1.3.9: short option string, long options, the
// command and option bits, and which option each command allows. Internal to parse/.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "parse/tokens.h"

namespace ipchains::parse::detail {

// Command bits, in 1.3.9's order (that order decides which letter an error names), then the
// project's own commands.
enum Cmd : unsigned {
    kCmdInsert = 1u << 0,
    kCmdDelete = 1u << 1,
    kCmdDeleteNum = 1u << 2,
    kCmdReplace = 1u << 3,
    kCmdAppend = 1u << 4,
    kCmdList = 1u << 5,
    kCmdFlush = 1u << 6,
    kCmdZero = 1u << 7,
    kCmdNewChain = 1u << 8,
    kCmdDeleteChain = 1u << 9,
    kCmdSetPolicy = 1u << 10,
    kCmdMasq = 1u << 11,
    kCmdSetMasq = 1u << 12,
    kCmdCheck = 1u << 13,
    kCmdStatus = 1u << 14,       // --status
    kCmdPassthrough = 1u << 15,  // --divert-passthrough
    kCmdDumpProc = 1u << 16,     // --dump-proc
};
constexpr int kNumCmds = 17;

// Option bits, in the column order of 1.3.9's legality table.
enum Opt : unsigned {
    kOptNumeric = 1u << 0,
    kOptSource = 1u << 1,
    kOptDestination = 1u << 2,
    kOptProtocol = 1u << 3,
    kOptJump = 1u << 4,
    kOptSyn = 1u << 5,
    kOptBidir = 1u << 6,
    kOptVerbose = 1u << 7,
    kOptLog = 1u << 8,
    kOptExact = 1u << 9,
    kOptTos = 1u << 10,
    kOptVia = 1u << 11,
    kOptFragment = 1u << 12,
    kOptMark = 1u << 13,
    kOptSrcPort = 1u << 14,
    kOptDstPort = 1u << 15,
    kOptNetlink = 1u << 16,
    kOptLineNumbers = 1u << 17,
};
constexpr int kNumOpts = 18;

// Token codes of the long-only options (short ones use their letter).
enum LongCode : int {
    kCodeSourcePort = '1',
    kCodeDestPort = '2',
    kCodeLineNumbers = '3',
    kCodeNoWarnings = 'W',
    kCodeStatus = 256,
    kCodePassthrough = 257,
    kCodeDumpProc = 258,
    kCodeIpfwNumber = 259,
    kCodeIpfwIp6 = 260,
};

extern const char kShortOptions[];
const std::vector<LongOption>& long_options();

// "-A", "--status": the name of the highest command bit set in `cmds`, as 1.3.9's cmd2char
// picked it.
std::string command_name(unsigned cmds);
// The letter 1.3.9 printed for an option bit ('3' for --line-numbers: a quirk kept as is).
char option_letter(unsigned opt);
// The invert flag `!` sets for an option, 0 if it cannot be inverted.
uint16_t option_invert_flag(unsigned opt);

// 1.3.9's generic_opt_check: compulsory options first as met, then illegal ones.
Result<void> check_options(unsigned cmds, unsigned opts);

}  // namespace ipchains::parse::detail
