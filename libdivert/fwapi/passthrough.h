// Telling a libiptc call from a 2.2 one. iptables reuses option numbers 64 and 65
// (IPT_SO_SET_REPLACE, IPT_SO_SET_ADD_COUNTERS); a process may use both APIs, and libiptc's
// calls must reach the kernel untouched (docs/reference/firewall-api.md 11).
#pragma once

#include <cstddef>

namespace divert::fwapi {

// True when (optname, buffer) is an ip_tables call: IPT_SO_SET_REPLACE with at least an
// ipt_replace, or IPT_SO_SET_ADD_COUNTERS whose buffer starts with a table name (char[32],
// NUL-terminated, lowercase) and whose length matches its own counter count.
// No 2.2 struct of the lengths libdivert is handed can pass this test, since the 2.2 APPEND
// and REPLACE lengths (80, 84) are not of the form header + 16 * n on LP64.
// `prefix` holds the first min(len, kIptablesPrefix) bytes of the caller's buffer.
constexpr std::size_t kIptablesPrefix = 64;
bool is_iptables_call(int optname, const unsigned char* prefix, std::size_t len);

}  // namespace divert::fwapi
