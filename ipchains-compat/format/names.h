// Name lookups for listings without -n: reverse DNS, /etc/networks, /etc/services and
// /etc/protocols. An interface so that tests (and anything that must not touch DNS) can supply
// a fixed table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ipchains::format {

class NameLookup {
public:
    virtual ~NameLookup() = default;
    // Host order addresses. host(): gethostbyaddr; network(): getnetbyaddr.
    virtual std::optional<std::string> host(uint32_t addr) = 0;
    virtual std::optional<std::string> network(uint32_t addr) = 0;
    // getservbyport for "tcp"/"udp".
    virtual std::optional<std::string> service(uint16_t port, const char* proto) = 0;
    // getprotobynumber (used even with -n, as 1.3.9 did).
    virtual std::optional<std::string> protocol(uint16_t proto) = 0;
};

// The C library's lookups. Each address is resolved at most once per process, so a listing
// with many rules on the same addresses waits for the resolver only once per address.
NameLookup& system_names();

}  // namespace ipchains::format
