#include "parse/tos.h"

#include <cstdio>

namespace ipchains::parse::detail {

namespace {

// Only 0x0E is looked at, so 0x10 (Minimize Delay) never counts: a 1.3.9 quirk kept as is.
int count_tos_bits(unsigned bits)
{
    bits &= 0x0E;
    int n = 0;
    for (; bits; bits >>= 1) n += bits & 1;
    return n;
}

}  // namespace

Result<void> check_tos(uint8_t tos_and, uint8_t tos_xor, std::vector<std::string>* warnings)
{
    if (!(tos_and & 1) || (tos_xor & 1))
        return Error::usage("TOS manipulation cannot alter bit 0 (RFC1349)\n");
    if (count_tos_bits(static_cast<uint8_t>(~tos_and) & tos_xor) > 1)
        return Error::usage("TOS manipulation cannot set multiple TOS bits (RFC1349)\n");

    static const struct {
        uint8_t tos;
        const char* name;
    } kStandard[] = {{0x10, "Minimize Delay"},
                     {0x08, "Minimize Throughput"},
                     {0x04, "Maximize Reliability"},
                     {0x02, "Minimize Cost"},
                     {0x00, "Normal Service"}};
    for (const auto& v : kStandard) {
        if (count_tos_bits((v.tos & tos_and) ^ tos_xor) <= 1 || !warnings) continue;
        char buf[128];
        std::snprintf(buf, sizeof buf,
                      "Warning: TOS manipulation may set multiple TOS bits for %s TOS (0x%02x)",
                      v.name, v.tos);
        warnings->push_back(buf);
    }
    return {};
}

}  // namespace ipchains::parse::detail
