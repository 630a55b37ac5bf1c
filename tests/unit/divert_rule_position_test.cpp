// libdivert/core/rule_position: the cache's rules (hits, rate-limited misses, evidence-driven
// refresh, waiting on a read in flight, fork) with injected sources: no kernel.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "core/rule_position.h"

using namespace divert::rule_position;
using namespace std::chrono_literals;

namespace {

// What the "kernel" holds, the clock, and what was asked of them. A blocked read spins on an
// atomic (no condition variable: the fork test's child must not touch one a parent thread
// waits on).
struct Fake {
    std::mutex mu;
    std::optional<Positions> ruleset = Positions{};  // nullopt: the read fails
    std::optional<std::string> evidence = std::string("gen 1");
    Clock::time_point now = Clock::time_point{} + 1h;
    std::atomic<int> reads{0}, checks{0};
    std::atomic<bool> block{false};  // reads wait until it is cleared
    std::atomic<bool> in_read{false};

    Sources sources()
    {
        return Sources{
            [this]() -> std::optional<Positions> {
                ++reads;
                in_read = true;
                while (block) std::this_thread::sleep_for(1ms);
                in_read = false;
                std::lock_guard<std::mutex> lk(mu);
                return ruleset;
            },
            [this]() -> std::optional<std::string> {
                ++checks;
                std::lock_guard<std::mutex> lk(mu);
                return evidence;
            },
            [this] {
                std::lock_guard<std::mutex> lk(mu);
                return now;
            }};
    }
    void set(std::optional<Positions> p)
    {
        std::lock_guard<std::mutex> lk(mu);
        ruleset = std::move(p);
    }
    void set_evidence(std::optional<std::string> e)
    {
        std::lock_guard<std::mutex> lk(mu);
        evidence = std::move(e);
    }
    void advance(Clock::duration d)
    {
        std::lock_guard<std::mutex> lk(mu);
        now += d;
    }
    void wait_in_read()
    {
        while (!in_read) std::this_thread::sleep_for(1ms);
    }
    void release() { block = false; }
};

}  // namespace

TEST(RulePosition, FirstLookupReadsThenHitsAreCached)
{
    Fake f;
    f.set(Positions{{1, 3}, {2, 3}, {3, 1}});
    Cache c(f.sources());
    EXPECT_EQ(c.of_site(1), 3);
    EXPECT_EQ(f.reads, 1);
    EXPECT_EQ(c.of_site(2), 3);
    EXPECT_EQ(c.of_site(3), 1);
    f.set(Positions{{1, 7}});  // a hit never looks at the kernel
    EXPECT_EQ(c.of_site(1), 3);
    EXPECT_EQ(f.reads, 1);
    EXPECT_EQ(f.checks, 1);  // the read took the evidence first
}

TEST(RulePosition, MissRereadsAtMostEvery100ms)
{
    Fake f;
    f.set(Positions{{1, 2}});
    Cache c(f.sources());
    EXPECT_EQ(c.of_site(1), 2);  // that was a miss too
    f.advance(10ms);
    EXPECT_EQ(c.of_site(9), 0);  // within 100 ms of it: no read
    EXPECT_EQ(f.reads, 1);
    f.advance(90ms);
    EXPECT_EQ(c.of_site(9), 0);  // one synchronous read, not there either
    EXPECT_EQ(f.reads, 2);
    f.set(Positions{{1, 2}, {9, 4}});
    f.advance(50ms);
    EXPECT_EQ(c.of_site(9), 0);  // within 100 ms of that read: no new one
    EXPECT_EQ(f.reads, 2);
    f.advance(50ms);
    EXPECT_EQ(c.of_site(9), 4);
    EXPECT_EQ(f.reads, 3);
    EXPECT_EQ(c.of_site(9), 4);
    EXPECT_EQ(f.reads, 3);
}

TEST(RulePosition, FailedReadIsZeroAndKeepsTheLastMap)
{
    Fake f;
    f.set(std::nullopt);
    Cache c(f.sources());
    EXPECT_EQ(c.of_site(1), 0);  // cannot read: unknown
    f.set(Positions{{1, 5}});
    f.advance(100ms);
    EXPECT_EQ(c.of_site(1), 5);
    f.set(std::nullopt);
    f.advance(100ms);
    EXPECT_EQ(c.of_site(2), 0);
    EXPECT_EQ(f.reads, 3);
    EXPECT_EQ(c.of_site(1), 5);
}

