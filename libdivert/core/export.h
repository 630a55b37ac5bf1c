// The one export macro: the library is built with -fvisibility=hidden and libdivert.map
// lists exactly the hooked libc names and the divert_* API.
#pragma once

#define DIVERT_EXPORT __attribute__((visibility("default")))
