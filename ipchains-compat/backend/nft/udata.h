// Comments in nftables userdata: the TLV layout nft and iptables-nft use for rule, chain and
// table comments, so `nft list` shows ours as `comment "..."`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ipchains::backend::nft {

// One TLV: type, length (including the NUL), the text and its NUL. Comments longer than a
// TLV can carry (254 bytes) are cut; the compiler's save lines stay far below that.
std::string comment_udata(uint8_t type, const std::string& comment);

// The comment TLV of `type` in a userdata blob, or "" when there is none.
std::string comment_from_udata(const void* data, uint32_t len, uint8_t type);
// The same, viewing the blob's bytes: for readers of many elements that keep no copy.
std::string_view comment_view_from_udata(const void* data, uint32_t len, uint8_t type);

}  // namespace ipchains::backend::nft
