#include "core/registry.h"

#include <algorithm>
#include <new>
#include <atomic>
#include <mutex>

namespace divert::registry {
namespace {

struct State {
    std::mutex mu;
    std::vector<std::shared_ptr<DivertSocket>> by_fd;  // index = fd
    std::vector<bool> internal;                          // index = fd
    std::atomic<int> entries{0};
};

// Leaked on purpose: hooks may run from other libraries' destructors after ours.
State& state()
{
    static State* s = new State;
    return *s;
}

}  // namespace

bool maybe_any() { return state().entries.load(std::memory_order_acquire) != 0; }

std::shared_ptr<DivertSocket> find(int fd)
{
    if (fd < 0 || !maybe_any()) return nullptr;
    State& s = state();
    std::lock_guard<std::mutex> lk(s.mu);
    if (static_cast<size_t>(fd) >= s.by_fd.size()) return nullptr;
    return s.by_fd[fd];
}

void add(int fd, std::shared_ptr<DivertSocket> sock)
{
    State& s = state();
    std::shared_ptr<DivertSocket> old;
    {
        std::lock_guard<std::mutex> lk(s.mu);
        if (static_cast<size_t>(fd) >= s.by_fd.size()) s.by_fd.resize(fd + 16);
        old = std::move(s.by_fd[fd]);
        if (!old) s.entries.fetch_add(1, std::memory_order_release);
        s.by_fd[fd] = std::move(sock);
    }
}

std::shared_ptr<DivertSocket> remove(int fd)
{
    State& s = state();
    if (fd < 0) return nullptr;
    std::lock_guard<std::mutex> lk(s.mu);
    if (static_cast<size_t>(fd) >= s.by_fd.size() || !s.by_fd[fd]) return nullptr;
    s.entries.fetch_sub(1, std::memory_order_release);
    return std::move(s.by_fd[fd]);
}

int count_refs(const DivertSocket* sock)
{
    State& s = state();
    std::lock_guard<std::mutex> lk(s.mu);
    return static_cast<int>(std::count_if(s.by_fd.begin(), s.by_fd.end(),
                                          [&](const auto& p) { return p.get() == sock; }));
}

bool add_internal(int fd) noexcept
{
    State& s = state();
    std::lock_guard<std::mutex> lk(s.mu);
    if (static_cast<size_t>(fd) >= s.internal.size()) {
        try {
            s.internal.resize(fd + 16);
        } catch (const std::bad_alloc&) {
            return false;
        }
    }
    if (!s.internal[fd]) s.entries.fetch_add(1, std::memory_order_release);
    s.internal[fd] = true;
    return true;
}

void remove_internal(int fd)
{
    State& s = state();
    std::lock_guard<std::mutex> lk(s.mu);
    if (fd < 0 || static_cast<size_t>(fd) >= s.internal.size() || !s.internal[fd]) return;
    s.internal[fd] = false;
    s.entries.fetch_sub(1, std::memory_order_release);
}

bool is_internal(int fd)
{
    if (fd < 0 || !maybe_any()) return false;
    State& s = state();
    std::lock_guard<std::mutex> lk(s.mu);
    return static_cast<size_t>(fd) < s.internal.size() && s.internal[fd];
}

void snapshot_into(std::vector<std::shared_ptr<DivertSocket>>& out)
{
    State& s = state();
    out.clear();
    std::lock_guard<std::mutex> lk(s.mu);
    for (const auto& p : s.by_fd)
        if (p && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
}


void lock_for_fork() { state().mu.lock(); }
void unlock_after_fork() { state().mu.unlock(); }

}  // namespace divert::registry
