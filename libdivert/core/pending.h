// The packets a socket has handed to the program and not yet given a verdict: a fixed ring in
// arrival (= NFQUEUE id) order, allocated once at bind, so steady-state receive and reinjection
// never touch the heap. Each entry remembers the packet's length and where its bytes can be
// compared: the socket's copy of them (PacketCopies) or, once that copy was overwritten, a
// content hash. That is how a write is recognised as an unchanged reinjection (eligible for a
// batched verdict).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace divert {

struct PendingEntry {
    uint32_t id = 0;
    uint32_t len = 0;
    uint64_t hash = 0;  // ipv4::content_hash of the bytes; valid when `hashed`
    bool done = false;  // verdict already sent (out-of-order reinjection); popped lazily
    bool hashed = false;  // the copy is gone, compare by hash
    uint64_t copy = 0;  // PacketCopies position of the bytes while !hashed
    uint64_t deadline = 0;  // reaper::now_ms() from which the packet is dropped; 0 = never
    // What recvfrom reported, so a FreeBSD-semantics write (no cookie) finds its packet:
    uint32_t site = 0;      // resume site of the DIVERT rule (0: none)
    uint32_t ifindex = 0;   // input interface (incoming packets)
    uint16_t rule = 0;      // sin_port
    bool incoming = false;  // sin_addr was not INADDR_ANY
};

class PendingWindow {
public:
    explicit PendingWindow(size_t capacity = 0) { reset(capacity); }
    void reset(size_t capacity);
    void clear();

    size_t size() const { return live_; }
    size_t capacity() const { return ring_.size(); }
    bool full() const { return used_ == ring_.size(); }

    // Appends in id order (an id smaller than the newest is inserted in place: two threads may
    // register their packets in the other order). Caller checks full() first.
    void push(const PendingEntry& e);
    // nullptr when id is not pending.
    PendingEntry* find(uint32_t id);
    // The oldest entry still waiting, or nullptr.
    PendingEntry* front();
    // Marks id resolved; entries at the front are reclaimed.
    void resolve(PendingEntry* e);

    // The oldest pending entry for which pred holds, or nullptr.
    template <typename F>
    PendingEntry* find_if(F pred)
    {
        for (size_t i = 0; i < used_; ++i) {
            PendingEntry& e = at(i);
            if (!e.done && pred(e)) return &e;
        }
        return nullptr;
    }

    template <typename F>
    void for_each(F f) const
    {
        for (size_t i = 0; i < used_; ++i) {
            const PendingEntry& e = ring_[(head_ + i) % ring_.size()];
            if (!e.done) f(e);
        }
    }

private:
    PendingEntry& at(size_t i) { return ring_[(head_ + i) % ring_.size()]; }
    void reclaim();

    std::vector<PendingEntry> ring_;
    size_t head_ = 0;
    size_t used_ = 0;  // slots in use, including done ones not yet reclaimed
    size_t live_ = 0;  // entries not done
};

}  // namespace divert
