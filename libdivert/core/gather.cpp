#include "core/gather.h"

#include <cstring>
#include <memory>

#include "core/ipv4.h"

namespace divert {

const uint8_t* gather(const iovec* iov, size_t n, size_t* len)
{
    size_t total = 0;
    for (size_t i = 0; i < n; ++i) total += iov[i].iov_len;
    *len = total;
    if (n == 1) return static_cast<const uint8_t*>(iov[0].iov_base);
    if (total > ipv4::kMaxPacket) return nullptr;
    thread_local std::unique_ptr<uint8_t[]> buf;
    if (!buf) buf.reset(new uint8_t[ipv4::kMaxPacket]);
    size_t off = 0;
    for (size_t i = 0; i < n; ++i) {
        if (iov[i].iov_len) std::memcpy(buf.get() + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    return buf.get();
}

}  // namespace divert
