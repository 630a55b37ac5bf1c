#include "core/gather.h"

#include <cerrno>
#include <cstring>

#include "core/ipv4.h"
#include "core/thread_buffer.h"

namespace divert {

const uint8_t* gather(const iovec* iov, size_t n, size_t* len)
{
    size_t total = 0;
    for (size_t i = 0; i < n; ++i) total += iov[i].iov_len;
    *len = total;
    if (n == 1) return static_cast<const uint8_t*>(iov[0].iov_base);
    if (total > ipv4::kMaxPacket) {
        errno = EMSGSIZE;
        return nullptr;
    }
    struct Buffer {
        uint8_t bytes[ipv4::kMaxPacket];
    };
    Buffer* buf = thread_buffer<Buffer>();
    if (buf == nullptr) {
        errno = ENOMEM;
        return nullptr;
    }
    size_t off = 0;
    for (size_t i = 0; i < n; ++i) {
        if (iov[i].iov_len) std::memcpy(buf->bytes + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    return buf->bytes;
}

}  // namespace divert
