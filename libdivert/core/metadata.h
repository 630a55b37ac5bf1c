// The per-packet metadata a DIVERT_METADATA socket's recvmsg() hands out as control messages
// (divert.h DIVERT_CMSG_*; docs/divert.7 "Metadata"): what NFQUEUE told us about the packet
// and the rule number recvfrom also reports.
#pragma once

#include <cstdint>

#include <sys/socket.h>

namespace divert {

struct Metadata {
    uint32_t in_ifindex = 0;
    uint32_t out_ifindex = 0;
    uint32_t hook = 0;  // NF_INET_*, the same numbers as DIVERT_HOOK_*
    uint32_t mark = 0;
    uint32_t rule = 0;
    bool has_uid = false;
    bool has_gid = false;
    uint32_t uid = 0;
    uint32_t gid = 0;
};

// Writes the control messages into msg->msg_control (msg_controllen bytes of room), sets
// msg_controllen to the bytes used and adds MSG_CTRUNC to msg_flags when they did not all fit.
void put_cmsgs(msghdr* msg, const Metadata& m);

}  // namespace divert
