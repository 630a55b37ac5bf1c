// The C entry points: 2.2's generic checks (ip_sockglue.c order: EFAULT, EACCES, EINVAL,
// EFAULT), then decode, then the backend. Never throws, never prints.
#include "fwapi/fwapi.h"

#include <algorithm>
#include <cerrno>
#include <new>

#include <linux/ip_fw.h>

#include "backend/backend.h"
#include "fwapi/backend_cache.h"
#include "fwapi/capability.h"
#include "fwapi/dispatch.h"
#include "fwapi/passthrough.h"
#include "fwapi/request.h"
#include "fwapi/user_copy.h"

namespace divert::fwapi {

namespace {

// The larger of sizeof(struct ip_fwtest) and sizeof(struct ip_fwnew).
constexpr std::size_t kMaxLength = 84;

int fail(int err)
{
    errno = err;
    return -1;
}

bool belongs_to_iptables(int optname, const void* val, socklen_t len)
{
    unsigned char prefix[kIptablesPrefix];
    const std::size_t n = std::min<std::size_t>(len, sizeof prefix);
    if (copy_from_user(prefix, val, n) != 0) return false;
    return is_iptables_call(optname, prefix, len);
}

int firewall_setsockopt(int optname, const void* val, socklen_t len)
{
    // [DECISION] docs/reference/firewall-api.md 5: no masquerading control.
    if (optname == IP_FW_MASQ_CTL) return fail(ENOPROTOOPT);
    int first;
    if (len >= sizeof first && copy_from_user(&first, val, sizeof first) != 0)
        return fail(EFAULT);
    if (!has_net_admin()) return fail(EACCES);
    if (len < 1 || len > kMaxLength) return fail(EINVAL);
    unsigned char buf[kMaxLength];
    if (int err = copy_from_user(buf, val, len)) return fail(err);

    auto rq = decode_request(optname, buf, len);
    if (!rq) return fail(rq.error().code);
    int err = 0;
    if (rq->kind == Request::Kind::Nothing) {
        err = 0;
    } else {
        err = with_backend([&](ipchains::backend::Backend& be) { return run_request(be, *rq); });
    }
    return err == 0 ? 0 : fail(err);
}

}  // namespace

}  // namespace divert::fwapi

using namespace divert::fwapi;

extern "C" int divert_fwapi_setsockopt(int /*fd*/, int optname, const void* val, socklen_t len,
                                       int* handled)
{
    *handled = 0;
    if (optname < IP_FW_BASE_CTL || optname > IP_FW_MASQ_CTL) return 0;
    if (belongs_to_iptables(optname, val, len)) return 0;
    *handled = 1;
    try {
        return firewall_setsockopt(optname, val, len);
    } catch (const std::bad_alloc&) {
        return fail(ENOMEM);
    } catch (...) {
        return fail(EINVAL);
    }
}

extern "C" int divert_fwapi_getsockopt(int /*fd*/, int optname, void* /*val*/,
                                       socklen_t* /*len*/, int* handled)
{
    *handled = 0;
    // 64..67 are also libiptc's IPT_SO_GET_INFO/ENTRIES/REVISION_*: the kernel's to answer.
    if (optname < IP_FW_INSERT || optname > IP_FW_MASQ_CTL) return 0;
    *handled = 1;
    return fail(ENOPROTOOPT);
}
