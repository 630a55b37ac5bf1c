// Comments in nftables userdata: the TLV layout nft and iptables-nft use for rule, chain and
// table comments, so `nft list` shows ours as `comment "..."`.
#pragma once

#include <cstdint>
#include <optional>
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

// What the append fast path last wrote about a run, kept in its lookup rule's userdata next
// to the comment (docs/design.md "Rule runs", "The run's tally"): the run's member count and
// one member's save line, true while the ruleset generation is still `generation`. The TLV
// type is one nft and iptables-nft do not use; `nft list` passes over it.
struct RunTally {
    uint32_t generation = 0;
    uint32_t members = 0;
    std::string sample;
};
constexpr uint8_t kRunTallyUdataType = 0xc1;
// The TLV, or "" when the sample does not fit one (253 bytes with the numbers).
std::string run_tally_udata(const RunTally& t);
// The tally TLV in a userdata blob, nullopt when there is none or it is malformed.
std::optional<RunTally> run_tally_from_udata(const void* data, uint32_t len);
// The userdata of a run's lookup rule that carries `tally`: the comment TLV, then the tally's.
// "" when they do not fit together: the kernel refuses rule userdata beyond
// NFT_USERDATA_MAXLEN, and a rule without a tally only costs the next append a read of the
// members.
std::string lookup_rule_udata(const std::string& comment, const RunTally& tally);

// The ruleset generation a transaction bound to `generation` (NFNL_BATCH_GENID) leaves when it
// commits: the kernel steps it by one and skips 0. What a tally written in that transaction
// must say to be trusted.
uint32_t generation_after_commit(uint32_t generation);

}  // namespace ipchains::backend::nft