TEST(RulePosition, ThrowingSourcesAreCaught)
{
    Cache c(Sources{[]() -> std::optional<Positions> { throw std::runtime_error("x"); },
                    []() -> std::optional<std::string> { throw std::bad_alloc(); },
                    [] { return Clock::now(); }});
    EXPECT_EQ(c.of_site(1), 0);
    c.refresh_if_stale();
    EXPECT_EQ(c.of_site(1), 0);
}

TEST(RulePosition, RefreshLoadsFirstThenOnlyWhenTheEvidenceMoves)
{
    Fake f;
    f.set(Positions{{1, 2}});
    Cache c(f.sources());
    c.refresh_if_stale();  // nothing read yet: read
    EXPECT_EQ(f.reads, 1);
    EXPECT_EQ(c.of_site(1), 2);

    f.set(Positions{{1, 6}});
    f.advance(2s);
    c.refresh_if_stale();  // same evidence: no read
    EXPECT_EQ(f.reads, 1);
    EXPECT_EQ(c.of_site(1), 2);

    // Evidence is looked at no more than every 250 ms, however often we are called.
    const int checks = f.checks;
    for (int i = 0; i < 10; ++i) {
        f.advance(20ms);
        c.refresh_if_stale();
    }
    EXPECT_EQ(f.checks, checks);
    f.set_evidence(std::string("gen 2"));
    f.advance(50ms);
    c.refresh_if_stale();
    EXPECT_EQ(f.reads, 2);
    EXPECT_EQ(c.of_site(1), 6);

    // Moved again at once: the re-read waits until a second after the last one.
    f.set(Positions{{1, 8}});
    f.set_evidence(std::string("gen 3"));
    for (int i = 0; i < 3; ++i) {
        f.advance(300ms);
        c.refresh_if_stale();
    }
    EXPECT_EQ(f.reads, 2);
    f.advance(100ms);
    c.refresh_if_stale();
    EXPECT_EQ(f.reads, 3);
    EXPECT_EQ(c.of_site(1), 8);
}

TEST(RulePosition, RefreshRetriesAFailedRead)
{
    Fake f;
    f.set(std::nullopt);
    Cache c(f.sources());
    c.refresh_if_stale();
    EXPECT_EQ(f.reads, 1);
    f.set(Positions{{4, 9}});
    f.advance(1s);
    c.refresh_if_stale();  // same evidence, but the last read failed
    EXPECT_EQ(f.reads, 2);
    EXPECT_EQ(c.of_site(4), 9);
}

TEST(RulePosition, RefreshWithoutEvidenceRereadsEvery10s)
{
    Fake f;
    f.set_evidence(std::nullopt);
    f.set(Positions{{1, 1}});
    Cache c(f.sources());
    c.refresh_if_stale();
    EXPECT_EQ(f.reads, 1);
    f.advance(5s);
    c.refresh_if_stale();
    EXPECT_EQ(f.reads, 1);
    f.advance(5s);
    c.refresh_if_stale();
    EXPECT_EQ(f.reads, 2);
}

TEST(RulePosition, MissWaitsForTheReadInFlight)
{
    Fake f;
    f.set(Positions{{5, 12}});
    f.block = true;
    Cache c(f.sources());
    std::thread bg([&] { c.refresh_if_stale(); });  // the housekeeping thread's read
    f.wait_in_read();
    std::atomic<int> got{-1};
    std::thread pkt([&] { got = c.of_site(5); });
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(got, -1);  // waiting for the read, not starting another
    c.refresh_if_stale();  // returns at once while a read is in flight
    f.release();
    bg.join();
    pkt.join();
    EXPECT_EQ(got, 12);
    EXPECT_EQ(f.reads, 1);
}

TEST(RulePosition, ForkChildKeepsTheCacheAndForgetsTheReadInFlight)
{
    Fake f;
    f.set(Positions{{1, 3}});
    Cache c(f.sources());
    EXPECT_EQ(c.of_site(1), 3);
    f.set(Positions{{1, 3}, {2, 4}});
    f.block = true;
    f.advance(1s);
    std::thread reader([&] { c.of_site(2); });  // the parent's read, stuck at fork time
    f.wait_in_read();

    c.lock_for_fork();
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        c.unlock_after_fork();
        alarm(5);
        f.block = false;  // this copy's reads return at once
        f.advance(100ms);
        int rc = 0;
        if (c.of_site(1) != 3) rc |= 1;  // the cache came along
        if (c.of_site(2) != 4) rc |= 2;  // a miss reads instead of waiting for a ghost
        c.refresh_if_stale();            // and the background path is not stuck either
        _exit(rc);
    }
    c.unlock_after_fork();
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 0);
    f.release();
    reader.join();
    EXPECT_EQ(c.of_site(2), 4);
}
