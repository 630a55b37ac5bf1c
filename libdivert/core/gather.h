// sendmsg/writev hand us scattered buffers; the send path wants one contiguous packet.
#pragma once

#include <cstddef>
#include <cstdint>

#include <sys/uio.h>

namespace divert {

// The packet as one buffer: iov[0] itself when there is a single piece, else a per-thread
// copy. nullptr and errno EMSGSIZE when the total exceeds the largest IPv4 datagram, ENOMEM
// when the per-thread buffer cannot be allocated.
const uint8_t* gather(const iovec* iov, size_t n, size_t* len);

}  // namespace divert
