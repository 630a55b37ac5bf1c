#include "backend/nft/udata.h"

#include <cstring>

namespace ipchains::backend::nft {

std::string comment_udata(uint8_t type, const std::string& comment)
{
    size_t len = std::min<size_t>(comment.size(), 253);
    std::string out;
    out.reserve(len + 3);
    out.push_back(static_cast<char>(type));
    out.push_back(static_cast<char>(len + 1));
    out.append(comment, 0, len);
    out.push_back('\0');
    return out;
}

std::string comment_from_udata(const void* data, uint32_t len, uint8_t type)
{
    return std::string(comment_view_from_udata(data, len, type));
}

std::string_view comment_view_from_udata(const void* data, uint32_t len, uint8_t type)
{
    const auto* p = static_cast<const uint8_t*>(data);
    const uint8_t* end = p + len;
    // Bounds-checked walk: userdata is whatever any tool stored, not necessarily ours.
    while (end - p >= 2) {
        uint8_t t = p[0], l = p[1];
        if (end - p - 2 < l) break;
        if (t == type && l > 0) {
            const char* s = reinterpret_cast<const char*>(p + 2);
            return std::string_view(s, strnlen(s, l));
        }
        p += 2 + l;
    }
    return {};
}

}  // namespace ipchains::backend::nft
