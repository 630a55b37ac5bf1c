#include "core/pending.h"

namespace divert {

namespace {
// Ids wrap at 2^32: serial-number order, valid while the window spans less than 2^31 ids.
inline bool before(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
}  // namespace

void PendingWindow::reset(size_t capacity)
{
    ring_.assign(capacity, PendingEntry{});
    head_ = used_ = live_ = 0;
}

void PendingWindow::clear()
{
    head_ = used_ = live_ = 0;
}

void PendingWindow::push(const PendingEntry& e)
{
    if (ring_.empty() || used_ == ring_.size()) return;
    size_t pos = used_;
    while (pos > 0 && before(e.id, at(pos - 1).id)) {
        at(pos) = at(pos - 1);
        --pos;
    }
    at(pos) = e;
    at(pos).done = false;
    ++used_;
    ++live_;
}

PendingEntry* PendingWindow::find(uint32_t id)
{
    // Outside the window's span: the common answer for long-resolved packets, no search.
    if (used_ == 0 || before(id, at(0).id) || before(at(used_ - 1).id, id)) return nullptr;
    if (at(0).id == id) return at(0).done ? nullptr : &at(0);  // written back in order
    size_t lo = 0, hi = used_;
    while (lo < hi) {  // first slot whose id is not before `id`
        size_t mid = (lo + hi) / 2;
        if (before(at(mid).id, id)) lo = mid + 1;
        else hi = mid;
    }
    if (lo < used_ && at(lo).id == id && !at(lo).done) return &at(lo);
    return nullptr;
}

PendingEntry* PendingWindow::front()
{
    reclaim();
    return used_ ? &at(0) : nullptr;
}

void PendingWindow::resolve(PendingEntry* e)
{
    if (e == nullptr || e->done) return;
    e->done = true;
    --live_;
    reclaim();
}

void PendingWindow::reclaim()
{
    while (used_ != 0 && at(0).done) {
        head_ = (head_ + 1) % ring_.size();
        --used_;
    }
}

}  // namespace divert
