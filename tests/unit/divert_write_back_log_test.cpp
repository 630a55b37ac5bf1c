// The log of write-backs a socket keeps in case the kernel forgot their packets: which records
// a refused single verdict and a refused batch verdict find.
#include <gtest/gtest.h>

#include "core/write_back_log.h"

using divert::WriteBackLog;
using divert::WrittenBack;

namespace {

WrittenBack record(uint32_t id, bool batched)
{
    WrittenBack w;
    w.id = id;
    w.len = 28;
    w.batched = batched;
    return w;
}

}  // namespace

TEST(DivertWriteBackLog, ASingleVerdictFindsItsRecordOnce)
{
    WriteBackLog log;
    log.reset(8);
    log.add(record(5, false));
    log.add(record(6, true));
    WrittenBack* w = log.single(5);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->id, 5u);
    w->used = true;
    EXPECT_EQ(log.single(5), nullptr);
    EXPECT_EQ(log.single(6), nullptr);  // batched: only its batch finds it
    EXPECT_EQ(log.single(7), nullptr);
}

TEST(DivertWriteBackLog, ABatchFindsItsOwnRecordsOldestFirst)
{
    WriteBackLog log;
    log.reset(8);
    log.add(record(1, true));
    log.add(record(2, true));
    log.seal_batch(2);
    log.add(record(3, false));  // a single verdict after the first batch went out
    log.add(record(4, true));
    log.add(record(5, true));
    EXPECT_EQ(log.next_of_batch(5), nullptr);  // still held back: not sent yet
    log.seal_batch(5);
    for (uint32_t want : {4u, 5u}) {
        WrittenBack* w = log.next_of_batch(5);
        ASSERT_NE(w, nullptr);
        EXPECT_EQ(w->id, want);
        w->used = true;
    }
    EXPECT_EQ(log.next_of_batch(5), nullptr);
    WrittenBack* first = log.next_of_batch(2);
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(first->id, 1u);
}

TEST(DivertWriteBackLog, TheOldestRecordsMakeRoom)
{
    WriteBackLog log;
    log.reset(3);
    for (uint32_t id = 1; id <= 5; ++id) log.add(record(id, false));
    EXPECT_EQ(log.single(1), nullptr);
    EXPECT_EQ(log.single(2), nullptr);
    for (uint32_t id = 3; id <= 5; ++id) EXPECT_NE(log.single(id), nullptr);
    log.clear();
    EXPECT_EQ(log.single(5), nullptr);
}

TEST(DivertWriteBackLog, ABatchWithMaxIdZeroIsStillSealed)
{
    // Ids wrap at 2^32: 0 is an id like any other.
    WriteBackLog log;
    log.reset(4);
    log.add(record(0xffffffffu, true));
    log.add(record(0, true));
    log.seal_batch(0);
    ASSERT_NE(log.next_of_batch(0), nullptr);
    EXPECT_EQ(log.next_of_batch(0)->id, 0xffffffffu);
}
