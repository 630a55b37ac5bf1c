// Thread-local reentrancy guard: while libdivert itself runs (libmnl, getifaddrs-style netlink
// dumps, the IP_FW_* engine), every hook forwards straight to libc, so our own socket calls
// are never intercepted a second time.
#pragma once

namespace divert {

extern thread_local int t_guard_depth;

inline bool inside_library() { return t_guard_depth != 0; }

class Guard {
public:
    Guard() { ++t_guard_depth; }
    ~Guard() { --t_guard_depth; }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
};

}  // namespace divert
