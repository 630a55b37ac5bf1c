#include "core/tee.h"

#include "compile/compile.h"

namespace divert::tee {

namespace compile = ipchains::compile;

bool is_tee(uint32_t mark)
{
    return (mark & compile::kKindMask) == compile::mark_stamp(compile::MarkKind::Tee, 0);
}

uint32_t resume_mark(uint32_t mark)
{
    const uint32_t site = (mark & compile::kIdMask) >> compile::kIdShift;
    return (mark & ~(compile::kKindMask | compile::kIdMask)) |
           compile::mark_stamp(compile::MarkKind::Resume, site);
}

}  // namespace divert::tee
