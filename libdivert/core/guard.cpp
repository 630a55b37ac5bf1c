#include "core/guard.h"

namespace divert {
thread_local int t_guard_depth = 0;
}  // namespace divert
