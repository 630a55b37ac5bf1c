#include "core/fwapi_hook.h"

#include <netinet/in.h>

namespace divert {

bool is_ipfw_call(int level, int optname, socklen_t len)
{
    if (level != IPPROTO_IP || optname < 64 || optname > 76) return false;
    // 64 and 65 are also IPT_SO_SET_REPLACE / IPT_SO_SET_ADD_COUNTERS, whose buffers are never
    // one of the 2.2 sizes; 66..76 mean nothing to ip_tables' setsockopt, so every length is
    // ours there and a wrong one gets 2.2's EINVAL instead of the kernel's ENOPROTOOPT.
    if (optname >= 66) return true;
    switch (len) {
    case 9: case 12: case 16: case 18: case 72: case 80: case 84: return true;
    default: return false;
    }
}

}  // namespace divert
