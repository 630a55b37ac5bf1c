// Which descriptors are divert sockets: fd -> shared_ptr<DivertSocket> under one mutex that is
// never nested with anything else in normal operation and never held across a libc call, so a
// blocking recv on one socket cannot stall a close on another. Destruction happens outside the
// lock (remove() hands the reference back to the caller).
//
// Internal descriptors (the injection raw sockets, tap devices) are listed too: close() and
// dup2() onto them fail with EBADF, so a program that closes "all other fds" cannot break us.
#pragma once

#include <memory>
#include <vector>

namespace divert {

class DivertSocket;

namespace registry {

// Cheap pre-check for every hooked call: false means "no divert socket or internal fd exists".
bool maybe_any();

std::shared_ptr<DivertSocket> find(int fd);
void add(int fd, std::shared_ptr<DivertSocket> s);
// Unregisters fd; returns the socket so the caller drops the reference outside the lock.
std::shared_ptr<DivertSocket> remove(int fd);
// How many descriptors in this process still refer to s.
int count_refs(const DivertSocket* s);

// False (and nothing registered) when the table cannot grow: the caller closes fd.
bool add_internal(int fd) noexcept;
void remove_internal(int fd);
bool is_internal(int fd);

// Every registered socket, once each, into out (cleared first, its capacity reused: the
// reaper's ticks allocate nothing).
void snapshot_into(std::vector<std::shared_ptr<DivertSocket>>& out);

// fork(): the registry lock is held across fork so the child never inherits it locked.
void lock_for_fork();
void unlock_after_fork();

}  // namespace registry
}  // namespace divert
