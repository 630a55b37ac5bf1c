// The ipchains 1.3.9 grammar on top of the token layer. The structure follows 1.3.9's main():
// a left-to-right pass over the tokens (commands, options, `!`), then the cross-option checks in
// 1.3.9's order, so that a command line with several mistakes reports the same one 1.3.9 did.
#include "parse/parser.h"

#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <utility>

#include "model/icmp.h"
#include "model/prefix6.h"
#include "parse/address.h"
#include "parse/labels.h"
#include "parse/numbers.h"
#include "parse/option_table.h"
#include "parse/ports.h"
#include "parse/tokens.h"
#include "parse/tos.h"

namespace ipchains::parse {

using namespace detail;

namespace {

#define PARSE_TRY(expr)                      \
    do {                                     \
        auto try_result_ = (expr);           \
        if (!try_result_) return try_result_.error(); \
    } while (0)

// The value of an option that may be written `-p ! tcp`: the option's own argument, or the
// word after it when that argument is `!`.
struct Inverted {
    std::string value;
};

bool forwarding_disabled_on_a_terminal()
{
    std::ifstream f("/proc/sys/net/ipv4/ip_forward");
    int forward = 1;
    if (!(f >> forward) || forward != 0) return false;
    struct termios term;
    return tcgetattr(STDIN_FILENO, &term) == 0;
}

class Parser {
public:
    Parser(const std::vector<std::string>& args, const ParseOptions& opt)
        : opt_(opt), ts_(args, kShortOptions, long_options())
    {
        ports_.resolve = opt.resolve_names;
        ports_.any_protocol = opt.restore_line;
    }

    Result<model::Command> run();

private:
    Result<void> add_command(unsigned cmd, unsigned others);
    Result<void> set_option(unsigned opt);
    Result<Inverted> check_inverse(const Token& t);
    Result<void> optional_chain(const Token& t);
    Result<bool> handle(const Token& t);   // true: the command is complete (-h, -V)
    Result<void> address_option(const Token& t, unsigned addr_opt, unsigned port_opt,
                                std::optional<std::string>* host,
                                std::optional<std::string>* ports);
    Result<void> post_checks();
    Result<void> parse_icmp();
    model::Command build();

    const ParseOptions& opt_;
    TokenStream ts_;
    PortRules ports_;

    unsigned command_ = 0;
    unsigned options_ = 0;
    bool invert_ = false;
    bool warnings_enabled_ = true;

    std::optional<std::string> chain_;
    std::optional<std::string> jumpto_;
    std::optional<std::string> srcpts_, dstpts_;
    std::optional<std::string> shost_, dhost_;
    std::string rport_ = "0";
    std::optional<std::string> divert_port_;
    uint32_t rulenum_ = 0;
    model::Policy policy_ = model::Policy::Accept;
    int timeouts_[3] = {0, 0, 0};
    bool passthrough_ = false;
    bool ipfw_number_ = false;
    model::ProcView proc_view_ = model::ProcView::Names;

    model::Rule fw_;
    AddressSet saddrs_, daddrs_;

