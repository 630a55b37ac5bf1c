// model::Ruleset -> ir::Table: the chain layout of docs/design.md (segments, resume sites,
// deferred REJECT/MASQ/REDIRECT, policy chains). Pure function; same input, same output.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/result.h"
#include "ir/ir.h"
#include "model/ruleset.h"

namespace ipchains::compile {

// Mark layout (docs/design.md "Mark bits"). The only place these numbers are defined; libdivert
// uses them too (kInjected for injected packets).
constexpr uint32_t kUserMarkMask = 0x0000FFFFu;
constexpr uint32_t kIdShift = 16;
constexpr uint32_t kIdMask = 0x0FFF0000u;
constexpr uint32_t kKindShift = 28;
constexpr uint32_t kKindMask = 0x70000000u;
constexpr uint32_t kMasqBit = 0x80000000u;
// Conntrack mark bit set by ~nat-out on the connections it masquerades: their replies skip the
// forward chain, as in 2.2 (docs/design.md "Masqueraded replies").
constexpr uint32_t kCtMasqBit = 0x80000000u;
enum class MarkKind : uint32_t {
    None = 0,
    Resume = 1,
    Redirect = 2,
    Injected = 3,
    Reject = 4,
    Tee = 5,
};
constexpr uint32_t mark_stamp(MarkKind k, uint32_t id)
{
    return (static_cast<uint32_t>(k) << kKindShift) | ((id << kIdShift) & kIdMask);
}

struct Options {
    std::string table_name = "ipchains";
    // Merge runs of similar rules into set lookups (compile/runs.h). The nft encodings (nft
    // and text backends) do; the legacy backend has no sets and keeps one kernel rule per
    // ipchains rule (docs/backends.md).
    bool rule_runs = false;
    // Compile the IPv6 table (docs/ipfw.md "IPv6"): only the ipfw ip6 rules of input and
    // output, policies ACCEPT, site ids from kSite6Base + 1. Without it only the IPv4 rules.
    bool ip6 = false;
    // An ACCEPT or DENY policy as the hook chain's own policy and counters, which cost a packet
    // nothing beyond the hook, instead of a last rule with a named counter (docs/design.md
    // "Chain layout"). The nft backend does for `ip`; the legacy backend maps the policy rule
    // onto its own chains, and nft's language (ipchains-translate) has no base chain counters.
    bool base_chain_policy = false;
    // A built-in chain with no rules and an ACCEPT policy gets no chain at all, so no hook:
    // its packets pass at no cost, and its policy counters stay at zero while it stays so. The
    // `empty-chains = unhooked` setting (docs/backends.md "Empty chains"); exact 2.2 counts
    // (the default) need all three hooks.
    bool unhook_empty_accept = false;
};

// IPv6 resume sites are numbered after this, so that one mark id names one site whatever the
// packet's family (libdivert maps ids to rule numbers through divert_site_positions).
constexpr uint32_t kSite6Base = 2048;

// The ruleset one family's table is compiled from: IPv4 drops the ip6 rules; IPv6 keeps the
// built-in chains (policy ACCEPT) with only their ip6 rules.
model::Ruleset family_view(const model::Ruleset& rs, bool ip6);

// Fails (ELOOP) when a jump would make a loop reachable from a built-in chain: nftables refuses
// those at commit time, where 2.2 denied the looping packet at run time (documented difference).
Result<ir::Table> compile(const model::Ruleset& rs, const Options& opt = {});

// Resume site id -> the ipfw number of its DIVERT/TEE rule (model::Rule::number) when it has
// one, else the rule's 1-based position in its ipchains chain (index in model::Chain::rules + 1,
// clamped to 65535): what libdivert's recvfrom() reports in sin_port. Every site compile(rs) allocates is present (one per call path from a built-in
// chain, so a DIVERT rule in a user chain reached twice has two ids with the same position;
// sites in unreached chains too, though they never fire). Same plan as compile(), so the ids
// are the ones its mark stamps and `~cont-<id>` chains carry; fails as compile() does.
// Covers the sites of both families' tables (IPv6 ids above kSite6Base).
Result<std::map<uint32_t, uint16_t>> divert_site_positions(const model::Ruleset& rs);

// One ipchains rule as its single nft rule (the "carrier"), for the nft backend's append fast
// path. Valid for targets none/ACCEPT/DENY/REJECT/MASQ/RETURN, whose code needs no layout
// context; `hook` is the hook of the chain instance it goes into (ChainTag::hook).
// compile(rs + r) equals compile(rs) with this rule appended to the chain's last segment
// whenever the chain has a single instance (unit-tested).
// `position` is the rule's 1-based number in its chain, which a -l rule carries in its NFLOG
// prefix (the caller must know it: NftBackend::append_fast leaves -l rules to the slow path).
ir::Rule compile_rule(const std::string& chain, const model::Rule& r, ir::Hook hook,
                      uint32_t position = 0);

// -l rules (docs/differences.md 3.1): besides the kernel log line (prefix "<chain> <target> "),
// each logged packet is copied to NFLOG group kPacketLogGroup, at most kPacketLogSnaplen bytes
// (the longest IP header and the TCP flags), with the prefix "<chain> <target>[ <port>] #<N>",
// N the rule's number in its chain. ipchains-logd turns that copy into 2.2's "Packet log:" line;
// the rule number is part of the compiled rule, so a commit that renumbers rules rewrites it.
constexpr uint16_t kPacketLogGroup = 22;
constexpr uint32_t kPacketLogSnaplen = 80;
std::string packet_log_prefix(const std::string& head, uint32_t position);

// What a chain comment says about an nft chain that holds (part of) an ipchains chain, so the
// nft reader can rebuild the model from the kernel alone: user chain `ppp-in` reached from two
// hooks is compiled twice (`ppp-in`, `ppp-in@1`), and a chain with resume points is cut into
// segments (`input`, `input~1`, ...). The model is instance 0, segments in order.
struct ChainTag {
    std::string name;                   // the ipchains chain
    int instance = 0;                   // 0 = primary instance `<name>`, n = `<name>@<n>`
    int segment = 0;                    // 0 = `<inst>`, k = `<inst>~<k>`
    ir::Hook hook = ir::Hook::Prerouting;  // Prerouting (input side), Forward or Postrouting
    // Built-in chains only: the policy, or none with policy_in_base when a base chain's own
    // policy (accept or drop) holds it, so that -P changes it there in place and the comment
    // of every segment stays as it is (the kernel cannot change a chain's comment).
    std::optional<model::Policy> policy;
    bool policy_in_base = false;
    int position = 0;                   // index of the chain in Ruleset::chains (user order)
    bool builtin() const { return policy.has_value() || policy_in_base; }
    bool operator==(const ChainTag& o) const
    {
        return name == o.name && instance == o.instance && segment == o.segment &&
               hook == o.hook && policy == o.policy && policy_in_base == o.policy_in_base &&
               position == o.position;
    }
};
// "ipchains:<position>:<instance>:<segment>:<in|fwd|out>:<POLICY|*|->:<name>" ("*": in the
// base chain, "-": a user chain); the name comes last so that it may contain ':'.
std::string chain_comment(const ChainTag& tag);
// nullopt for layout chains (their comments start "ipchains-layout:") and anything else.
std::optional<ChainTag> parse_chain_comment(const std::string& comment);

// The comment of continuation chain `~cont-<id>`: "ipchains-layout:cont:<id>:<key>", the
// site's id and key, which the reader gathers into Ruleset::resume_sites so that the next
// command keeps the id (docs/design.md "Resume site ids"). The legacy backend keeps it in its
// meta chain. nullopt for any other comment, and for one without a key (an older version's).
struct KeptSite {
    uint32_t id = 0;
    std::string key;
};
std::string continuation_name(uint32_t id);  // "~cont-<id>"
std::string continuation_comment(const KeptSite& site);
std::optional<KeptSite> parse_continuation_comment(const std::string& comment);

// nft chain name of a segment: `input`, `input~1`, `ppp-in@1`, `ppp-in@1~2`.
std::string segment_chain_name(const std::string& name, int instance, int segment);

// Post base chain i (1-based) of a hook: `~in-post-1`, `~fwd-post-2`, ... A hook has none, one
// (deferred REJECT only) or K+1 >= 3 (DIVERT/TEE sites) of them (docs/design.md "Chain
// layout"); exactly two is a table an older version wrote.
std::string post_chain_name(ir::Hook hook, int i);

// The last rule of a hook's resume dispatch (nft: its last post chain; legacy: each dispatch
// chain), after the stamps of the other hooks' sites were let through: a RESUME stamp that no
// site has, because its DIVERT rule went while a program held the packet (docs/design.md
// "Resume site ids"), is cleared. The packet is then accepted, the rest of its chain skipped,
// and the hook chains of its later hooks, which accept a RESUME stamp as a late write-back,
// see it as any other packet.
ir::Rule stale_resume_stamp_cleared();

// The format of a table whose built-in chains may say "*" (ChainTag::policy_in_base): such a
// table holds the chain `~format-<n>`, tagged as a user chain, whose one rule is no save line,
// so that a version that cannot read the format fails on it (exit 3) instead of reading the
// built-in chains as nothing (docs/design.md "Table format").
constexpr int kTableFormat = 2;
std::string format_chain_name(int format);
// The format `~format-<n>` stands for; nullopt for any other name.
std::optional<int> format_of_chain(const std::string& name);

// Presence of this (empty, unreferenced) chain means divert pass-through is on.
constexpr const char* kPassthroughChain = "~passthrough";
// Presence of this (empty, unreferenced) chain means the table was compiled with
// Options::unhook_empty_accept: the nft fast paths, which read the chain list and not the
// rules, take a table of the other form to the full commit, which converts it.
constexpr const char* kUnhookedChain = "~unhooked";
// Table counter object holding a built-in chain's policy counters: "<chain>-policy".
std::string policy_counter_name(const std::string& builtin);
// The base chain that walks built-in chain `builtin` on its hook, when the built-in chain is
// not that base chain itself (docs/design.md "Chain layout"): "~in-hook", "~fwd-hook",
// "~out-hook".
std::string hook_chain_name(const std::string& builtin);

// The canonical save-syntax line for a rule ("-A input -s ... -j DIVERT 1234"), which is also
// the userdata each compiled rule carries.
std::string rule_comment(const std::string& chain, const model::Rule& r);  // = format::save_line

}  // namespace ipchains::compile
