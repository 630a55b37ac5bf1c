// Every parse error, byte for byte, with the token that caused it
// (docs/reference/ipchains-commands.md 1-8 and the project's decisions). A message ending in "\n"
// is one 1.3.9 printed with a newline of its own (the blank line before "Try ...").
#include <gtest/gtest.h>

#include "parse/parser.h"

using ipchains::parse::parse_command;
using ipchains::parse::ParseOptions;
using ipchains::parse::split_words;

namespace {

ParseOptions numeric_opts()
{
    ParseOptions o;
    o.resolve_names = false;
    o.forward_warning = 0;
    return o;
}

std::string error_of(const std::vector<std::string>& args, const ParseOptions& o = numeric_opts())
{
    auto r = parse_command(args, o);
    if (r.ok()) return "<parsed>";
    EXPECT_EQ(r.error().code, 0);
    EXPECT_EQ(r.error().exit_status, 2);
    return r.error().message;
}

std::string error_of(const std::string& line)
{
    return error_of(split_words(line));
}

struct Case {
    const char* line;
    const char* message;
};

class ParseError : public ::testing::TestWithParam<Case> {};

TEST_P(ParseError, ExactMessage)
{
    EXPECT_EQ(error_of(GetParam().line), GetParam().message) << GetParam().line;
}

const Case kCases[] = {
    // commands
    {"", "no command specified"},
    {"-v -n", "no command specified"},
    {"! -A input", "unexpected ! flag"},
    {"-A input -L", "Can't use -L with -A\n"},
    {"-A input -I input", "Can't use -I with -A\n"},
    {"-L -Z -F", "Can't use -F with -Z\n"},
    {"-L -M -Z", "Can't use -Z with -M\n"},
    {"-A input --status", "Can't use --status with -A\n"},
    {"-L input -Z", "-L with -Z does not allow chain to be specified"},
    {"-Z input -L", "-L with -Z does not allow chain to be specified"},
    {"-R input", "-R requires a rule number"},
    {"-R input -p tcp", "-R requires a rule number"},
    {"-R input 0", "Invalid rule number `0'"},
    {"-I input 2x", "Invalid rule number `2x'"},
    {"-D input 99999999999", "Invalid rule number `99999999999'"},
    {"-P input", "-P requires a chain and a policy"},
    {"-P input FOO", "Invalid policy `FOO' for -P"},
    {"-P input DIVERT", "Invalid policy `DIVERT' for -P"},
    {"-P input RETURN", "Invalid policy `RETURN' for -P"},
    {"-P input MASQ", "`-P MASQ' only valid for `forward' chain."},
    {"-P ppp MASQ", "`-P MASQ' only valid for `forward' chain."},
    {"-P ppp ACCEPT", "Can only set policy in built-in chains."},
    {"-M", "-M/--masquerading requires -L/--list or -S/--set"},
    {"-M -v", "Illegal option `-v' with this command\n"},
    {"-S 1 2", "-S requires 3 timeout values"},
    {"-S 1 2 -v", "-S requires 3 timeout values"},
    {"-S 1 x 3", "invalid timeout value `x' specified"},
    {"-A verylongname", "chain name `verylongname' too long (must be under 8 chars)"},
    {"-N abcdefghi", "chain name `abcdefghi' too long (must be under 8 chars)"},
    {"--divert-passthrough maybe",
     "--divert-passthrough takes `on' or `off', not `maybe'"},
    // `!` placement
    {"-A input ! ! -y", "multiple consecutive ! not allowed\n"},
    {"-A input ! -p ! tcp", "Multiple `!' flags not allowed"},
    {"-A input -p tcp !", "nothing appropriate following !"},
    {"-A input -p !", "nothing appropriate following !"},
    {"-A input ! -j ACCEPT", "cannot have ! before -j\n"},
    {"-A input ! -b", "cannot have ! before -b\n"},
    {"-A input ! -l", "cannot have ! before -l\n"},
    {"-A input ! -m 1", "cannot have ! before -m\n"},
    {"-A input ! -o", "cannot have ! before -o\n"},
    {"-A input ! -t 01 00", "cannot have ! before -t\n"},
    {"-L ! -v", "cannot have ! before -v\n"},
    {"-L ! -n", "cannot have ! before -n\n"},
    {"-L ! --line-numbers", "cannot have ! before --line-numbers"},
    {"-L ! --no-warnings", "cannot have ! before --no-warnings"},
    // stray words and getopt
    {"-A input foo", "unknown arguments found on commandline"},
    {"-A input -- -p tcp", "unknown arguments found on commandline"},
    {"-L input extra", "unknown arguments found on commandline"},
    {"-A input -q", "invalid option -- 'q'"},
    {"-A", "option requires an argument -- 'A'"},
    {"-A input -p", "option requires an argument -- 'p'"},
    {"--foo", "unrecognized option '--foo'"},
    {"--foo=bar", "unrecognized option '--foo=bar'"},
    {"--de input",
     "option '--de' is ambiguous; possibilities: '--delete' '--delete-chain' "
     "'--destination' '--destination-port'"},
    {"-A input --s 1.2.3.4",
     "option '--s' is ambiguous; possibilities: '--set' '--source' '--src' '--source-port' "
     "'--sport' '--syn' '--status'"},
    {"-A input --syn=1", "option '--syn' doesn't allow an argument"},
    {"-A input --source", "option '--source' requires an argument"},
    // repeated options
    {"-A input -s 1.2.3.4 -s 1.2.3.5", "multiple -s flags not allowed\n"},
    {"-A input -p tcp -s 1.2.3.4 80 --sport 81", "multiple -s flags not allowed\n"},
    {"-A input -p tcp --dport 1 --dport 2", "multiple -d flags not allowed\n"},
    {"-A input -b -b", "multiple -b flags not allowed\n"},
    {"-L --line-numbers --line-numbers", "multiple -3 flags not allowed\n"},
    // protocols, addresses, ports
    {"-A input -p foo", "unknown protocol `foo' specified"},
    {"-A input -p 65536", "unknown protocol `65536' specified"},
    {"-A input -p ! all", "rule would never match protocol"},
    {"-A input -p ! 0", "rule would never match protocol"},
    {"-A input -s 1.2.3.4/33", "invalid mask `33' specified"},
    {"-A input -s 1.2.3.4/255.0.0", "invalid mask `255.0.0' specified"},
    {"-A input -d nosuchhost", "host/network `nosuchhost' not found"},
    {"-A input -s 1.2.3.256", "host/network `1.2.3.256' not found"},
    {"-A input -s 1.2.3.4.5/8", "host/network `1.2.3.4.5' not found"},
    {"-A input -p tcp -s 0/0 foo", "invalid port/service `foo' specified"},
    {"-A input -p tcp -s 0/0 65536", "invalid port/service `65536' specified"},
    {"-A input -p tcp -s 0/0 1:2:3", "invalid port/service `2:3' specified"},
    {"-A input -p udp --dport 70000:", "invalid port/service `70000' specified"},
    {"-A input -s 0/0 80", "can only specify ports for icmp, tcp or udp"},
    {"-A input -p 47 --dport 80", "can only specify ports for icmp, tcp or udp"},
    {"-A input -p ! tcp -s 0/0 80", "no ports allowed without specific protocol"},
    {"-A input -s 0/0 :", "no ports allowed without specific protocol"},
    {"-A input -p tcp -f --dport 80", "no ports allowed with -f"},
    {"-A input -p tcp -y -f", "-y not allowed with -f"},
    {"-A input -p udp -y", "-y only allowed with TCP protocol"},
    {"-A input -p ! tcp -y", "-y only allowed with TCP protocol"},
    {"-A input -y", "-y only allowed with TCP protocol"},
    // ICMP
    {"-A input -p icmp -s 0/0 foo", "invalid ICMP type `foo' specified"},
    {"-A input -p icmp --dport www", "invalid ICMP type `www' specified"},
    {"-A input -p icmp --icmp-type echo-re",
     "Ambiguous ICMP `echo-re' : `echo-reply' or `echo-request'?"},
    {"-A input -p icmp --icmp-type host-un",
     "Ambiguous ICMP `host-un' : `host-unreachable' or `host-unknown'?"},
    {"-A input -p icmp --icmp-type ping --dport 3",
     "Can't use ICMP name and destination port together"},
    {"-A input -p icmp --icmp-type ! ping", "Can't invert named ICMP types"},
    {"-A input -p icmp ! --icmp-type ping", "Can't invert named ICMP types"},
    {"-C input -p icmp -s 1.2.3.4 -d 1.2.3.5 -i eth0 --icmp-type redirect",
     "Must specify exact ICMP type for testing"},
    {"-C input -p icmp -s 1.2.3.4 -d 1.2.3.5 -i eth0 --icmp-type ttl-exceeded",
     "Must specify exact ICMP type for testing"},
    // interface, target
    {"-A input -i abcdefghijklmnopq",
     "interface name `abcdefghijklmnopq' must be shorter than IFNAMSIZ (16)"},
    {"-A input -j ABCDEFGHI", "Invalid target name `ABCDEFGHI' (8 chars max)"},
    {"-A input -j DIVERT", "-j DIVERT requires a port number (1-65535)"},
    {"-A input -j DIVERT -p icmp", "-j DIVERT requires a port number (1-65535)"},
    {"-A input -j DIVERT 0", "-j DIVERT requires a port number (1-65535)"},
    {"-A input -j DIVERT 65536", "-j DIVERT requires a port number (1-65535)"},
    {"-A input -p tcp -j DIVERT http", "-j DIVERT requires a port number (1-65535)"},
    // Project extensions: -j TEE (docs/differences.md), --ipfw-number (docs/ipfw.md).
    {"-A input -j TEE", "-j TEE requires a port number (1-65535)"},
    {"-A input -j TEE 0", "-j TEE requires a port number (1-65535)"},
    {"-A input --ipfw-number 0", "--ipfw-number takes a rule number (1-65535), not `0'"},
    {"-A input --ipfw-number x", "--ipfw-number takes a rule number (1-65535), not `x'"},
    {"-A input --ipfw-number 1 --ipfw-number 2", "multiple --ipfw-number flags not allowed\n"},
    {"-L input --ipfw-number 5", "Illegal option `--ipfw-number' with this command\n"},
    {"-A input -j REDIRECT 8080", "redirecting only allowed with TCP or UDP"},
    {"-A input -p ! tcp -j REDIRECT", "redirecting only allowed with TCP or UDP"},
    {"-A input -p tcp -j MASQ", "masquerading not allowed for input and output chains"},
    {"-A output -j MASQ", "masquerading not allowed for input and output chains"},
    {"-A output -p tcp -j REDIRECT 80", "redirect not allowed for output and forward chains"},
    {"-A forward -p udp -j REDIRECT", "redirect not allowed for output and forward chains"},
    {"-A input -p tcp -j REDIRECT http-alt", "invalid port/service `http-alt' specified"},
    // numbers
    {"-A input -m abc", "Bad value `abc' for -m.\n"},
    {"-A input -m +0x100000000", "Bad value `+0x100000000' for -m.\n"},
    {"-A input -m ''", "Bad value `''' for -m.\n"},
    {"-A input -m 0x10000", "Bad value `0x10000' for -m (marks are 16 bits wide here)"},
    {"-A input -m 65536", "Bad value `65536' for -m (marks are 16 bits wide here)"},
    {"-A input -t 01", "-t requires 2 hexbyte arguments"},
    {"-A input -t 01 -p tcp", "-t requires 2 hexbyte arguments"},
    {"-A input -t 01 1ff", "invalid hexbyte `1ff' specified"},
    {"-A input -t zz 00", "invalid hexbyte `zz' specified"},
    {"-A input -t 00 00", "TOS manipulation cannot alter bit 0 (RFC1349)\n"},
    {"-A input -t 01 01", "TOS manipulation cannot alter bit 0 (RFC1349)\n"},
    {"-A input -t 01 06", "TOS manipulation cannot set multiple TOS bits (RFC1349)\n"},
    {"-A input -o 70000", "-o argument must be 0-65535, not `70000'"},
    {"-A input -o128x", "-o argument must be 0-65535, not `128x'"},
    // option legality per command
    {"-A input -n", "Illegal option `-n' with this command\n"},
    {"-A input -x", "Illegal option `-x' with this command\n"},
    {"-A input --line-numbers", "Illegal option `-3' with this command\n"},
    {"-R input 1 -b", "Illegal option `-b' with this command\n"},
    {"-D input 1 -p tcp", "Illegal option `-p' with this command\n"},
    {"-D input 1 -l", "Illegal option `-l' with this command\n"},
    {"-L -p tcp", "Illegal option `-p' with this command\n"},
    {"-L -s 1.2.3.4", "Illegal option `-s' with this command\n"},
    {"-L -b", "Illegal option `-b' with this command\n"},
    {"-F -n", "Illegal option `-n' with this command\n"},
    {"-Z -x", "Illegal option `-x' with this command\n"},
    {"-N ppp -l", "Illegal option `-l' with this command\n"},
    {"-X ppp -i eth0", "Illegal option `-i' with this command\n"},
    {"-P input DENY -n", "Illegal option `-n' with this command\n"},
    {"-M -S 1 2 3 -n", "Illegal option `-n' with this command\n"},
    {"--status -n", "Illegal option `-n' with this command\n"},
    // -C
    {"-C input -s 1.2.3.4 -d 1.2.3.5 -i eth0", "You need to supply the `-p' option for this command\n"},
    {"-C input -p all -d 1.2.3.5 -i eth0", "You need to supply the `-s' option for this command\n"},
    {"-C input -p all -s 1.2.3.4 -d 1.2.3.5", "You need to supply the `-i' option for this command\n"},
    {"-C input -p tcp -s 1.2.3.4 -d 1.2.3.5 -i eth0",
     "one port required with source/destination address for -C"},
    {"-C input -p tcp -s 1.2.3.4 1:2 -d 1.2.3.5 3 -i eth0",
     "one port required with source/destination address for -C"},
    {"-C input -p tcp -s ! 1.2.3.4 1 -d 1.2.3.5 2 -i eth0", "! not allowed with -C"},
    {"-C input -p tcp -s 1.2.3.4 1 -d 1.2.3.5 2 -i ! eth0", "! not allowed with -C"},
    {"-C input -p tcp -s 1.2.3.4 1 -d 1.2.3.5 2 -i eth0 -j ACCEPT",
     "Illegal option `-j' with this command\n"},
    {"-C input -p tcp -s 1.2.3.4 1 -d 1.2.3.5 2 -i eth0 -l",
     "Illegal option `-l' with this command\n"},
};

INSTANTIATE_TEST_SUITE_P(AllMessages, ParseError, ::testing::ValuesIn(kCases));

TEST(ParseErrorWords, EmptyAndBlankWords)
{
    EXPECT_EQ(error_of({"-A", "input", "-j", ""}), "Invalid target name (too short)");
    EXPECT_EQ(error_of({"-A", "input", "-j", "A B"}), "Invalid target name `A B'");
    EXPECT_EQ(error_of({"-A", "input", "-p", "icmp", "--icmp-type", ""}),
              "Ambiguous ICMP `' : `echo-reply' or `pong'?");
}

TEST(ParseErrorWords, RestoreLineAcceptsOnlyAppend)
{
    ParseOptions o = numeric_opts();
    o.restore_line = true;
    EXPECT_EQ(error_of(split_words("-I input"), o), "Can't use -I in a restore file");
    EXPECT_EQ(error_of(split_words("-D input 1"), o), "Can't use -D in a restore file");
    EXPECT_EQ(error_of(split_words("-L"), o), "Can't use -L in a restore file");
    EXPECT_EQ(error_of(split_words("-N ppp"), o), "Can't use -N in a restore file");
    EXPECT_EQ(error_of(split_words("-h"), o), "Can't use -h in a restore file");
    EXPECT_EQ(error_of(split_words("-V"), o), "Can't use -V in a restore file");
    EXPECT_EQ(error_of(split_words("-A input -n"), o), "Illegal option `-n' with this command\n");
    EXPECT_EQ(error_of(split_words("-A input -s somehost"), o),
              "host/network `somehost' not found");
    EXPECT_EQ(error_of(split_words("-A input -j DIVERT"), o),
              "-j DIVERT requires a port number (1-65535)");
}

// docs/ipfw.md "IPv6": the save form of an ipfw ip6 rule, restore lines only.
TEST(ParseErrorWords, IpfwIp6SaveForm)
{
    EXPECT_EQ(error_of("-A input -j ACCEPT --ipfw-number 1 --ipfw-ip6 ::/0,::/0"),
              "--ipfw-ip6 is only read by ipchains-restore (use ipfw add ... ip6)");
    ParseOptions o = numeric_opts();
    o.restore_line = true;
    EXPECT_EQ(error_of(split_words("-A input --ipfw-number 1 --ipfw-ip6 ::/0"), o),
              "--ipfw-ip6 takes SRC,DST, not `::/0'");
    EXPECT_EQ(error_of(split_words("-A input --ipfw-number 1 --ipfw-ip6 ::/0,10.0.0.1/32"), o),
              "--ipfw-ip6: bad IPv6 prefix `10.0.0.1/32'");
    EXPECT_EQ(error_of(split_words("-A input --ipfw-number 1 --ipfw-ip6 ::/0,::/129"), o),
              "--ipfw-ip6: bad IPv6 prefix `::/129'");
    EXPECT_EQ(error_of(split_words("-A input --ipfw-ip6 ::/0,::/0"), o),
              "--ipfw-ip6 goes with --ipfw-number and no ! -p, -f, -o, -t, -m");
    EXPECT_EQ(error_of(split_words("-A input -p ! 6 --ipfw-number 1 --ipfw-ip6 ::/0,::/0"), o),
              "--ipfw-ip6 goes with --ipfw-number and no ! -p, -f, -o, -t, -m");
    EXPECT_EQ(error_of(split_words("-A input -p 6 -f --ipfw-number 1 --ipfw-ip6 ::/0,::/0"), o),
              "--ipfw-ip6 goes with --ipfw-number and no ! -p, -f, -o, -t, -m");
    EXPECT_EQ(error_of(split_words("-A input --ipfw-number 1 --ipfw-ip6 ::/0,::/0 "
                                   "--ipfw-ip6 ::/0,::/0"),
                       o),
              "multiple --ipfw-ip6 flags not allowed\n");
}

TEST(ParseErrorWords, FirstErrorWinsLikeOneThreeNine)
{
    // In-loop errors come in token order, before any cross-option check.
    EXPECT_EQ(error_of("-A input -p udp -y -s 1.2.3.4 -s 1.2.3.5"),
              "multiple -s flags not allowed\n");
    // Address errors come before the protocol/-y consistency checks.
    EXPECT_EQ(error_of("-A input -p udp -y -s 1.2.3.4/40"), "invalid mask `40' specified");
    // The legality table is consulted after the consistency checks.
    EXPECT_EQ(error_of("-L -p udp -y"), "-y only allowed with TCP protocol");
    // Compulsory -C options are looked for after the port checks.
    EXPECT_EQ(error_of("-C input -p tcp"),
              "one port required with source/destination address for -C");
}

}  // namespace
