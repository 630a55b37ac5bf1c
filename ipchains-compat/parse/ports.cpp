#include "parse/ports.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <strings.h>

#include "parse/numbers.h"

namespace ipchains::parse::detail {

Result<uint16_t> parse_protocol(const std::string& s)
{
    const long n = string_to_number(s, 0, 65535);
    if (n != -1) return static_cast<uint16_t>(n);

    if (s.find('\0') == std::string::npos) {
        struct protoent pe;
        struct protoent* result = nullptr;
        char buf[1024];
        if (getprotobyname_r(s.c_str(), &pe, buf, sizeof buf, &result) == 0 && result)
            return static_cast<uint16_t>(result->p_proto);
    }
    // Built in so that `-p TCP` works without /etc/protocols aliases.
    static const struct {
        const char* name;
        uint16_t num;
    } kBuiltin[] = {{"all", 0}, {"tcp", kProtoTcp}, {"udp", kProtoUdp}, {"icmp", kProtoIcmp}};
    for (const auto& p : kBuiltin)
        if (strcasecmp(s.c_str(), p.name) == 0 && s.find('\0') == std::string::npos)
            return p.num;
    return Error::usage("unknown protocol `" + s + "' specified");
}

namespace {

long service_to_port(const std::string& name, uint16_t proto)
{
    if (name.find('\0') != std::string::npos) return -1;
    const char* pname = proto == kProtoTcp ? "tcp" : proto == kProtoUdp ? "udp" : nullptr;
    if (!pname) return -1;
    struct servent se;
    struct servent* result = nullptr;
    char buf[1024];
    if (getservbyname_r(name.c_str(), pname, &se, buf, sizeof buf, &result) != 0 || !result)
        return -1;
    return ntohs(static_cast<uint16_t>(result->s_port));
}

}  // namespace

Result<uint16_t> parse_port(const std::string& s, uint16_t proto, const PortRules& rules)
{
    const bool port_proto = proto == kProtoIcmp || proto == kProtoTcp || proto == kProtoUdp;
    if (!port_proto && !rules.any_protocol)
        return Error::usage("can only specify ports for icmp, tcp or udp");
    const long n = string_to_number(s, 0, 65535);
    if (n != -1) return static_cast<uint16_t>(n);
    if (proto == kProtoIcmp) return Error::usage("invalid ICMP type `" + s + "' specified");
    if (rules.resolve) {
        const long p = service_to_port(s, proto);
        if (p != -1) return static_cast<uint16_t>(p);
    }
    return Error::usage("invalid port/service `" + s + "' specified");
}

Result<model::PortRange> parse_ports(const std::optional<std::string>& s, uint16_t proto,
                                     const PortRules& rules)
{
    model::PortRange r;
    if (!s) return r;
    const std::size_t colon = s->find(':');
    if (colon == std::string::npos) {
        auto p = parse_port(*s, proto, rules);
        if (!p) return p.error();
        r.lo = r.hi = *p;
        return r;
    }
    const std::string lo = s->substr(0, colon), hi = s->substr(colon + 1);
    if (!lo.empty()) {
        auto p = parse_port(lo, proto, rules);
        if (!p) return p.error();
        r.lo = *p;
    }
    if (!hi.empty()) {
        auto p = parse_port(hi, proto, rules);
        if (!p) return p.error();
        r.hi = *p;
    }
    return r;
}

}  // namespace ipchains::parse::detail
