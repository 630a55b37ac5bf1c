// -h, -h icmp and -V texts (docs/reference/ipchains-commands.md 9.5, 9.7).
#include <cstddef>

#include "format/format.h"
#include "model/icmp.h"

namespace ipchains::format {

namespace {
const char kVersion[] = "ipchains 1.3.9, 17-Mar-1999";
}

std::string version_text()
{
    return std::string(kVersion) + "\n";
}

std::string icmp_help_text()
{
    std::string out = std::string(kVersion) + "\n\nValid ICMP Types:";
    std::size_t n = 0;
    const model::IcmpName* t = model::icmp_names(&n);
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && t[i].type == t[i - 1].type) {
            if (t[i].code_min == t[i - 1].code_min && t[i].code_max == t[i - 1].code_max)
                out += std::string(" (") + t[i].name + ")";  // an alias
            else
                out += std::string("\n   ") + t[i].name;       // a code of that type
        } else {
            out += std::string("\n") + t[i].name;
        }
    }
    return out + "\n";
}

std::string help_text(const std::string& argv0)
{
    const std::string& p = argv0;
    std::string out = std::string(kVersion) + "\n\n";
    out += "Usage: " + p + " -[ADC] chain rule-specification [options]\n";
    out += "       " + p + " -[RI] chain rulenum rule-specification [options]\n";
    out += "       " + p + " -D chain rulenum [options]\n";
    out += "       " + p + " -[LFZNX] [chain] [options]\n";
    out += "       " + p + " -P chain target [options]\n";
    out += "       " + p + " -M [ -L | -S ] [options]\n";
    out += "       " + p + " -h [icmp] (print this help information, or ICMP list)\n\n";
    out +=
        "Commands:\n"
        "Either long or short options are allowed.\n"
        "  --append  -A chain            Append rules to the end of chain\n"
        "  --delete  -D chain            Delete the first rule matching the specification\n"
        "  --delete  -D chain rulenum    Delete rule number rulenum (1 = first)\n"
        "  --insert  -I chain [rulenum]  Insert rules as number rulenum (default 1 = first)\n"
        "  --replace -R chain rulenum    Replace rule number rulenum (1 = first)\n"
        "  --list    -L [chain]          List the rules of chain, or of every chain\n"
        "  --flush   -F [chain]          Delete every rule of chain, or of every chain\n"
        "  --zero    -Z [chain]          Zero the counters of chain, or of every chain\n"
        "  --check   -C chain            Test a packet described by the specification\n"
        "  --new-chain -N chain          Create a user-defined chain\n"
        "  --delete-chain -X [chain]     Delete a user-defined chain, or all of them\n"
        "  --policy  -P chain target     Set the policy of a built-in chain\n"
        "  --masquerading -M -L          List masqueraded connections\n"
        "  --set     -M -S tcp tcpfin udp\n"
        "                                Set the masquerading timeouts (seconds)\n"
        "  --divert-passthrough on|off   DIVERT rules with no program bound: pass the\n"
        "                                packet on (on) or drop it (off, the default)\n"
        "  --status                      Show which kernel backend is in use, and why\n\n"
        "Options:\n"
        "  --bidirectional -b            also act on the rule with source and\n"
        "                                destination swapped\n"
        "  --protocol -p [!] proto       protocol: by number or name, e.g. `tcp'\n"
        "  --source   -s [!] address[/mask] [!] [port[:port]]\n"
        "                                source specification\n"
        "  --source-port [!] [port[:port]]\n"
        "                                source port specification\n"
        "  --destination -d [!] address[/mask] [!] [port[:port]]\n"
        "                                destination specification\n"
        "  --destination-port [!] [port[:port]]\n"
        "                                destination port specification\n"
        "  --icmp-type [!] typename      ICMP type (see -h icmp)\n"
        "  --interface -i [!] name[+]    network interface ([+] for a wildcard)\n"
        "  --jump     -j target [port]   target of the rule ([port] for REDIRECT,\n"
        "                                required for DIVERT)\n"
        "  --mark     -m [+-]mark        mark matching packets (set, add or subtract)\n"
        "  --numeric  -n                 numeric output of addresses and ports\n"
        "  --log      -l                 kernel logging of matching packets\n"
        "  --output   -o [maxsize]       copy matching packets to userspace\n"
        "  --TOS      -t and xor         and/xor masks for the TOS field\n"
        "  --verbose  -v                 verbose mode\n"
        "  --exact    -x                 exact counters (no K, M or G)\n"
        "  --line-numbers                number the rules when listing\n"
        "  --no-warnings                 no TOS, forwarding or interface warnings\n"
        "[!] --fragments -f              match second or further fragments only\n"
        "[!] --syn    -y                 match TCP packets with SYN set, ACK and RST clear\n"
        "[!] --version -V                print the package version\n";
    return out;
}

}  // namespace ipchains::format
