// Effective capabilities of the calling thread (capget), without libcap.
#pragma once

namespace divert {

bool has_capability(int cap);

}  // namespace divert
