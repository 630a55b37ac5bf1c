// The library's housekeeping thread. On Linux 2.2 and FreeBSD the kernel forgot a diverted
// packet once the program had read it; NFQUEUE keeps it until a verdict, charged to the sender
// (a local socket's send buffer, TCP's retransmission logic). So a packet handed out and not
// written back within the socket's lifetime gets its drop verdict here, while the program may
// sleep in select()/poll() and make no call at all (docs/divert.7 "Packet lifetime").
//
// One thread per process, started by the first packet a socket registers, with every signal
// blocked (the program's handlers keep running on its own threads). It ticks while packets are
// pending or were lately, and otherwise sleeps until a socket wakes it. After fork() the child
// has no such thread; the next packet it registers starts one.
#pragma once

#include <cstdint>

namespace divert::reaper {

// The lifetime of sockets that did not set one: LIBDIVERT_LIFETIME_MS, or 50 ms (well under
// TCP's 200 ms minimum retransmission timeout). 0 means "hold until written back".
unsigned default_lifetime_ms() noexcept;

// Milliseconds on CLOCK_MONOTONIC_COARSE: cheap enough for every packet, and the lifetime
// needs no finer grain.
uint64_t now_ms() noexcept;

// A socket registered packets. Starts the thread in this process if needed and wakes it when
// it is idle; a relaxed load otherwise, so the packet path stays free of system calls.
void packets_registered() noexcept;

// fork(): the reaper's lock is the last in the library's lock order (libdivert/README.md).
void lock_for_fork() noexcept;
void unlock_after_fork(bool child) noexcept;

}  // namespace divert::reaper
