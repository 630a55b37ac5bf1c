#include "core/write_back_log.h"

namespace divert {

void WriteBackLog::reset(size_t capacity)
{
    ring_.assign(capacity, WrittenBack{});
    next_ = 0;
}

void WriteBackLog::clear()
{
    for (WrittenBack& w : ring_) w = WrittenBack{};
    next_ = 0;
}

void WriteBackLog::add(const WrittenBack& w)
{
    if (ring_.empty()) return;
    ring_[next_] = w;
    next_ = (next_ + 1) % ring_.size();
}

void WriteBackLog::seal_batch(uint32_t max_id)
{
    // The held batch is the newest run of batched records not sealed yet.
    for (size_t k = 1; k <= ring_.size(); ++k) {
        WrittenBack& w = ring_[(next_ + ring_.size() - k) % ring_.size()];
        if (!w.batched) continue;  // a single verdict sent meanwhile, or an empty slot
        if (w.sealed) break;
        w.sealed = true;
        w.batch = max_id;
    }
}

WrittenBack* WriteBackLog::single(uint32_t id)
{
    for (WrittenBack& w : ring_)
        if (!w.used && !w.batched && w.len != 0 && w.id == id) return &w;
    return nullptr;
}

WrittenBack* WriteBackLog::next_of_batch(uint32_t max_id)
{
    // Oldest first: from the oldest slot forwards.
    for (size_t k = 0; k < ring_.size(); ++k) {
        WrittenBack& w = ring_[(next_ + k) % ring_.size()];
        if (!w.used && w.sealed && w.batch == max_id) return &w;
    }
    return nullptr;
}

}  // namespace divert
