// Resume site -> position of its DIVERT rule, for the sin_port recvfrom() reports (FreeBSD
// style: the 1-based "-L --line-numbers" position of the rule within its ipchains chain; for a
// rule in a user chain, its position there, whatever the call path). The site comes from the
// packet's mark (bits 16-27 of compile::mark_stamp(MarkKind::Resume, site)); the map is
// compile::divert_site_positions() of the ruleset the backend reads back (the same plan the
// rules were compiled from, so the ids agree), cached here.
//
// Lock order: the cache mutex is a leaf. Nothing else of the library is locked while it is
// held, and it is never held across a system call or the ruleset read (read unlocked, swapped
// in under it), so it may sit anywhere in the fork handlers' sequence. Callers of of_site()
// must hold no other library lock themselves: a miss reads the ruleset.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <sys/types.h>

namespace divert::rule_position {

// 1-based position of the DIVERT rule behind resume site `site` within its chain, 0 when
// unknown (no such site, or the ruleset cannot be read). Called on the packet path: a cached
// lookup; only a site missing from the cache triggers a synchronous re-read of the ruleset,
// and at most once per 100 ms. A miss while another thread's read is in flight waits for that
// read first. A failed read keeps the last map read successfully.
uint16_t of_site(uint32_t site) noexcept;

// Re-reads the ruleset when the cached copy may be stale (called from libdivert's background
// housekeeping thread about every 10-50 ms). Looks at the cheap evidence (nft ruleset
// generation, NFT_MSG_GETGEN; size and entry count of the loaded legacy tables, IPT_SO_GET_INFO)
// at most every 250 ms and re-reads at most once per second, only when that evidence moved
// since the last read (or the first time); without any evidence, every 10 s. Holds the cache
// mutex only for bookkeeping; returns at once while a read or check is in flight elsewhere.
void refresh_if_stale() noexcept;

// fork(): the child keeps the cache but must not inherit a locked mutex. The child (told apart
// by its pid) also forgets a read or check the parent had in flight.
void lock_for_fork() noexcept;
void unlock_after_fork() noexcept;

// ---- Internals, exposed for tests/unit/divert_rule_position_test.cpp ----------------------

using Positions = std::map<uint32_t, uint16_t>;
using Clock = std::chrono::steady_clock;

constexpr auto kMissReadInterval = std::chrono::milliseconds(100);
constexpr auto kCheckInterval = std::chrono::milliseconds(250);
constexpr auto kReadInterval = std::chrono::seconds(1);
constexpr auto kBlindReadInterval = std::chrono::seconds(10);

// Where the cache gets its data; none is called with the cache mutex held. May throw (the
// cache catches and treats it as nullopt).
struct Sources {
    std::function<std::optional<Positions>()> read;        // nullopt: could not read
    std::function<std::optional<std::string>()> evidence;  // nullopt: nothing to tell by
    std::function<Clock::time_point()> now;
};

// The real sources: the backend's read (IPCHAINS_DIVERT_BACKEND / IPCHAINS_DIVERT_TABLE / the config file,
// as for the ipchains command and fwapi/), run under the reentrancy guard.
Sources kernel_sources();

class Cache {
public:
    explicit Cache(Sources src) : src_(std::move(src)) {}
    Cache(const Cache&) = delete;
    Cache& operator=(const Cache&) = delete;

    uint16_t of_site(uint32_t site) noexcept;
    void refresh_if_stale() noexcept;
    void lock_for_fork() noexcept;
    void unlock_after_fork() noexcept;

private:
    // mu_ held through `lk`, no read in flight: claims the read, runs evidence + read unlocked,
    // installs the result, wakes the waiters; returns with mu_ held again.
    void run_read(std::unique_lock<std::mutex>& lk, Clock::time_point now) noexcept;
    std::optional<Positions> safe_read() noexcept;
    std::optional<std::string> safe_evidence() noexcept;
    Clock::time_point safe_now() noexcept;

    Sources src_;
    std::mutex mu_;               // guards everything below; a leaf (see the top of the file)
    std::condition_variable cv_;  // reads_done_ moved
    Positions map_;
    std::optional<std::string> evidence_;  // taken just before the read that gave map_
    bool reading_ = false;   // a read is in flight (its result not installed yet)
    bool checking_ = false;  // refresh_if_stale is looking at the evidence
    uint64_t reads_done_ = 0;
    std::optional<Clock::time_point> last_read_;       // start of the last read, any path
    std::optional<Clock::time_point> last_miss_read_;  // start of the last read for a miss
    std::optional<Clock::time_point> last_check_;
    pid_t fork_pid_ = 0;
};

}  // namespace divert::rule_position
