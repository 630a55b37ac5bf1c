#include "fwapi/passthrough.h"

#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>

#include <cstdint>
#include <cstring>

namespace divert::fwapi {

namespace {

bool table_name_shaped(const unsigned char* buf, std::size_t len)
{
    if (len < XT_TABLE_MAXNAMELEN || kIptablesPrefix < XT_TABLE_MAXNAMELEN) return false;
    if (!(buf[0] >= 'a' && buf[0] <= 'z')) return false;
    for (std::size_t i = 0; i < XT_TABLE_MAXNAMELEN; ++i) {
        unsigned char c = buf[i];
        if (c == '\0') return true;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return false;
}

}  // namespace

bool is_iptables_call(int optname, const unsigned char* buf, std::size_t len)
{
    // IPT_SO_SET_REPLACE carries at least a struct ipt_replace, larger than any 2.2 struct;
    // a 2.2 APPEND's first bytes (the source address) can look like a table name.
    if (optname == IPT_SO_SET_REPLACE) return len >= sizeof(struct ipt_replace);
    if (optname != IPT_SO_SET_ADD_COUNTERS) return false;
    if (len < sizeof(struct xt_counters_info) || !table_name_shaped(buf, len)) return false;
    uint32_t n;
    std::memcpy(&n, buf + offsetof(struct xt_counters_info, num_counters), sizeof n);
    return n <= 0xFFFFFF && sizeof(struct xt_counters_info) + n * sizeof(struct xt_counters) == len;
}

}  // namespace divert::fwapi
