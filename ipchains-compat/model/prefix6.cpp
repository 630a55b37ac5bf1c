#include "model/prefix6.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstdlib>

#include "model/ruleset.h"

namespace ipchains::model {

std::optional<Prefix6> parse_prefix6(const std::string& w)
{
    const size_t slash = w.find('/');
    const std::string host = w.substr(0, slash);
    Prefix6 p;
    if (inet_pton(AF_INET6, host.c_str(), p.addr.data()) != 1) return std::nullopt;
    long len = 128;
    if (slash != std::string::npos) {
        const std::string l = w.substr(slash + 1);
        if (l.empty() || l.size() > 3) return std::nullopt;
        for (char c : l)
            if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        len = std::strtol(l.c_str(), nullptr, 10);
        if (len > 128) return std::nullopt;
    }
    p.len = static_cast<uint8_t>(len);
    for (size_t i = 0; i < 16; ++i) {
        const long bits = len - static_cast<long>(i) * 8;
        if (bits >= 8) continue;
        p.addr[i] &= bits <= 0 ? 0 : static_cast<uint8_t>(0xFF << (8 - bits));
    }
    return p;
}

std::string prefix6_text(const Prefix6& p)
{
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, p.addr.data(), buf, sizeof buf);
    return std::string(buf) + "/" + std::to_string(p.len);
}

bool has_ip6_rules(const Ruleset& rs)
{
    for (const auto& c : rs.chains)
        for (const auto& r : c.rules)
            if (r.ip6) return true;
    return false;
}

}  // namespace ipchains::model
