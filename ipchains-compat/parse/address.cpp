#include "parse/address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "parse/numbers.h"

namespace ipchains::parse::detail {

std::optional<uint32_t> dotted_to_addr(const std::string& s)
{
    uint32_t addr = 0;
    std::size_t start = 0;
    for (int i = 0; i < 4; ++i) {
        const std::size_t dot = (i < 3) ? s.find('.', start) : s.size();
        if (dot == std::string::npos) return std::nullopt;
        const long part = string_to_number(s.substr(start, dot - start), 0, 255);
        if (part == -1) return std::nullopt;
        addr = (addr << 8) | static_cast<uint32_t>(part);
        start = dot + 1;
    }
    return addr;
}

namespace {

Result<uint32_t> parse_mask(const std::optional<std::string>& mask)
{
    if (!mask) return 0xFFFFFFFFu;
    if (auto dotted = dotted_to_addr(*mask)) return *dotted;
    const long bits = string_to_number(*mask, 0, 32);
    if (bits == -1) return Error::usage("invalid mask `" + *mask + "' specified");
    return bits == 0 ? 0u : static_cast<uint32_t>(0xFFFFFFFFull << (32 - bits));
}

std::optional<uint32_t> network_to_addr(const std::string& name)
{
    struct netent ne;
    struct netent* result = nullptr;
    char buf[1024];
    int herr = 0;
    if (getnetbyname_r(name.c_str(), &ne, buf, sizeof buf, &result, &herr) != 0 || !result)
        return std::nullopt;
    if (result->n_addrtype != AF_INET) return std::nullopt;
    return static_cast<uint32_t>(result->n_net);
}

// Every A record, in the order the resolver gives them.
std::vector<uint32_t> host_to_addrs(const std::string& name)
{
    std::vector<uint32_t> out;
    struct hostent he;
    struct hostent* result = nullptr;
    std::vector<char> buf(8192);
    int herr = 0;
    for (;;) {
        const int rc = gethostbyname_r(name.c_str(), &he, buf.data(), buf.size(), &result, &herr);
        if (rc == ERANGE && buf.size() < (1u << 20)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (rc != 0 || !result) return out;
        break;
    }
    if (result->h_addrtype != AF_INET || result->h_length != 4) return out;
    for (char** p = result->h_addr_list; *p; ++p) {
        uint32_t a;
        std::memcpy(&a, *p, 4);
        out.push_back(ntohl(a));
    }
    return out;
}

}  // namespace

Result<AddressSet> parse_hostnetworkmask(const std::string& word, bool resolve)
{
    std::string name = word;
    std::optional<std::string> mask_word;
    const std::size_t slash = name.rfind('/');
    if (slash != std::string::npos) {
        mask_word = name.substr(slash + 1);
        name.erase(slash);
    }
    auto mask = parse_mask(mask_word);
    if (!mask) return mask.error();

    AddressSet set;
    set.mask = *mask;
    if (set.mask == 0) name = "0.0.0.0";

    std::vector<uint32_t> found;
    if (auto dotted = dotted_to_addr(name)) {
        found.push_back(*dotted);
    } else if (resolve && name.find('\0') == std::string::npos) {
        if (auto net = network_to_addr(name))
            found.push_back(*net);
        else
            found = host_to_addrs(name);
    }
    if (found.empty()) return Error::usage("host/network `" + name + "' not found");

    for (uint32_t a : found) {
        a &= set.mask;
        if (std::find(set.addrs.begin(), set.addrs.end(), a) == set.addrs.end())
            set.addrs.push_back(a);
    }
    return set;
}

}  // namespace ipchains::parse::detail
