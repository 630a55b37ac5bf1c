#include "model/icmp.h"

#include <strings.h>

namespace ipchains::model {

namespace {

constexpr uint16_t kAny = 0xFFFF;

// Indented entries in the comments are the codes of the type above them.
const IcmpName kNames[] = {
    {"echo-reply", 0, 0, kAny, true},
    {"pong", 0, 0, kAny, true},
    {"destination-unreachable", 3, 0, kAny, false},
    {"network-unreachable", 3, 0, 0, true},
    {"host-unreachable", 3, 1, 1, true},
    {"protocol-unreachable", 3, 2, 2, true},
    {"port-unreachable", 3, 3, 3, true},
    {"fragmentation-needed", 3, 4, 4, true},
    {"source-route-failed", 3, 5, 5, true},
    {"network-unknown", 3, 6, 6, true},
    {"host-unknown", 3, 7, 7, true},
    {"network-prohibited", 3, 9, 9, true},
    {"host-prohibited", 3, 10, 10, true},
    {"TOS-network-unreachable", 3, 11, 11, true},
    {"TOS-host-unreachable", 3, 12, 12, true},
    {"communication-prohibited", 3, 13, 13, true},
    {"host-precedence-violation", 3, 14, 14, true},
    {"precedence-cutoff", 3, 15, 15, true},
    {"source-quench", 4, 0, kAny, true},
    {"redirect", 5, 0, kAny, false},
    {"network-redirect", 5, 0, 0, true},
    {"host-redirect", 5, 1, 1, true},
    {"TOS-network-redirect", 5, 2, 2, true},
    {"TOS-host-redirect", 5, 3, 3, true},
    {"echo-request", 8, 0, kAny, true},
    {"ping", 8, 0, kAny, true},
    {"router-advertisement", 9, 0, kAny, true},
    {"router-solicitation", 10, 0, kAny, true},
    {"time-exceeded", 11, 0, kAny, false},
    {"ttl-exceeded", 11, 0, kAny, false},
    {"ttl-zero-during-transit", 11, 0, 0, true},
    {"ttl-zero-during-reassembly", 11, 1, 1, true},
    {"parameter-problem", 12, 0, kAny, false},
    {"ip-header-bad", 12, 0, 0, true},
    {"required-option-missing", 12, 1, 1, true},
    {"timestamp-request", 13, 0, kAny, true},
    {"timestamp-reply", 14, 0, kAny, true},
    {"address-mask-request", 17, 0, kAny, true},
    {"address-mask-reply", 18, 0, kAny, true},
};

constexpr std::size_t kCount = sizeof(kNames) / sizeof(kNames[0]);

}  // namespace

const IcmpName* icmp_names(std::size_t* count)
{
    *count = kCount;
    return kNames;
}

const IcmpName* icmp_find_prefix(const std::string& prefix, const IcmpName** second)
{
    const IcmpName* first = nullptr;
    *second = nullptr;
    for (const auto& n : kNames) {
        if (strncasecmp(n.name, prefix.c_str(), prefix.size()) != 0) continue;
        if (first) {
            *second = &n;
            return first;
        }
        first = &n;
    }
    return first;
}

const IcmpName* icmp_find_exact(uint16_t type, uint16_t code_min, uint16_t code_max)
{
    for (const auto& n : kNames)
        if (n.type == type && n.code_min == code_min && n.code_max == code_max) return &n;
    return nullptr;
}

}  // namespace ipchains::model
