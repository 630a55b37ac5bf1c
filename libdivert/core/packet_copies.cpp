#include "core/packet_copies.h"

#include <utility>

namespace divert {

void PacketCopies::reset(std::unique_ptr<uint8_t[]> buf, size_t capacity)
{
    if (buf) {
        ring_ = std::move(buf);
        cap_ = capacity;
    }
    clear();
}

}  // namespace divert
