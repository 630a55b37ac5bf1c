#include "core/fwapi_hook.h"

#include <netinet/in.h>

namespace divert {

bool is_ipfw_call(int level, int optname, socklen_t len)
{
    if (level != IPPROTO_IP || optname < 64 || optname > 76) return false;
    switch (len) {
    case 9: case 12: case 16: case 18: case 72: case 80: case 84: return true;
    default: return false;
    }
}

}  // namespace divert
