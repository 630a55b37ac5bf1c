// The copies of handed-out packets: read back, eviction oldest first with the evicted bytes,
// the skipped ring end, and clear().
#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <random>
#include <vector>

#include "core/packet_copies.h"

using divert::PacketCopies;

namespace {

struct Stored {
    uint32_t id;
    uint64_t pos;
    std::vector<uint8_t> bytes;
};

std::unique_ptr<uint8_t[]> buffer(size_t n) { return std::unique_ptr<uint8_t[]>(new uint8_t[n]); }

}  // namespace

TEST(DivertCopies, ReadsBackWhatWasStored)
{
    PacketCopies c;
    c.reset(buffer(PacketCopies::kMinCapacity), PacketCopies::kMinCapacity);
    ASSERT_TRUE(c.ready());
    std::vector<uint8_t> a(1400, 0xab), b(64, 0x11);
    auto never = [](uint32_t, uint64_t, const uint8_t*, uint32_t) { FAIL() << "nothing to evict"; };
    const uint64_t pa = c.store(1, a.data(), 1400, never);
    const uint64_t pb = c.store(2, b.data(), 64, never);
    EXPECT_EQ(std::memcmp(c.at(pa), a.data(), a.size()), 0);
    EXPECT_EQ(std::memcmp(c.at(pb), b.data(), b.size()), 0);
}

TEST(DivertCopies, LargestDatagramsWrapWithoutLosingALiveCopy)
{
    PacketCopies c;
    c.reset(buffer(PacketCopies::kMinCapacity), PacketCopies::kMinCapacity);
    std::vector<uint8_t> big(65535);
    std::deque<Stored> live;
    for (uint32_t id = 1; id <= 7; ++id) {
        std::memset(big.data(), static_cast<int>(id), big.size());
        const uint64_t pos = c.store(id, big.data(), 65535, [&](uint32_t eid, uint64_t epos, const uint8_t* bytes, uint32_t len) {
            ASSERT_FALSE(live.empty());
            EXPECT_EQ(eid, live.front().id);
            EXPECT_EQ(epos, live.front().pos);
            ASSERT_EQ(len, 65535u);
            EXPECT_EQ(std::memcmp(bytes, live.front().bytes.data(), len), 0);
            live.pop_front();
        });
        live.push_back(Stored{id, pos, big});
        for (const Stored& s : live) EXPECT_EQ(std::memcmp(c.at(s.pos), s.bytes.data(), 65535), 0) << s.id;
    }
}

TEST(DivertCopies, EvictsOldestFirstAndKeepsTheRestIntact)
{
    constexpr size_t kCap = 1024;  // small records only: twice the largest below
    PacketCopies c;
    c.reset(buffer(kCap), kCap);
    std::mt19937 rng(7);
    std::deque<Stored> live;
    size_t evicted = 0;
    for (uint32_t id = 1; id <= 5000; ++id) {
        Stored s{id, 0, std::vector<uint8_t>(rng() % 500)};
        for (auto& b : s.bytes) b = static_cast<uint8_t>(rng());
        s.pos = c.store(id, s.bytes.data(), static_cast<uint32_t>(s.bytes.size()),
                        [&](uint32_t eid, uint64_t epos, const uint8_t* bytes, uint32_t len) {
                            ASSERT_FALSE(live.empty());
                            const Stored& old = live.front();
                            EXPECT_EQ(eid, old.id);
                            EXPECT_EQ(epos, old.pos);
                            ASSERT_EQ(len, old.bytes.size());
                            EXPECT_EQ(std::memcmp(bytes, old.bytes.data(), len), 0);
                            live.pop_front();
                            ++evicted;
                        });
        live.push_back(std::move(s));
        for (const Stored& l : live)
            ASSERT_EQ(std::memcmp(c.at(l.pos), l.bytes.data(), l.bytes.size()), 0) << "id " << l.id;
    }
    EXPECT_GT(evicted, 4000u);
}

TEST(DivertCopies, ClearForgetsEverything)
{
    constexpr size_t kCap = 256;
    PacketCopies c;
    c.reset(buffer(kCap), kCap);
    std::vector<uint8_t> a(100, 1);
    auto never = [](uint32_t, uint64_t, const uint8_t*, uint32_t) { FAIL() << "cleared copies are not evicted"; };
    c.store(1, a.data(), 100, never);
    c.store(2, a.data(), 100, never);
    c.clear();
    c.store(3, a.data(), 100, never);
    c.store(4, a.data(), 100, never);
}
