// Interface addresses as recvfrom and inbound injection need them: the first IPv4 address of
// an interface (what 2.2/FreeBSD put in sin_addr for incoming packets), and which interface
// owns a local address. Read from rtnetlink and cached for one second, so the per-packet cost
// is an array lookup; a miss refreshes at once.
#pragma once

#include <cstdint>

#include <netinet/in.h>

namespace divert::ifaddr {

// Network byte order; INADDR_ANY when the interface has no IPv4 address.
in_addr_t first_address(uint32_t ifindex);

// The interface index owning `addr` (network order), 0 when no local interface has it.
uint32_t owner_of(in_addr_t addr);

// Drops the cache (tests, and after fork).
void invalidate();

// fork(): held across the fork so the child never inherits the lock taken.
void lock_for_fork();
void unlock_after_fork();

}  // namespace divert::ifaddr
