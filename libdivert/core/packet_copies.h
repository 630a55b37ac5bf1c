// The bytes of the packets a socket handed out, kept so that a write can be compared with what
// the program was given (one memcmp) instead of hashing the packet on the way in and again on
// the way out. A byte ring in arrival order, allocated once at bind: steady-state receive and
// reinjection never touch the heap, and a loop that writes each packet back soon after reading
// it never hashes at all. A copy about to be overwritten (a program holding many packets) is
// handed to the caller first, which keeps a hash of it instead (PendingEntry::hashed).
//
// Not locked: the owner (DivertSocket) calls it under its mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace divert {

class PacketCopies {
public:
    // Room for the largest IPv4 datagram twice over, so a record never waits for space that
    // the end-of-ring skip wasted.
    static constexpr size_t kMinCapacity = 2 * (8 + 65536);

    // Takes a buffer of `capacity` bytes (a multiple of 8, at least twice the largest record:
    // kMinCapacity for any datagram; allocated by the caller outside any lock) and forgets
    // every copy. A null buffer keeps the current one.
    void reset(std::unique_ptr<uint8_t[]> buf, size_t capacity);
    // Forgets every copy, keeps the buffer.
    void clear() { head_ = tail_ = 0; }
    bool ready() const { return cap_ != 0; }

    // Stores len bytes for packet id and returns the position to give to at(). Copies that
    // the new one overwrites are first passed to evict(id, position, bytes, len), oldest first.
    // Requires ready() and len <= 65535.
    template <typename Evict>
    uint64_t store(uint32_t id, const uint8_t* data, uint32_t len, Evict&& evict);

    // The bytes stored at pos, valid until a later store() evicts them.
    const uint8_t* at(uint64_t pos) const { return ring_.get() + pos % cap_ + sizeof(Record); }
    // A position store() returned, not evicted since.
    bool holds(uint64_t pos) const { return cap_ != 0 && pos >= tail_ && pos < head_; }

private:
    struct Record {
        uint32_t id;
        uint32_t len;  // kSkip: the rest of the ring up to its end is unused
    };
    static constexpr uint32_t kSkip = 0xffffffffu;
    static size_t record_size(uint32_t len) { return (sizeof(Record) + len + 7) & ~size_t{7}; }

    template <typename Evict>
    void make_room(size_t need, Evict& evict);

    std::unique_ptr<uint8_t[]> ring_;
    size_t cap_ = 0;
    // Monotonic byte positions (ring offset = position % cap_): records live in [tail_, head_).
    uint64_t head_ = 0;
    uint64_t tail_ = 0;
};

template <typename Evict>
void PacketCopies::make_room(size_t need, Evict& evict)
{
    while (cap_ - (head_ - tail_) < need) {
        Record r;
        std::memcpy(&r, ring_.get() + tail_ % cap_, sizeof r);
        if (r.len == kSkip) {
            tail_ += cap_ - tail_ % cap_;
            continue;
        }
        evict(r.id, tail_, ring_.get() + tail_ % cap_ + sizeof r, r.len);
        tail_ += record_size(r.len);
    }
}

template <typename Evict>
uint64_t PacketCopies::store(uint32_t id, const uint8_t* data, uint32_t len, Evict&& evict)
{
    const size_t size = record_size(len);
    // A record never wraps: the tail end of the ring that is too short is skipped.
    const size_t to_end = cap_ - head_ % cap_;
    const size_t skip = to_end < size ? to_end : 0;
    make_room(skip + size, evict);
    if (skip != 0) {
        const Record r{0, kSkip};
        std::memcpy(ring_.get() + head_ % cap_, &r, sizeof r);
        head_ += skip;
    }
    const uint64_t pos = head_;
    const Record r{id, len};
    std::memcpy(ring_.get() + pos % cap_, &r, sizeof r);
    std::memcpy(ring_.get() + pos % cap_ + sizeof r, data, len);
    head_ += size;
    return pos;
}

}  // namespace divert
