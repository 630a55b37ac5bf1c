// ip_chainlabel: 9 bytes holding a NUL-terminated name of at most 8 characters.
#pragma once

#include <cstring>
#include <string>

namespace divert::fwapi {

constexpr std::size_t kLabelSize = 9;

// 2.2's check_label: a NUL within the first 9 bytes, else EINVAL.
inline bool label_terminated(const char* label)
{
    return std::memchr(label, '\0', kLabelSize) != nullptr;
}

// The name as the kernel's strcmp would see it, never reading past the 9 bytes (an
// unterminated label becomes a 9-character name, which no chain can have).
inline std::string label_name(const char* label)
{
    return std::string(label, strnlen(label, kLabelSize));
}

}  // namespace divert::fwapi
