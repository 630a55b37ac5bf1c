// The pending window: id order, lookup, out-of-order resolution, wrap of the 32-bit ids.
#include <gtest/gtest.h>

#include "core/pending.h"

using divert::PendingEntry;
using divert::PendingWindow;

namespace {
PendingEntry entry(uint32_t id) { return PendingEntry{id, 84, id * 7u, false}; }
}  // namespace

TEST(DivertPending, FrontIsOldestAndResolvingItAdvances)
{
    PendingWindow w(4);
    for (uint32_t id = 1; id <= 3; ++id) w.push(entry(id));
    ASSERT_NE(w.front(), nullptr);
    EXPECT_EQ(w.front()->id, 1u);
    w.resolve(w.front());
    EXPECT_EQ(w.front()->id, 2u);
    EXPECT_EQ(w.size(), 2u);
}

TEST(DivertPending, OutOfOrderResolutionKeepsTheFront)
{
    PendingWindow w(4);
    for (uint32_t id = 10; id <= 12; ++id) w.push(entry(id));
    w.resolve(w.find(11));
    EXPECT_EQ(w.front()->id, 10u);
    EXPECT_EQ(w.find(11), nullptr);
    w.resolve(w.find(10));
    EXPECT_EQ(w.front()->id, 12u);  // 11 was already done: reclaimed with 10
    EXPECT_EQ(w.size(), 1u);
}

TEST(DivertPending, FullAtCapacityAndSlotsAreReused)
{
    PendingWindow w(3);
    for (uint32_t id = 1; id <= 3; ++id) w.push(entry(id));
    EXPECT_TRUE(w.full());
    w.resolve(w.front());
    EXPECT_FALSE(w.full());
    w.push(entry(4));
    EXPECT_TRUE(w.full());
    for (uint32_t id = 2; id <= 4; ++id) {
        ASSERT_NE(w.find(id), nullptr) << id;
        EXPECT_EQ(w.find(id)->hash, id * 7u);
    }
}

TEST(DivertPending, LateRegistrationIsInsertedInOrder)
{
    PendingWindow w(8);
    w.push(entry(5));
    w.push(entry(7));
    w.push(entry(6));  // a second reader thread registered its packet late
    EXPECT_EQ(w.front()->id, 5u);
    w.resolve(w.front());
    EXPECT_EQ(w.front()->id, 6u);
    ASSERT_NE(w.find(7), nullptr);
}

TEST(DivertPending, IdsWrapAround)
{
    PendingWindow w(8);
    w.push(entry(0xfffffffeu));
    w.push(entry(0xffffffffu));
    w.push(entry(0u));
    w.push(entry(1u));
    EXPECT_EQ(w.front()->id, 0xfffffffeu);
    ASSERT_NE(w.find(0u), nullptr);
    ASSERT_NE(w.find(1u), nullptr);
    EXPECT_EQ(w.find(2u), nullptr);
}

TEST(DivertPending, ForEachAndClear)
{
    PendingWindow w(4);
    for (uint32_t id = 1; id <= 3; ++id) w.push(entry(id));
    w.resolve(w.find(2));
    std::vector<uint32_t> ids;
    w.for_each([&](const PendingEntry& e) { ids.push_back(e.id); });
    EXPECT_EQ(ids, (std::vector<uint32_t>{1, 3}));
    w.clear();
    EXPECT_EQ(w.size(), 0u);
    EXPECT_EQ(w.front(), nullptr);
}
