// The write-backs whose accept verdict the kernel may still refuse. NFQUEUE forgets every
// packet queued in a network namespace when any hook there goes away (another program deletes
// a base chain, a table with one, ...), also the packets a program has read and not yet written
// back. The verdict for such a packet comes back as ENOENT, read on the program's next receive.
// 2.2 never held a diverted packet, so its write-back must still go out: the socket injects it
// anew from what this log kept, as it does a late write-back (docs/divert.7 "Packet lifetime",
// docs/design.md "A forgotten packet").
//
// A fixed ring, allocated once at bind: recording a write-back never touches the heap. Not
// locked: the owner (DivertSocket) calls it under its mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace divert {

struct WrittenBack {
    uint32_t id = 0;
    uint32_t len = 0;
    uint64_t copy = 0;      // PacketCopies position of the bytes, when has_copy
    bool has_copy = false;  // false: changed (the kernel's echo carries it) or no copy was left
    bool batched = false;   // rode a batch verdict
    bool used = false;      // recovered, or found too late
    bool sealed = false;    // batched: its batch verdict was sent, as "<= batch"
    uint32_t batch = 0;
    uint32_t ifindex = 0;   // incoming: its input interface; 0: outbound
    uint32_t site = 0;      // resume site of its DIVERT rule (0: none)
};

class WriteBackLog {
public:
    void reset(size_t capacity);
    void clear();

    // Records one write-back; the oldest record makes room.
    void add(const WrittenBack& w);
    // The batch held back went out as "accept every id <= max_id".
    void seal_batch(uint32_t max_id);
    // The unused single-verdict record of id, or nullptr.
    WrittenBack* single(uint32_t id);
    // The oldest unused record of the batch sent as max_id, or nullptr.
    WrittenBack* next_of_batch(uint32_t max_id);

private:
    std::vector<WrittenBack> ring_;
    size_t next_ = 0;  // where add() writes; the oldest record when the ring is full
};

}  // namespace divert
