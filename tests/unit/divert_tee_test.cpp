// The verdict decision for TEE copies (core/tee.h): only a TEE stamp is a tee, and its original
// goes on as RESUME with the same site, the other mark bits untouched.
#include <gtest/gtest.h>

#include "compile/compile.h"
#include "core/tee.h"

namespace compile = ipchains::compile;
using compile::MarkKind;
using compile::mark_stamp;

TEST(DivertTee, OnlyTheTeeKindIsATee)
{
    EXPECT_TRUE(divert::tee::is_tee(mark_stamp(MarkKind::Tee, 7)));
    EXPECT_TRUE(divert::tee::is_tee(mark_stamp(MarkKind::Tee, 7) | 0x1234u));
    EXPECT_FALSE(divert::tee::is_tee(mark_stamp(MarkKind::Resume, 7)));
    EXPECT_FALSE(divert::tee::is_tee(mark_stamp(MarkKind::Injected, 7)));
    EXPECT_FALSE(divert::tee::is_tee(mark_stamp(MarkKind::Reject, 0)));
    EXPECT_FALSE(divert::tee::is_tee(0));
}

TEST(DivertTee, TheOriginalResumesAfterTheSameSite)
{
    EXPECT_EQ(static_cast<int>(MarkKind::Tee), 5);
    EXPECT_EQ(divert::tee::resume_mark(mark_stamp(MarkKind::Tee, 42)),
              mark_stamp(MarkKind::Resume, 42));
    // User mark bits and MASQ stay as the packet had them.
    EXPECT_EQ(divert::tee::resume_mark(mark_stamp(MarkKind::Tee, 0xfff) | 0x8000beefu),
              mark_stamp(MarkKind::Resume, 0xfff) | 0x8000beefu);
}
