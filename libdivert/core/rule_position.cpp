#include "core/rule_position.h"

#include <new>
#include <utility>

#include <unistd.h>

#include "backend/backend.h"
#include "compile/compile.h"
#include "core/guard.h"
#include "core/ruleset_evidence.h"

namespace divert::rule_position {

namespace {

std::optional<Positions> read_kernel_positions()
{
    Guard g;
    auto be = ipchains::backend::open_backend();
    if (!be) return std::nullopt;
    auto snap = (*be)->read(false);
    if (!snap) return std::nullopt;
    auto positions = ipchains::compile::divert_site_positions(snap->ruleset);
    if (!positions) return std::nullopt;
    return std::move(*positions);
}

Cache& global()
{
    static Cache* c = new Cache(kernel_sources());  // never destroyed: hooks run until _exit
    return *c;
}

}  // namespace

Sources kernel_sources()
{
    return Sources{read_kernel_positions, ruleset_evidence, [] { return Clock::now(); }};
}

std::optional<Positions> Cache::safe_read() noexcept
{
    try {
        return src_.read();
    } catch (...) {
        return std::nullopt;
    }
}

std::optional<std::string> Cache::safe_evidence() noexcept
{
    try {
        return src_.evidence();
    } catch (...) {
        return std::nullopt;
    }
}

Clock::time_point Cache::safe_now() noexcept
{
    try {
        return src_.now();
    } catch (...) {
        return Clock::time_point{};
    }
}

void Cache::run_read(std::unique_lock<std::mutex>& lk, Clock::time_point now) noexcept
{
    reading_ = true;
    last_read_ = now;
    lk.unlock();
    std::optional<std::string> ev = safe_evidence();  // before the read: a change during it
    std::optional<Positions> got = safe_read();       // shows as moved evidence next time
    lk.lock();
    if (got) {
        map_.swap(*got);
        evidence_ = std::move(ev);
    }
    // A failed read keeps the last good map, and the old evidence: the next check retries.
    reading_ = false;
    ++reads_done_;
    cv_.notify_all();
}

uint16_t Cache::of_site(uint32_t site) noexcept
{
    try {
        std::unique_lock<std::mutex> lk(mu_);
        for (;;) {
            auto it = map_.find(site);
            if (it != map_.end()) return it->second;
            if (!reading_) break;
            // Someone's read is in flight: it may well bring this site.
            const uint64_t seen = reads_done_;
            cv_.wait(lk, [&] { return reads_done_ != seen; });
        }
        const Clock::time_point now = safe_now();
        if (last_miss_read_ && now - *last_miss_read_ < kMissReadInterval) return 0;
        last_miss_read_ = now;
        run_read(lk, now);
        auto it = map_.find(site);
        return it != map_.end() ? it->second : 0;
    } catch (...) {
        return 0;
    }
}

void Cache::refresh_if_stale() noexcept
{
    try {
        std::unique_lock<std::mutex> lk(mu_);
        if (reading_ || checking_) return;
        const Clock::time_point now = safe_now();
        if (last_read_ && now - *last_read_ < kReadInterval) return;
        if (last_check_ && now - *last_check_ < kCheckInterval) return;
        last_check_ = now;
        checking_ = true;
        lk.unlock();
        std::optional<std::string> ev = safe_evidence();
        lk.lock();
        checking_ = false;
        if (reading_) return;  // a miss started one meanwhile
        if (ev) {
            if (last_read_ && evidence_ && *evidence_ == *ev) return;  // unchanged
        } else if (last_read_ && now - *last_read_ < kBlindReadInterval) {
            return;
        }
        run_read(lk, now);
    } catch (...) {
    }
}

void Cache::lock_for_fork() noexcept
{
    const pid_t pid = getpid();
    mu_.lock();
    fork_pid_ = pid;
}

void Cache::unlock_after_fork() noexcept
{
    if (getpid() != fork_pid_) {
        // The child: the threads reading, checking or waiting stayed in the parent.
        reading_ = false;
        checking_ = false;
        new (&cv_) std::condition_variable;
    }
    mu_.unlock();
}

uint16_t of_site(uint32_t site) noexcept
{
    try {
        return global().of_site(site);
    } catch (...) {
        return 0;
    }
}

void refresh_if_stale() noexcept
{
    try {
        global().refresh_if_stale();
    } catch (...) {
    }
}

namespace {
// Only what lock_for_fork() locked is unlocked (global() could fail the first time).
bool g_locked_for_fork = false;
}  // namespace

void lock_for_fork() noexcept
{
    try {
        global().lock_for_fork();
        g_locked_for_fork = true;
    } catch (...) {
    }
}

void unlock_after_fork() noexcept
{
    if (!g_locked_for_fork) return;
    g_locked_for_fork = false;
    global().unlock_after_fork();
}

}  // namespace divert::rule_position
