// Protocols, ports, port ranges and ICMP type/code words. Internal to parse/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "model/rule.h"

namespace ipchains::parse::detail {

constexpr uint16_t kProtoIcmp = 1;
constexpr uint16_t kProtoTcp = 6;
constexpr uint16_t kProtoUdp = 17;

// -p: a number 0-65535, a getprotobyname name, or all/tcp/udp/icmp in any case.
Result<uint16_t> parse_protocol(const std::string& s);

struct PortRules {
    bool resolve = true;       // service names (getservbyname) allowed
    bool any_protocol = false; // restore lines: numeric ports on any protocol (the kernel
                               // stored them; userdata must round-trip)
};

// One port (or ICMP type/code) for protocol `proto`.
Result<uint16_t> parse_port(const std::string& s, uint16_t proto, const PortRules& rules);

// "port", "lo:hi", "lo:", ":hi", ":"; absent = 0:65535.
Result<model::PortRange> parse_ports(const std::optional<std::string>& s, uint16_t proto,
                                     const PortRules& rules);

}  // namespace ipchains::parse::detail
