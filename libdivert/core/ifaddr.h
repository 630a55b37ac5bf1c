// Interface addresses and names as recvfrom and inbound injection need them: the first IPv4
// address of an interface (what 2.2/FreeBSD put in sin_addr for incoming packets), which
// interface owns a local address, and interface names (FreeBSD's sin_zero). Read from
// rtnetlink and cached for one second, so the per-packet cost is an array lookup; a miss
// refreshes at once.
#pragma once

#include <cstddef>
#include <cstdint>

#include <netinet/in.h>

namespace divert::ifaddr {

// Network byte order; INADDR_ANY when the interface has no IPv4 address.
in_addr_t first_address(uint32_t ifindex);

// The interface index owning `addr` (network order), 0 when no local interface has it.
uint32_t owner_of(in_addr_t addr);

// The interface's name cut to size - 1 bytes and NUL-terminated (FreeBSD puts it in sin_zero,
// 8 bytes); all zero and false when ifindex is unknown.
bool name_of(uint32_t ifindex, char* out, size_t size);

// The interface whose name is `name` (at most len bytes, NUL-terminated or not); a name cut to
// len - 1 bytes by name_of() also finds its interface when no other name starts the same.
// 0 when none.
uint32_t index_of(const char* name, size_t len);

// Drops the cache (tests, and after fork).
void invalidate();

// fork(): held across the fork so the child never inherits the lock taken.
void lock_for_fork();
void unlock_after_fork();

}  // namespace divert::ifaddr
