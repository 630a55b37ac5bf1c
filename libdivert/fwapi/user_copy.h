// copy_from_user for an emulated system call: a bad pointer must fail with EFAULT, as the
// kernel's copy did, instead of crashing the program inside the library.
#pragma once

#include <cstddef>

namespace divert::fwapi {

// Copies len bytes from the caller's pointer. Returns 0, or EFAULT when any byte of the
// source is not readable.
int copy_from_user(void* dst, const void* src, std::size_t len);

}  // namespace divert::fwapi
