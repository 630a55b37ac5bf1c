// Inbound injection (a write whose sin_addr is a local address enters "as if received on that
// interface", docs/divert.7). No socket can do that on Linux, so per target interface we keep a
// tap device whose egress (clsact, u32 catch-all + mirred ingress redirect) hands every frame to
// the target interface's ingress. The packet then reaches prerouting with the real interface as
// its input interface: `-i eth0` rules, rp_filter and routing all see what they would see for a
// received packet. Frames are sent on the tap through packet sockets, one per firewall mark,
// because the mark is what tells the ruleset which DIVERT rules the packet skips or after which
// one it resumes (docs/design.md "Mark bits"); a frame written into the tap's own descriptor
// would arrive unmarked. Limits (docs/divert.7): needs sch_ingress (clsact), cls_u32 and
// act_mirred; a tap device named dvin<N> exists while the process lives.
#pragma once

#include <cstddef>
#include <cstdint>

namespace divert::inject_in {

// Fixes an IPv4 header (checksum, zero ID -> next_id, tot_len) in a copy (an IPv6 packet
// must come fixed, ipv6::fix_packet) and delivers the packet into ifindex's ingress carrying firewall mark `mark`. 0 or an errno (EMSGSIZE above
// the interface MTU).
int send(uint32_t ifindex, uint32_t mark, const uint8_t* pkt, size_t len, uint16_t next_id);

// fork(): held across the fork (the child shares the taps, which stay valid).
void lock_for_fork();
void unlock_after_fork();

}  // namespace divert::inject_in
