#include "core/reaper.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <pthread.h>
#include <signal.h>

#include "core/divert_socket.h"
#include "core/guard.h"
#include "core/registry.h"
#include "core/rule_position.h"

namespace divert::reaper {
namespace {

// While packets are pending the thread looks every tick (or at the oldest deadline, if
// sooner), so a packet is dropped at most a tick after its lifetime ends.
constexpr uint64_t kTickMs = 10;
// Traffic comes in bursts: after this long with nothing pending the thread sleeps until a
// socket wakes it. Until then it keeps ticking, so a busy socket never pays for a wake-up.
constexpr uint64_t kQuietBeforeIdleMs = 1000;
constexpr unsigned kDefaultLifetimeMs = 50;

struct State {
    std::mutex mu;  // last in the library's lock order; guards `wake`
    std::condition_variable cv;
    bool wake = false;
    std::atomic<bool> started{false};
    // Set before the scan that may put the thread to sleep, read by every registration: see
    // packets_registered() for why no wake-up can be lost.
    std::atomic<bool> idle{false};
};

// Never destroyed: the thread may still run while the program's static destructors do. A
// forked child gets a fresh one (the parent's thread and its waits did not come along).
std::atomic<State*> g_state{new State};

State& state() { return *g_state.load(std::memory_order_acquire); }

void sleep_ms(uint64_t ms)
{
    timespec ts{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void* run(void* arg)
{
    Guard g;  // this thread's calls into libc never take the program's hooks
    State& st = *static_cast<State*>(arg);
    uint64_t quiet_ms = 0;
    std::vector<std::shared_ptr<DivertSocket>> sockets;  // reused: a tick allocates nothing
    for (;;) {
        const bool may_idle = quiet_ms >= kQuietBeforeIdleMs;
        if (may_idle) st.idle.store(true);
        const uint64_t now = now_ms();
        uint64_t next = UINT64_MAX;
        bool waiting = false;
        registry::snapshot_into(sockets);
        for (const auto& s : sockets) waiting = s->expire(now, &next) || waiting;
        sockets.clear();  // no reference may keep a closed socket alive until the next tick
        rule_position::refresh_if_stale();
        if (waiting) {
            quiet_ms = 0;
            st.idle.store(false);
            const uint64_t until = next > now ? next - now : 1;
            sleep_ms(until < kTickMs ? until : kTickMs);
        } else if (may_idle) {
            std::unique_lock<std::mutex> lk(st.mu);
            // The timeout is only a safety net; a registration wakes us.
            st.cv.wait_for(lk, std::chrono::seconds(1), [&] { return st.wake; });
            if (st.wake) quiet_ms = 0;
            st.wake = false;
            st.idle.store(false);
        } else {
            quiet_ms += kTickMs;
            sleep_ms(kTickMs);
        }
    }
    return nullptr;
}

void start(State& st)
{
    std::lock_guard<std::mutex> lk(st.mu);
    if (st.started.load()) return;
    // Marked started even if creation fails: packets are then held as before (until written
    // back, the window fills or the socket closes), and no packet retries the creation.
    st.started.store(true);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);  // the thread inherits it: no signal lands there
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_t t;
    pthread_create(&t, &attr, run, &st);
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace

unsigned default_lifetime_ms() noexcept
{
    static const unsigned ms = [] {
        const char* v = std::getenv("LIBDIVERT_LIFETIME_MS");
        if (v == nullptr || *v == '\0') return kDefaultLifetimeMs;
        char* end = nullptr;
        errno = 0;
        const unsigned long n = std::strtoul(v, &end, 10);
        // A malformed value must not turn expiry off: the default stands.
        if (errno != 0 || *end != '\0' || *v == '-' || n > 3600u * 1000u) return kDefaultLifetimeMs;
        return static_cast<unsigned>(n);
    }();
    return ms;
}

uint64_t now_ms() noexcept
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}

void packets_registered() noexcept
{
    State& st = state();
    if (!st.started.load(std::memory_order_relaxed)) {
        start(st);
        return;
    }
    // The thread stores idle = true before its last scan, and that scan takes each socket's
    // lock; the caller pushed its packets under that lock before this load. So either the
    // scan saw the packets, or this load sees idle and wakes the thread.
    if (!st.idle.load()) return;
    std::lock_guard<std::mutex> lk(st.mu);
    st.wake = true;
    st.cv.notify_one();
}

void lock_for_fork() noexcept { state().mu.lock(); }

void unlock_after_fork(bool child) noexcept
{
    State& st = state();
    if (child) g_state.store(new State, std::memory_order_release);
    st.mu.unlock();
}

}  // namespace divert::reaper
