// Inbound injection (spec 5.1: a write whose sin_addr is a local address enters "as if received
// on that interface"). No socket can do that on Linux, so per target interface we keep a tap
// device whose ingress qdisc redirects every frame (u32 catch-all + mirred ingress redirect)
// into the target interface's ingress. The packet then reaches prerouting with the real
// interface as its input interface: `-i eth0` rules, rp_filter and routing all see what they
// would see for a received packet. Limits (docs/divert.7): needs sch_ingress, cls_u32 and
// act_mirred; a tap device named dvin<N> exists while the process lives.
#pragma once

#include <cstddef>
#include <cstdint>

namespace divert::inject_in {

// Fixes the IP header (checksum, zero ID -> next_id, tot_len) in a copy and delivers the
// packet into ifindex's ingress. 0 or an errno (EMSGSIZE above the interface MTU).
int send(uint32_t ifindex, const uint8_t* pkt, size_t len, uint16_t next_id);

// fork(): held across the fork (the child shares the taps, which stay valid).
void lock_for_fork();
void unlock_after_fork();

}  // namespace divert::inject_in
