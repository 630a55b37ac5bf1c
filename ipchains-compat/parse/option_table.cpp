#include "parse/option_table.h"

#include "model/rule.h"

namespace ipchains::parse::detail {

const char kShortOptions[] = "A:C:D:R:I:L::F::Z::N:X::P:MS:Vh::o::p:s:d:j:i:fbvm:nlt:xy";

const std::vector<LongOption>& long_options()
{
    // 1.3.9's table order (it decides the order of getopt's ambiguity list), then ours.
    static const std::vector<LongOption> kLong = {
        {"append", ArgKind::Required, 'A'},
        {"delete", ArgKind::Required, 'D'},
        {"insert", ArgKind::Required, 'I'},
        {"replace", ArgKind::Required, 'R'},
        {"list", ArgKind::Optional, 'L'},
        {"flush", ArgKind::Optional, 'F'},
        {"zero", ArgKind::Optional, 'Z'},
        {"check", ArgKind::Required, 'C'},
        {"new-chain", ArgKind::Required, 'N'},
        {"delete-chain", ArgKind::Required, 'X'},
        {"policy", ArgKind::Required, 'P'},
        {"masquerading", ArgKind::None, 'M'},
        {"set", ArgKind::Required, 'S'},
        {"bidirectional", ArgKind::None, 'b'},
        {"source", ArgKind::Required, 's'},
        {"destination", ArgKind::Required, 'd'},
        {"src", ArgKind::Required, 's'},
        {"dst", ArgKind::Required, 'd'},
        {"source-port", ArgKind::Required, kCodeSourcePort},
        {"destination-port", ArgKind::Required, kCodeDestPort},
        {"icmp-type", ArgKind::Required, kCodeSourcePort},
        {"sport", ArgKind::Required, kCodeSourcePort},
        {"dport", ArgKind::Required, kCodeDestPort},
        {"protocol", ArgKind::Required, 'p'},
        {"interface", ArgKind::Required, 'i'},
        {"jump", ArgKind::Required, 'j'},
        {"TOS", ArgKind::Required, 't'},
        {"mark", ArgKind::Required, 'm'},
        {"numeric", ArgKind::None, 'n'},
        {"log", ArgKind::None, 'l'},
        {"output", ArgKind::Optional, 'o'},
        {"verbose", ArgKind::None, 'v'},
        {"exact", ArgKind::None, 'x'},
        {"fragments", ArgKind::None, 'f'},
        {"syn", ArgKind::None, 'y'},
        {"version", ArgKind::None, 'V'},
        {"help", ArgKind::None, 'h'},
        {"line-numbers", ArgKind::None, kCodeLineNumbers},
        {"no-warnings", ArgKind::None, kCodeNoWarnings},
        {"divert-passthrough", ArgKind::Required, kCodePassthrough},
        {"status", ArgKind::None, kCodeStatus},
        {"dump-proc", ArgKind::Required, kCodeDumpProc},
        {"ipfw-number", ArgKind::Required, kCodeIpfwNumber},
        {"ipfw-ip6", ArgKind::Required, kCodeIpfwIp6},
    };
    return kLong;
}

namespace {

const char* const kCommandNames[kNumCmds] = {"-I", "-D", "-D", "-R", "-A", "-L", "-F", "-Z",
                                             "-N", "-X", "-P", "-M", "-S", "-C", "--status",
                                             "--divert-passthrough", "--dump-proc"};

const char kOptionLetters[kNumOpts + 1] = "nsdpjybvlxtifmsdo3";

// x = illegal, + = compulsory, blank = optional. Columns:
//                 nsdpjybvlxtifmsdo3 (--sport/--dport print as s/d, --line-numbers as 3)
const char* const kLegal[kNumCmds] = {
    /* INSERT      */ "x        x       x",
    /* DELETE      */ "x        x       x",
    /* DELETE_NUM  */ "xxxxxxx xxxxxxxxxx",
    /* REPLACE     */ "x     x  x       x",
    /* APPEND      */ "x        x       x",
    /* LIST        */ " xxxxxx x xxxxxxx ",
    /* FLUSH       */ "xxxxxxx xxxxxxxxxx",
    /* ZERO        */ "xxxxxxx xxxxxxxxxx",
    /* NEW_CHAIN   */ "xxxxxxx xxxxxxxxxx",
    /* DEL_CHAIN   */ "xxxxxxx xxxxxxxxxx",
    /* SET_POLICY  */ "xxxxxxx xxxxxxxxxx",
    /* MASQUERADE  */ "xxxxxxxxxxxxxxxxxx",
    /* SET_MASQ    */ "xxxxxxx xxxxxxxxxx",
    /* CHECK       */ "x+++x   xxx+ x  xx",
    /* STATUS      */ "xxxxxxx xxxxxxxxxx",
    /* PASSTHROUGH */ "xxxxxxx xxxxxxxxxx",
    // Like --status: only -v, accepted and ignored (a /proc file had no variants; -n, -x
    // and --line-numbers would only suggest that one exists).
    /* DUMP_PROC   */ "xxxxxxx xxxxxxxxxx",
};

int highest_bit(unsigned v)
{
    int i = 0;
    while (v > 1) {
        v >>= 1;
        ++i;
    }
    return i;
}

}  // namespace

std::string command_name(unsigned cmds)
{
    return kCommandNames[highest_bit(cmds)];
}

char option_letter(unsigned opt)
{
    return kOptionLetters[highest_bit(opt)];
}

uint16_t option_invert_flag(unsigned opt)
{
    switch (opt) {
    case kOptSource: return model::kInvSrcIp;
    case kOptDestination: return model::kInvDstIp;
    case kOptProtocol: return model::kInvProto;
    case kOptSyn: return model::kInvSyn;
    case kOptVia: return model::kInvVia;
    case kOptFragment: return model::kInvFrag;
    case kOptSrcPort: return model::kInvSrcPort;
    case kOptDstPort: return model::kInvDstPort;
    default: return 0;
    }
}

Result<void> check_options(unsigned cmds, unsigned opts)
{
    for (int i = 0; i < kNumOpts; ++i) {
        int legal = 0;  // -1 illegal, 1 legal, 0 not decided
        for (int j = 0; j < kNumCmds; ++j) {
            if (!(cmds & (1u << j))) continue;
            const char rule = kLegal[j][i];
            if (!(opts & (1u << i))) {
                if (rule == '+')
                    return Error::usage(std::string("You need to supply the `-") +
                                        kOptionLetters[i] + "' option for this command\n");
            } else if (rule != 'x') {
                legal = 1;
            } else if (legal == 0) {
                legal = -1;
            }
        }
        if (legal == -1)
            return Error::usage(std::string("Illegal option `-") + kOptionLetters[i] +
                                "' with this command\n");
    }
    return {};
}

}  // namespace ipchains::parse::detail
