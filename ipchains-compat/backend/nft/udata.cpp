#include "backend/nft/udata.h"

#include <arpa/inet.h>

#include <cstring>

#include <libnftnl/udata.h>
#include <linux/netfilter/nf_tables.h>

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

namespace {

// The value of the first TLV of `type` in a userdata blob.
std::optional<std::string_view> tlv_value(const void* data, uint32_t len, uint8_t type)
{
    const auto* p = static_cast<const uint8_t*>(data);
    const uint8_t* end = p + len;
    // Bounds-checked walk: userdata is whatever any tool stored, not necessarily ours.
    while (end - p >= 2) {
        uint8_t t = p[0], l = p[1];
        if (end - p - 2 < l) break;
        if (t == type) return std::string_view(reinterpret_cast<const char*>(p + 2), l);
        p += 2 + l;
    }
    return std::nullopt;
}

void put_u32(std::string& out, uint32_t v)
{
    const uint32_t be = htonl(v);
    out.append(reinterpret_cast<const char*>(&be), sizeof(be));
}

uint32_t get_u32(std::string_view in)
{
    uint32_t be;
    memcpy(&be, in.data(), sizeof(be));
    return ntohl(be);
}

}  // namespace

std::string comment_from_udata(const void* data, uint32_t len, uint8_t type)
{
    return std::string(comment_view_from_udata(data, len, type));
}

std::string_view comment_view_from_udata(const void* data, uint32_t len, uint8_t type)
{
    auto v = tlv_value(data, len, type);
    if (!v) return {};
    return std::string_view(v->data(), strnlen(v->data(), v->size()));
}

std::string run_tally_udata(const RunTally& t)
{
    const size_t len = 8 + t.sample.size();
    if (len > 253) return {};
    std::string out;
    out.reserve(len + 2);
    out.push_back(static_cast<char>(kRunTallyUdataType));
    out.push_back(static_cast<char>(len));
    put_u32(out, t.generation);
    put_u32(out, t.members);
    out += t.sample;
    return out;
}

std::optional<RunTally> run_tally_from_udata(const void* data, uint32_t len)
{
    auto v = tlv_value(data, len, kRunTallyUdataType);
    if (!v || v->size() <= 8) return std::nullopt;
    return RunTally{get_u32(*v), get_u32(v->substr(4)), std::string(v->substr(8))};
}

std::string lookup_rule_udata(const std::string& comment, const RunTally& tally)
{
    std::string t = run_tally_udata(tally);
    if (t.empty()) return {};
    std::string ud = comment_udata(NFTNL_UDATA_RULE_COMMENT, comment);
    if (ud.size() + t.size() > NFT_USERDATA_MAXLEN) return {};
    return ud + t;
}

uint32_t generation_after_commit(uint32_t generation)
{
    return generation + 1 == 0 ? 1 : generation + 1;
}

}  // namespace ipchains::backend::nft
