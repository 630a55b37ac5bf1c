// ipfw's command line, left to right: flags, verb, then for `add` the rule body
//   [N] ACTION [log] PROTO from [not] SRC [PORTS] to [not] DST [PORTS] [OPTIONS]
// (docs/ipfw.md "Grammar"). Only what one ipchains rule can hold is accepted; everything else
// is refused naming the word, so a script never gets a rule that means something else.
#include "ipfw/grammar.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <cctype>
#include <cstdlib>
#include <optional>

#include "model/prefix6.h"
#include "parse/labels.h"

namespace ipchains::ipfw {

namespace {

constexpr uint16_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmp6 = 58;

bool all_digits(const std::string& s)
{
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

// An IPv6 address or prefix as SRC/DST: it has a colon and is not `a.b.c.d:mask`.
bool looks_ip6(const std::string& w)
{
    const size_t colon = w.find(':');
    if (colon == std::string::npos) return false;
    in_addr a{};
    return inet_pton(AF_INET, w.substr(0, colon).c_str(), &a) != 1;
}

// Whether the body's SRC or DST (the word after `from` / `to`, past a `not`) is IPv6: a
// protocol's rule is then an IPv6 one (docs/ipfw.md "IPv6").
bool addresses_ip6(const std::vector<std::string>& w)
{
    for (size_t i = 0; i + 1 < w.size(); ++i) {
        if (w[i] != "from" && w[i] != "to") continue;
        size_t a = i + 1;
        if (w[a] == "not" && a + 1 < w.size()) ++a;
        if (looks_ip6(w[a]) || w[a] == "me6") return true;
    }
    return false;
}

// The protocol names both the PROTO word and the `proto` option take.
std::optional<uint16_t> named_protocol(const std::string& w)
{
    if (w == "tcp") return kTcp;
    if (w == "udp") return kUdp;
    if (w == "icmp") return kIcmp;
    if (w == "icmp6" || w == "ipv6-icmp") return kIcmp6;
    return std::nullopt;
}

// A decimal number in [lo, hi], or -1.
long number_in(const std::string& s, long lo, long hi)
{
    if (!all_digits(s) || s.size() > 6) return -1;
    const long v = std::strtol(s.c_str(), nullptr, 10);
    return v < lo || v > hi ? -1 : v;
}

Error usage(const std::string& msg)
{
    Error e = Error::usage(msg);
    e.exit_status = kExitUsage;
    return e;
}

class Words {
public:
    explicit Words(const std::vector<std::string>& w) : w_(w) {}
    bool done() const { return i_ >= w_.size(); }
    const std::string& peek() const { return w_[i_]; }
    bool next_is(const char* s) const { return !done() && w_[i_] == s; }
    std::string take() { return w_[i_++]; }
    // The words not taken yet.
    std::vector<std::string> rest() const { return {w_.begin() + i_, w_.end()}; }
    bool take_if(const char* s)
    {
        if (!next_is(s)) return false;
        ++i_;
        return true;
    }

private:
    const std::vector<std::string>& w_;
    size_t i_ = 0;
};

// The words that end an address's port list: the next section or an option.
bool is_keyword(const std::string& w)
{
    static const char* const kWords[] = {"to",  "in",   "out",  "via",      "recv",    "xmit",
                                         "not", "setup", "frag", "log",     "from",    "src-port",
                                         "dst-port", "proto"};
    for (const char* k : kWords)
        if (w == k) return true;
    return false;
}

class Grammar {
public:
    Grammar(const std::vector<std::string>& args, const GrammarOptions& opt)
        : words_(args), opt_(opt)
    {
    }

    Result<Command> run()
    {
        while (!words_.done() && words_.peek().size() > 1 && words_.peek()[0] == '-') {
            const std::string flag = words_.take();
            for (size_t i = 1; i < flag.size(); ++i) {
                if (flag[i] == 'q')
                    cmd_.quiet = true;
                else if (flag[i] == 'n')
                    cmd_.syntax_only = true;
                else if (flag[i] == 'f')
                    ;  // "don't ask": flush never asks here
                else
                    return usage("unknown flag `-" + std::string(1, flag[i]) + "'");
            }
        }
        if (words_.done())
            return usage("missing command (add, delete, show, list, flush or zero)");
        const std::string verb = words_.take();
        if (verb == "add") return add();
        if (verb == "delete") return numbers(Verb::Delete, true);
        if (verb == "show") return numbers(Verb::Show, false);
        if (verb == "list") return numbers(Verb::List, false);
        if (verb == "flush") return bare(Verb::Flush);
        if (verb == "zero") return numbers(Verb::Zero, false);
        return usage("bad command `" + verb + "'");
    }

private:
    Result<Command> bare(Verb v)
    {
        cmd_.verb = v;
        if (!words_.done()) return usage("unexpected `" + words_.peek() + "'");
        return cmd_;
    }

    Result<Command> numbers(Verb v, bool required)
    {
        cmd_.verb = v;
        while (!words_.done()) {
            const std::string w = words_.take();
            const long n = number_in(w, 1, 65535);
            if (n < 0) return usage("bad rule number `" + w + "' (1-65535)");
            cmd_.numbers.push_back(static_cast<uint16_t>(n));
        }
        if (required && cmd_.numbers.empty()) return usage("delete needs a rule number");
        return cmd_;
    }

    Result<Command> add()
    {
        cmd_.verb = Verb::Add;
        model::Rule& r = cmd_.rule;
        if (!words_.done() && all_digits(words_.peek())) {
            const std::string w = words_.take();
            const long n = number_in(w, 1, 65535);
            if (n < 0) return usage("bad rule number `" + w + "' (1-65535)");
            // FreeBSD reserves it too; here the policies stand for it (docs/ipfw.md "Listing").
            if (n == 65535)
                return usage("rule 65535 is the default rule (the policies of input and "
                             "output): give 1-65534");
            cmd_.numbers.push_back(static_cast<uint16_t>(n));
        }
        if (auto a = action(); !a) return a.error();
        if (words_.take_if("log")) r.flags |= model::kFlagLog;
        if (auto p = protocol(); !p) return p.error();
        if (!words_.take_if("from"))
            return usage(words_.done() ? "missing `from'"
                                       : "missing `from' before `" + words_.peek() + "'");
        if (auto e = endpoint(true); !e) return e.error();
        if (!words_.take_if("to"))
            return usage(words_.done() ? "missing `to'"
                                       : "missing `to' before `" + words_.peek() + "'");
        if (auto e = endpoint(false); !e) return e.error();
        if (auto o = options(); !o) return o.error();
        r.flags |= r.iface.empty() ? model::kFlagWildIf : 0;
        return cmd_;
    }

    Result<void> action()
    {
        model::Rule& r = cmd_.rule;
        if (words_.done()) return usage("missing action");
        const std::string w = words_.take();
        if (w == "allow" || w == "accept" || w == "pass" || w == "permit") {
            r.target = model::TargetKind::Accept;
        } else if (w == "deny" || w == "drop") {
            r.target = model::TargetKind::Deny;
        } else if (w == "reject") {
            r.target = model::TargetKind::Reject;
        } else if (w == "count") {
            r.target = model::TargetKind::None;
        } else if (w == "divert" || w == "tee") {
            r.target = w == "divert" ? model::TargetKind::Divert : model::TargetKind::Tee;
            if (words_.done()) return usage("`" + w + "' needs a port");
            const std::string p = words_.take();
            auto port = divert_port(p);
            if (!port) return usage("`" + w + " " + p + "': not a port (1-65535) or service name");
            r.redirect_port = *port;
        } else {
            return usage("invalid action `" + w + "'");
        }
        return {};
    }

    // A number, then /etc/services with FreeBSD's "divert" protocol, FreeBSD's natd entry
    // (Linux's /etc/services lacks it), then any protocol's entry.
    std::optional<uint16_t> divert_port(const std::string& w)
    {
        if (all_digits(w)) {
            const long n = number_in(w, 1, 65535);
            if (n < 0) return std::nullopt;
            return static_cast<uint16_t>(n);
        }
        if (!opt_.resolve_names) return std::nullopt;
        if (const servent* s = getservbyname(w.c_str(), "divert")) return ntohs(s->s_port);
        if (w == "natd") return 8668;
        if (const servent* s = getservbyname(w.c_str(), nullptr)) {
            const uint16_t port = ntohs(s->s_port);
            if (port != 0) return port;
        }
        return std::nullopt;
    }

    Result<void> protocol()
    {
        model::Rule& r = cmd_.rule;
        if (words_.done()) return usage("missing protocol");
        const std::string w = words_.take();
        if (w == "ip" || w == "all" || w == "ip4" || w == "ipv4") {
            r.proto = 0;
        } else if (const auto named = named_protocol(w)) {
            r.proto = *named;
            if (r.proto == kIcmp6) r.ip6 = true;
        } else if (all_digits(w)) {
            const long n = number_in(w, 0, 255);
            if (n < 0) return usage("invalid protocol `" + w + "'");
            r.proto = static_cast<uint16_t>(n);
        } else if (w == "ip6" || w == "ipv6") {
            // Any protocol over IPv6 (docs/ipfw.md "IPv6"); addresses are then IPv6 ones.
            r.ip6 = true;
            r.proto = 0;
        } else if (const protoent* p = opt_.resolve_names ? getprotobyname(w.c_str()) : nullptr) {
            r.proto = static_cast<uint16_t>(p->p_proto);
        } else {
            return usage("invalid protocol `" + w + "'");
        }
        if (!r.ip6 && addresses_ip6(words_.rest())) {
            if (r.proto == kIcmp) return usage("`icmp' with IPv6 addresses: use icmp6");
            r.ip6 = true;
        }
        return {};
    }

    Result<void> endpoint(bool source)
    {
        model::Rule& r = cmd_.rule;
        const bool negate = words_.take_if("not");
        if (words_.done()) return usage(source ? "missing source address" : "missing destination address");
        const std::string w = words_.take();
        if (r.ip6) return endpoint6(source, negate, w);
        uint32_t addr = 0, mask = 0;
        if (w == "me") return usage("`me' is not supported: give the address (docs/ipfw.md)");
        if (w != "any") {
            auto a = address(w);
            if (!a) return a.error();
            addr = a->first;
            mask = a->second;
        }
        (source ? r.src : r.dst) = addr & mask;
        (source ? r.src_mask : r.dst_mask) = mask;
        if (negate) r.invflags |= source ? model::kInvSrcIp : model::kInvDstIp;
        return endpoint_ports(source);
    }

    // Ports follow for tcp and udp; for other protocols a number there is a mistake and any
    // other word is left to the next section, which names it.
    Result<void> endpoint_ports(bool source)
    {
        model::Rule& r = cmd_.rule;
        const bool tcp_udp = r.proto == kTcp || r.proto == kUdp;
        if (!words_.done() && !is_keyword(words_.peek()) &&
            (tcp_udp || std::isdigit(static_cast<unsigned char>(words_.peek()[0])))) {
            const std::string p = words_.take();
            auto range = ports(p);
            if (!range) return range.error();
            (source ? r.sport : r.dport) = *range;
        }
        return {};
    }

    // `any` or an IPv6 address with an optional /len, then ports as for IPv4.
    Result<void> endpoint6(bool source, bool negate, const std::string& w)
    {
        model::Rule& r = cmd_.rule;
        if (w == "me" || w == "me6")
            return usage("`" + w + "' is not supported: give the address (docs/ipfw.md)");
        model::Prefix6 p;
        if (w != "any") {
            auto a = model::parse_prefix6(w);
            if (!a) return usage("bad IPv6 address `" + w + "'");
            p = *a;
        }
        (source ? r.src6 : r.dst6) = p;
        if (negate) r.invflags |= source ? model::kInvSrcIp : model::kInvDstIp;
        return endpoint_ports(source);
    }

    // a.b.c.d, a.b.c.d/len, a.b.c.d:mask -> host-order address and mask.
    Result<std::pair<uint32_t, uint32_t>> address(const std::string& w)
    {
        const size_t sep = w.find_first_of("/:");
        const std::string host = w.substr(0, sep);
        in_addr a{};
        if (inet_pton(AF_INET, host.c_str(), &a) != 1) return usage("bad address `" + w + "'");
        uint32_t mask = 0xFFFFFFFFu;
        if (sep != std::string::npos) {
            const std::string m = w.substr(sep + 1);
            if (w[sep] == '/') {
                const long len = number_in(m, 0, 32);
                if (len < 0) return usage("bad mask length in `" + w + "' (0-32)");
                mask = len == 0 ? 0 : 0xFFFFFFFFu << (32 - len);
            } else {
                in_addr mk{};
                if (inet_pton(AF_INET, m.c_str(), &mk) != 1)
                    return usage("bad mask in `" + w + "'");
                mask = ntohl(mk.s_addr);
            }
        }
        return std::make_pair(ntohl(a.s_addr), mask);
    }

    Result<model::PortRange> ports(const std::string& w)
    {
        const uint16_t proto = cmd_.rule.proto;
        if (proto != kTcp && proto != kUdp)
            return usage("`" + w + "': ports need tcp or udp");
        if (w.find(',') != std::string::npos)
            return usage("port list `" + w + "' is not supported: add one rule per port");
        model::PortRange range;
        if (auto p = port(w)) {
            range.lo = range.hi = *p;
            return range;
        }
        const size_t dash = w.find('-');
        if (dash != std::string::npos) {
            auto lo = port(w.substr(0, dash));
            auto hi = port(w.substr(dash + 1));
            if (lo && hi && *lo <= *hi) {
                range.lo = *lo;
                range.hi = *hi;
                return range;
            }
        }
        return usage("bad port `" + w + "'");
    }

    std::optional<uint16_t> port(const std::string& w)
    {
        if (all_digits(w)) {
            const long n = number_in(w, 0, 65535);
            if (n < 0) return std::nullopt;
            return static_cast<uint16_t>(n);
        }
        if (!opt_.resolve_names || w.empty()) return std::nullopt;
        const servent* s = getservbyname(w.c_str(), cmd_.rule.proto == kTcp ? "tcp" : "udp");
        if (!s) return std::nullopt;
        return ntohs(s->s_port);
    }

    Result<void> options()
    {
        model::Rule& r = cmd_.rule;
        std::string iface_word;  // "via", "recv" or "xmit"
        while (!words_.done()) {
            const std::string w = words_.take();
            if (w == "in" || w == "out") {
                const Direction d = w == "in" ? Direction::In : Direction::Out;
                if (cmd_.direction != Direction::Both && cmd_.direction != d)
                    return usage("`" + w + "' contradicts the direction given before it");
                cmd_.direction = d;
            } else if (w == "via" || w == "recv" || w == "xmit") {
                if (!iface_word.empty())
                    return usage("`" + w + "': an ipchains rule matches one interface, `" +
                                 iface_word + "' was given already");
                if (words_.done()) return usage("`" + w + "' needs an interface name");
                iface_word = w;
                if (auto i = interface(words_.take()); !i) return i.error();
            } else if (w == "src-port" || w == "dst-port") {
                // FreeBSD 5+ spelling of the ports after an address.
                model::PortRange& range = w == "src-port" ? r.sport : r.dport;
                if (!range.any()) return usage("`" + w + "': the ports were given already");
                if (words_.done()) return usage("`" + w + "' needs a port");
                auto p = ports(words_.take());
                if (!p) return p.error();
                range = *p;
            } else if (w == "proto") {
                // FreeBSD's `ip6 from A to B proto udp`: the protocol as an option.
                if (r.proto != 0) return usage("`proto': the protocol was given already");
                if (words_.done()) return usage("`proto' needs a protocol");
                const std::string p = words_.take();
                const long n = number_in(p, 1, 255);
                if (const auto named = named_protocol(p)) r.proto = *named;
                else if (n > 0) r.proto = static_cast<uint16_t>(n);
                else return usage("invalid protocol `" + p + "'");
                if (r.ip6 && r.proto == kIcmp) return usage("`icmp' with ip6: use icmp6");
            } else if (w == "setup") {
                if (r.proto != kTcp) return usage("`setup' needs tcp");
                r.flags |= model::kFlagSyn;
            } else if (w == "frag") {
                if (!r.sport.any() || !r.dport.any())
                    return usage("`frag' cannot go with ports");
                if (r.ip6) return usage("`frag' is not supported with ip6 (docs/ipfw.md)");
                r.flags |= model::kFlagFrag;
            } else {
                return usage("unknown option `" + w + "'");
            }
        }
        // ipchains matches the receiving interface on input and the sending one on output,
        // so recv and xmit choose the direction (docs/ipfw.md "Interfaces").
        const Direction wanted = iface_word == "recv"   ? Direction::In
                                 : iface_word == "xmit" ? Direction::Out
                                                        : cmd_.direction;
        if (cmd_.direction != Direction::Both && cmd_.direction != wanted)
            return usage("`" + iface_word + " " + r.iface + "' cannot go with `" +
                         (cmd_.direction == Direction::In ? "in" : "out") + "'");
        cmd_.direction = wanted;
        return {};
    }

    // FreeBSD writes a prefix match `ppp*`, ipchains `ppp+`: both are taken.
    Result<void> interface(std::string name)
    {
        if (!name.empty() && (name.back() == '*' || name.back() == '+')) {
            name.pop_back();
            cmd_.rule.flags |= model::kFlagWildIf;
        }
        if (name.empty() || name.size() >= parse::detail::kIfNameSize)
            return usage("bad interface name `" + name + "'");
        cmd_.rule.iface = name;
        return {};
    }

    Words words_;
    const GrammarOptions& opt_;
    Command cmd_;
};

}  // namespace

Result<Command> parse(const std::vector<std::string>& args, const GrammarOptions& opt)
{
    Grammar g(args, opt);
    return g.run();
}

}  // namespace ipchains::ipfw