    model::Command result_;
};

Result<void> Parser::add_command(unsigned cmd, unsigned others)
{
    if (invert_) return Error::usage("unexpected ! flag");
    if (command_ & ~others)
        return Error::usage("Can't use " + command_name(cmd) + " with " +
                            command_name(command_ & ~others) + "\n");
    command_ |= cmd;
    return {};
}

Result<void> Parser::set_option(unsigned opt)
{
    if (options_ & opt)
        return Error::usage(std::string("multiple -") + option_letter(opt) +
                            " flags not allowed\n");
    options_ |= opt;
    if (invert_) {
        const uint16_t flag = option_invert_flag(opt);
        if (!flag)
            return Error::usage(std::string("cannot have ! before -") + option_letter(opt) +
                                "\n");
        fw_.invflags |= flag;
        invert_ = false;
    }
    return {};
}

Result<Inverted> Parser::check_inverse(const Token& t)
{
    Inverted r;
    r.value = t.arg;
    if (t.arg != "!") return r;
    if (invert_) return Error::usage("Multiple `!' flags not allowed");
    invert_ = true;
    // 1.3.9 read past argv's end here; we name the dangling `!` instead.
    if (!ts_.has_word()) return Error::usage("nothing appropriate following !");
    r.value = ts_.take_word();
    return r;
}

Result<void> Parser::optional_chain(const Token& t)
{
    if (t.has_arg)
        chain_ = t.arg;
    else if (ts_.plain_word())
        chain_ = ts_.take_word();
    return {};
}

Result<void> Parser::address_option(const Token& t, unsigned addr_opt, unsigned port_opt,
                                    std::optional<std::string>* host,
                                    std::optional<std::string>* ports)
{
    auto inv = check_inverse(t);
    if (!inv) return inv.error();
    PARSE_TRY(set_option(addr_opt));
    *host = inv->value;
    // An optional port word follows, possibly after a `!` of its own. 1.3.9 left a `!` that was
    // not followed by a port word pending, so `-s a ! -y` failed with "multiple consecutive !";
    // here that `!` simply applies to the next option, as the user meant.
    std::size_t ahead = 0;
    if (ts_.has_word() && ts_.word() == "!") ahead = 1;
    if (ts_.plain_word(ahead)) {
        if (ahead) {
            ts_.take_word();
            invert_ = true;
        }
        *ports = ts_.take_word();
        PARSE_TRY(set_option(port_opt));
    }
    return {};
}

Result<bool> Parser::handle(const Token& t)
{
    switch (t.code) {
    case 'A':
        PARSE_TRY(add_command(kCmdAppend, 0));
        chain_ = t.arg;
        break;
    case 'C':
        PARSE_TRY(add_command(kCmdCheck, 0));
        chain_ = t.arg;
        break;
    case 'N':
        PARSE_TRY(add_command(kCmdNewChain, 0));
        chain_ = t.arg;
        break;
    case 'D':
        PARSE_TRY(add_command(kCmdDelete, 0));
        chain_ = t.arg;
        if (ts_.plain_word()) {
            auto n = parse_rulenumber(ts_.take_word());
            if (!n) return n.error();
            rulenum_ = *n;
            command_ = kCmdDeleteNum;
        }
        break;
    case 'R':
        PARSE_TRY(add_command(kCmdReplace, 0));
        chain_ = t.arg;
        if (!ts_.plain_word()) return Error::usage("-R requires a rule number");
        {
            auto n = parse_rulenumber(ts_.take_word());
            if (!n) return n.error();
            rulenum_ = *n;
        }
        break;
    case 'I':
        PARSE_TRY(add_command(kCmdInsert, 0));
        chain_ = t.arg;
        rulenum_ = 1;
        if (ts_.plain_word()) {
            auto n = parse_rulenumber(ts_.take_word());
            if (!n) return n.error();
            rulenum_ = *n;
        }
        break;
    case 'L':
        PARSE_TRY(add_command(kCmdList, kCmdZero | kCmdMasq));
        PARSE_TRY(optional_chain(t));
        if ((command_ & kCmdZero) && chain_)
            return Error::usage("-L with -Z does not allow chain to be specified");
        break;
    case 'Z':
        PARSE_TRY(add_command(kCmdZero, kCmdList));
        PARSE_TRY(optional_chain(t));
        if ((command_ & kCmdList) && chain_)
            return Error::usage("-L with -Z does not allow chain to be specified");
        break;
    case 'F':
        PARSE_TRY(add_command(kCmdFlush, 0));
        PARSE_TRY(optional_chain(t));
        break;
    case 'X':
        PARSE_TRY(add_command(kCmdDeleteChain, 0));
        PARSE_TRY(optional_chain(t));
        break;
    case 'P':
        PARSE_TRY(add_command(kCmdSetPolicy, 0));
        chain_ = t.arg;
        if (!ts_.plain_word()) return Error::usage("-P requires a chain and a policy");
        {
            auto p = parse_policy(*chain_, ts_.take_word());
            if (!p) return p.error();
            policy_ = *p;
        }
        break;
    case 'M':
        PARSE_TRY(add_command(kCmdMasq, kCmdList | kCmdSetMasq));
        break;
    case 'S':
        PARSE_TRY(add_command(kCmdSetMasq, kCmdMasq));
        if (!ts_.plain_word(0) || !ts_.plain_word(1) || !ts_.has_word(1))
            return Error::usage("-S requires 3 timeout values");
        {
            const std::string values[3] = {t.arg, ts_.take_word(), ts_.take_word()};
            for (int i = 0; i < 3; ++i) {
                auto v = parse_timeout(values[i]);
                if (!v) return v.error();
                timeouts_[i] = *v;
            }
        }
        break;
    case 'h': {
        const bool icmp = (t.has_arg && strcasecmp(t.arg.c_str(), "icmp") == 0) ||
                          (ts_.has_word() && strcasecmp(ts_.word().c_str(), "icmp") == 0);
        result_.op = model::Op::Help;
        result_.help_icmp = icmp;
        return true;
    }
    case 'V':
        result_.op = invert_ ? model::Op::NotVersion : model::Op::Version;
        return true;
    case 'p': {
        auto inv = check_inverse(t);
        if (!inv) return inv.error();
        PARSE_TRY(set_option(kOptProtocol));
        auto p = parse_protocol(inv->value);
        if (!p) return p.error();
        fw_.proto = *p;
        if (fw_.proto == 0 && (fw_.invflags & model::kInvProto) && !opt_.restore_line)
            return Error::usage("rule would never match protocol");
        break;
    }
    case 's':
        PARSE_TRY(address_option(t, kOptSource, kOptSrcPort, &shost_, &srcpts_));
        break;
    case 'd':
        PARSE_TRY(address_option(t, kOptDestination, kOptDstPort, &dhost_, &dstpts_));
        break;
    case kCodeSourcePort:
    case kCodeDestPort: {
        auto inv = check_inverse(t);
        if (!inv) return inv.error();
        const bool src = t.code == kCodeSourcePort;
        PARSE_TRY(set_option(src ? kOptSrcPort : kOptDstPort));
        (src ? srcpts_ : dstpts_) = inv->value;
        break;
    }
    case 'j': {
        PARSE_TRY(set_option(kOptJump));
        auto target = parse_target(t.arg);
        if (!target) return target.error();
        jumpto_ = *target;
        if (*jumpto_ == "REDIRECT" && ts_.plain_word())
            rport_ = ts_.take_word();
        else if ((*jumpto_ == "DIVERT" || *jumpto_ == "TEE") && ts_.plain_word())
            divert_port_ = ts_.take_word();
        break;
    }
    case 'i': {
        auto inv = check_inverse(t);
        if (!inv) return inv.error();
        PARSE_TRY(set_option(kOptVia));
        auto i = parse_interface(inv->value, opt_.restore_line);
        if (!i) return i.error();
        fw_.iface = i->name;
        if (i->wildcard) fw_.flags |= model::kFlagWildIf;
        break;
    }
    case 'f':
        PARSE_TRY(set_option(kOptFragment));
        fw_.flags |= model::kFlagFrag;
        break;
    case 'b': PARSE_TRY(set_option(kOptBidir)); break;
    case 'v': PARSE_TRY(set_option(kOptVerbose)); break;
    case 'n': PARSE_TRY(set_option(kOptNumeric)); break;
    case 'x': PARSE_TRY(set_option(kOptExact)); break;
    case 'l':
        PARSE_TRY(set_option(kOptLog));
        fw_.flags |= model::kFlagLog;
        break;
    case 'y':
        PARSE_TRY(set_option(kOptSyn));
        fw_.flags |= model::kFlagSyn;
        break;
    case 'm': {
        PARSE_TRY(set_option(kOptMark));
        auto m = parse_mark(t.arg);
        if (!m) return m.error();
        fw_.mark = m->value;
        if (m->absolute) fw_.flags |= model::kFlagMarkAbs;
        break;
    }
    case 'o': {
        PARSE_TRY(set_option(kOptNetlink));
        std::optional<std::string> size;
        if (t.has_arg)
            size = t.arg;
        else if (ts_.plain_word())
            size = ts_.take_word();
        fw_.output_size = 0xFFFF;
        if (size) {
            auto s = parse_outputsize(*size);
            if (!s) return s.error();
            fw_.output_size = *s;
        }
        fw_.flags |= model::kFlagNetlink;
        break;
    }
    case 't': {
        PARSE_TRY(set_option(kOptTos));
        if (!ts_.plain_word()) return Error::usage("-t requires 2 hexbyte arguments");
        auto a = parse_hexbyte(t.arg);
        if (!a) return a.error();
        auto x = parse_hexbyte(ts_.take_word());
        if (!x) return x.error();
        fw_.tos_and = *a;
        fw_.tos_xor = *x;
        break;
    }
    case kCodeLineNumbers:
        if (invert_) return Error::usage("cannot have ! before --line-numbers");
        PARSE_TRY(set_option(kOptLineNumbers));
        break;
    case kCodeNoWarnings:
        if (invert_) return Error::usage("cannot have ! before --no-warnings");
        warnings_enabled_ = false;
        break;
    case kCodeStatus:
        PARSE_TRY(add_command(kCmdStatus, 0));
        break;
    case kCodePassthrough:
        PARSE_TRY(add_command(kCmdPassthrough, 0));
        if (t.arg == "on")
            passthrough_ = true;
        else if (t.arg == "off")
            passthrough_ = false;
        else
            return Error::usage("--divert-passthrough takes `on' or `off', not `" + t.arg + "'");
        break;
    case kCodeIpfwNumber: {
        if (invert_) return Error::usage("cannot have ! before --ipfw-number");
        if (ipfw_number_) return Error::usage("multiple --ipfw-number flags not allowed\n");
        ipfw_number_ = true;
        const long n = string_to_number(t.arg, 1, 65535);
        if (n == -1)
            return Error::usage("--ipfw-number takes a rule number (1-65535), not `" + t.arg +
                                "'");
        fw_.number = static_cast<uint16_t>(n);
        break;
    }
    case kCodeIpfwIp6: {
        // docs/ipfw.md "IPv6": the save form of an ipfw ip6 rule, `[!]SRC,[!]DST`; only
        // ipchains-restore (and the backends' model rebuild) read it.
        if (!opt_.restore_line)
            return Error::usage("--ipfw-ip6 is only read by ipchains-restore (use ipfw add ... ip6)");
        if (invert_) return Error::usage("cannot have ! before --ipfw-ip6");
        if (fw_.ip6) return Error::usage("multiple --ipfw-ip6 flags not allowed\n");
        const size_t comma = t.arg.find(',');
        if (comma == std::string::npos)
            return Error::usage("--ipfw-ip6 takes SRC,DST, not `" + t.arg + "'");
        for (int side = 0; side < 2; ++side) {
            std::string w = side == 0 ? t.arg.substr(0, comma) : t.arg.substr(comma + 1);
            const bool neg = !w.empty() && w[0] == '!';
            if (neg) w.erase(0, 1);
            auto p = model::parse_prefix6(w);
            if (!p) return Error::usage("--ipfw-ip6: bad IPv6 prefix `" + w + "'");
            (side == 0 ? fw_.src6 : fw_.dst6) = *p;
            if (neg) fw_.invflags |= side == 0 ? model::kInvSrcIp : model::kInvDstIp;
        }
        fw_.ip6 = true;
        break;
    }
    case kCodeDumpProc:
        PARSE_TRY(add_command(kCmdDumpProc, 0));
        if (t.arg == "names")
            proc_view_ = model::ProcView::Names;
        else if (t.arg == "chains")
            proc_view_ = model::ProcView::Chains;
        else
            return Error::usage("--dump-proc takes `names' or `chains', not `" + t.arg + "'");
        break;
    default:
        return Error::usage("unknown arguments found on commandline");
    }
    invert_ = false;
    return false;
}

Result<void> Parser::parse_icmp()
{
    using model::kInvDstPort;
    using model::kInvSrcPort;
    if (srcpts_) {
        const model::IcmpName* second = nullptr;
        const model::IcmpName* match = model::icmp_find_prefix(*srcpts_, &second);
        if (second)
            return Error::usage("Ambiguous ICMP `" + *srcpts_ + "' : `" + match->name +
                                "' or `" + second->name + "'?");
        if (match) {
            if (dstpts_)
                return Error::usage("Can't use ICMP name and destination port together");
            options_ |= kOptDstPort;
            fw_.sport.lo = fw_.sport.hi = match->type;
            fw_.dport.lo = match->code_min;
            fw_.dport.hi = match->code_max;
            if (command_ == kCmdCheck) {
                if (match->test_with_min_code)
                    fw_.dport.hi = fw_.dport.lo;
                else if (fw_.dport.lo != fw_.dport.hi)
                    return Error::usage("Must specify exact ICMP type for testing");
            }
            if (fw_.invflags & (kInvSrcPort | kInvDstPort))
                return Error::usage("Can't invert named ICMP types");
            return {};
        }
    }
    auto type = parse_ports(srcpts_, kProtoIcmp, ports_);
    if (!type) return type.error();
    auto code = parse_ports(dstpts_, kProtoIcmp, ports_);
    if (!code) return code.error();
    fw_.sport = *type;
    fw_.dport = *code;
    return {};
}

// Everything 1.3.9 checked after its getopt loop, in its order.
Result<void> Parser::post_checks()
{
    const bool strict = !opt_.restore_line;
    const bool rule_cmd = command_ & (kCmdReplace | kCmdInsert | kCmdDelete | kCmdAppend);
    if (rule_cmd) {
        if (!(options_ & kOptDestination)) dhost_ = "0.0.0.0/0";
        if (!(options_ & kOptSource)) shost_ = "0.0.0.0/0";
    }
    if (shost_) {
        auto s = parse_hostnetworkmask(*shost_, opt_.resolve_names);
        if (!s) return s.error();
        saddrs_ = *s;
        if (fw_.proto != kProtoIcmp) {
            auto p = parse_ports(srcpts_, fw_.proto, ports_);
            if (!p) return p.error();
            fw_.sport = *p;
        }
    }
    if (dhost_) {
        auto d = parse_hostnetworkmask(*dhost_, opt_.resolve_names);
        if (!d) return d.error();
        daddrs_ = *d;
        if (fw_.proto != kProtoIcmp) {
            auto p = parse_ports(dstpts_, fw_.proto, ports_);
            if (!p) return p.error();
            fw_.dport = *p;
        }
    }
    if (fw_.proto == kProtoIcmp) PARSE_TRY(parse_icmp());

    const bool multiple = saddrs_.addrs.size() > 1 || daddrs_.addrs.size() > 1;
    if (multiple && (fw_.invflags & (model::kInvSrcIp | model::kInvDstIp)))
        return Error::usage("! not allowed with multiple source or destination IP addresses");
    if (multiple && (options_ & kOptBidir))
        return Error::usage("-b not allowed with multiple source or destination IP addresses");

    const bool ports = options_ & (kOptSrcPort | kOptDstPort);
    const bool inv_proto = fw_.invflags & model::kInvProto;
    const bool frag = (options_ & kOptFragment) && !(fw_.invflags & model::kInvFrag);
    if (strict) {
        if ((fw_.proto == 0 || inv_proto) && ports)
            return Error::usage("no ports allowed without specific protocol");
        if ((fw_.proto != kProtoTcp || inv_proto) && (options_ & kOptSyn))
            return Error::usage("-y only allowed with TCP protocol");
        if (frag && ports) return Error::usage("no ports allowed with -f");
        if (frag && (options_ & kOptSyn)) return Error::usage("-y not allowed with -f");
    }
    if (command_ == kCmdCheck &&
        (fw_.proto == kProtoTcp || fw_.proto == kProtoUdp || fw_.proto == kProtoIcmp) &&
        !(options_ & kOptFragment) &&
        (!(options_ & kOptSrcPort) || fw_.sport.lo != fw_.sport.hi ||
         !(options_ & kOptDstPort) || fw_.dport.lo != fw_.dport.hi))
        return Error::usage("one port required with source/destination address for -C");
    if (command_ == kCmdCheck && fw_.invflags != 0)
        return Error::usage("! not allowed with -C");

    const bool redirect = jumpto_ && *jumpto_ == "REDIRECT";
    if (strict) {
        if (redirect && ((fw_.proto != kProtoTcp && fw_.proto != kProtoUdp) || inv_proto))
            return Error::usage("redirecting only allowed with TCP or UDP");
        if (jumpto_ && *jumpto_ == "MASQ" && chain_ && (*chain_ == "input" || *chain_ == "output"))
            return Error::usage("masquerading not allowed for input and output chains");
        if (redirect && chain_ && (*chain_ == "output" || *chain_ == "forward"))
            return Error::usage("redirect not allowed for output and forward chains");
    }
    if (command_ == kCmdReplace && (saddrs_.addrs.size() != 1 || daddrs_.addrs.size() != 1))
        return Error::usage("Replacement rule does not specify a unique address");

    if (strict && warnings_enabled_ && chain_ && *chain_ == "forward" &&
        (command_ == kCmdAppend || command_ == kCmdInsert)) {
        const bool warn = opt_.forward_warning < 0 ? forwarding_disabled_on_a_terminal()
                                                   : opt_.forward_warning > 0;
        if (warn)
            result_.warnings.push_back(
                "Warning: you must enable IP forwarding for packets to be forwarded at all:\n"
                " Use `echo 1 > /proc/sys/net/ipv4/ip_forward'");
    }

    if (command_ == kCmdSetMasq) command_ |= kCmdMasq;  // a lazy `-S` means `-M -S`
    PARSE_TRY(check_options(command_, options_));

    if (chain_ && chain_->size() > kMaxLabel)
        return Error::usage("chain name `" + *chain_ + "' too long (must be under " +
                            std::to_string(kMaxLabel) + " chars)");

    if (redirect) {
        auto p = parse_port(rport_, fw_.proto, ports_);
        if (!p) return p.error();
        fw_.redirect_port = *p;
    }
    if (jumpto_ && (*jumpto_ == "DIVERT" || *jumpto_ == "TEE")) {
        const long port = divert_port_ ? string_to_number(*divert_port_, 1, 65535) : -1;
        if (port == -1)
            return Error::usage("-j " + *jumpto_ + " requires a port number (1-65535)");
        fw_.redirect_port = static_cast<uint16_t>(port);
    }
    // Only the rule commands carry an ipfw number (docs/ipfw.md "One ruleset, two syntaxes").
    if (ipfw_number_ && !(command_ & (kCmdAppend | kCmdInsert | kCmdReplace | kCmdDelete)))
        return Error::usage("Illegal option `--ipfw-number' with this command\n");
    // An ip6 rule is what `ipfw add ... ip6` makes: numbered, a plain protocol (with ports
    // and -y as an IPv4 rule has them), -l for `log', no IPv4 fields.
    if (fw_.ip6 && (!ipfw_number_ || (fw_.invflags & model::kInvProto) ||
                    (fw_.flags & (model::kFlagFrag | model::kFlagNetlink)) ||
                    (options_ & kOptTos) || fw_.mark != 0))
        return Error::usage("--ipfw-ip6 goes with --ipfw-number and no ! -p, -f, -o, -t, -m");

    if (!(options_ & kOptTos)) {
        fw_.tos_and = 0xFF;
        fw_.tos_xor = 0x00;
    }
    if (strict)
        PARSE_TRY(check_tos(fw_.tos_and, fw_.tos_xor,
                            warnings_enabled_ ? &result_.warnings : nullptr));

    if (jumpto_) {
        fw_.target = model::target_kind_from_label(*jumpto_);
        if (fw_.target == model::TargetKind::Chain) fw_.target_chain = *jumpto_;
    }
    if (fw_.iface.empty()) fw_.flags |= model::kFlagWildIf;

    if (command_ == kCmdMasq)
        return Error::usage("-M/--masquerading requires -L/--list or -S/--set");
    return {};
}

model::Rule swapped(const model::Rule& r)
{
    using namespace model;
    Rule s = r;
    std::swap(s.src_mask, s.dst_mask);
    auto swap_bits = [&](uint16_t a, uint16_t b) {
        const uint16_t old = s.invflags;
        s.invflags &= ~(a | b);
        if (old & a) s.invflags |= b;
        if (old & b) s.invflags |= a;
    };
    swap_bits(kInvSrcIp, kInvDstIp);
    if (r.proto != kProtoIcmp) {
        std::swap(s.sport, s.dport);
        swap_bits(kInvSrcPort, kInvDstPort);
    }
    return s;
}

// One rule per (source x destination) pair, then the reversed copies of -b.
std::vector<model::Rule> expand(const model::Rule& fw, const AddressSet& s, const AddressSet& d,
                                bool bidir)
{
    std::vector<model::Rule> out;
    model::Rule r = fw;
    r.src_mask = s.mask;
    r.dst_mask = d.mask;
    for (uint32_t sa : s.addrs)
        for (uint32_t da : d.addrs) {
            r.src = sa;
            r.dst = da;
            out.push_back(r);
        }
    if (bidir) {
        model::Rule b = swapped(r);
        for (uint32_t da : d.addrs)
            for (uint32_t sa : s.addrs) {
                b.src = da;
                b.dst = sa;
                out.push_back(b);
            }
    }
    return out;
}

model::Command Parser::build()
{
    using model::Op;
    model::Command& c = result_;
    c.chain = chain_.value_or("");
    c.rulenum = rulenum_;
    c.policy = policy_;
    for (int i = 0; i < 3; ++i) c.masq_timeouts[i] = timeouts_[i];
    c.passthrough = passthrough_;
    c.proc_view = proc_view_;
    c.options.verbose = options_ & kOptVerbose;
    c.options.numeric = options_ & kOptNumeric;
    c.options.exact = options_ & kOptExact;
    c.options.line_numbers = options_ & kOptLineNumbers;
    c.options.no_warnings = !warnings_enabled_;

    switch (command_) {
    case kCmdAppend: c.op = Op::Append; break;
    case kCmdInsert: c.op = Op::Insert; break;
    case kCmdReplace: c.op = Op::Replace; break;
    case kCmdDelete: c.op = Op::DeleteSpec; break;
    case kCmdDeleteNum: c.op = Op::DeleteNum; break;
    case kCmdCheck: c.op = Op::Check; break;
    case kCmdList: c.op = Op::List; break;
    case kCmdList | kCmdZero: c.op = Op::ListZero; break;
    case kCmdList | kCmdMasq: c.op = Op::MasqList; break;
    case kCmdFlush: c.op = Op::Flush; break;
    case kCmdZero: c.op = Op::Zero; break;
    case kCmdNewChain: c.op = Op::NewChain; break;
    case kCmdDeleteChain: c.op = Op::DeleteChain; break;
    case kCmdSetPolicy: c.op = Op::SetPolicy; break;
    case kCmdMasq | kCmdSetMasq: c.op = Op::MasqSet; break;
    case kCmdStatus: c.op = Op::Status; break;
    case kCmdPassthrough: c.op = Op::SetPassthrough; break;
    case kCmdDumpProc: c.op = Op::DumpProc; break;
    default: break;
    }
    const bool has_rules = command_ & (kCmdAppend | kCmdInsert | kCmdReplace | kCmdDelete |
                                       kCmdCheck);
    if (has_rules && shost_ && dhost_)
        c.rules = expand(fw_, saddrs_, daddrs_, options_ & kOptBidir);
    // The parse ends here: the command is handed over, not copied (the reader parses every
    // rule's save line, backend/common/read_model.cpp).
    return std::move(c);
}

Result<model::Command> Parser::run()
{
    for (;;) {
        auto tok = ts_.next();
        if (!tok) return tok.error();
        if (tok->kind == Token::Kind::End) break;
        if (tok->kind == Token::Kind::Word) {
            if (tok->arg != "!") return Error::usage("unknown arguments found on commandline");
            if (invert_) return Error::usage("multiple consecutive ! not allowed\n");
            invert_ = true;
            continue;
        }
        auto done = handle(*tok);
        if (!done) return done.error();
        if (*done) {
            if (opt_.restore_line)
                return Error::usage("Can't use " +
                                    std::string(result_.op == model::Op::Help ? "-h" : "-V") +
                                    " in a restore file");
            return result_;
        }
    }
    if (ts_.remaining() > 0) return Error::usage("unknown arguments found on commandline");
    if (!command_) return Error::usage("no command specified");
    if (invert_) return Error::usage("nothing appropriate following !");
    if (opt_.restore_line && command_ != kCmdAppend)
        return Error::usage("Can't use " + command_name(command_) + " in a restore file");
    PARSE_TRY(post_checks());
    return build();
}

}  // namespace

Result<model::Command> parse_command(const std::vector<std::string>& args,
                                     const ParseOptions& opt)
{
    Parser p(args, opt);
    return p.run();
}

}  // namespace ipchains::parse
