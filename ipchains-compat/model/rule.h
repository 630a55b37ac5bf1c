// One ipchains rule, as the 2.2 kernel stored it (struct ip_fw + target label), host order.
// This is the single rule representation shared by the command parser, the IP_FW_*
// setsockopt emulation in libdivert, listings, save/restore and every backend.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace ipchains::model {

// fw_flg bits, values as in <linux/ip_fw.h> so the setsockopt path converts by copy.
enum RuleFlag : uint16_t {
    kFlagLog = 0x0001,       // -l      IP_FW_F_PRN
    kFlagSyn = 0x0002,       // -y      IP_FW_F_TCPSYN
    kFlagFrag = 0x0004,      // -f      IP_FW_F_FRAG
    kFlagMarkAbs = 0x0008,   // -m v    IP_FW_F_MARKABS (else -m +v / -v adds)
    kFlagWildIf = 0x0010,    // -i ppp+ IP_FW_F_WILDIF (also set when no interface)
    kFlagNetlink = 0x0020,   // -o      IP_FW_F_NETLINK
    kFlagMask = 0x003F,
};

// fw_invflg bits.
enum RuleInvert : uint16_t {
    kInvSrcIp = 0x0001,
    kInvDstIp = 0x0002,
    kInvProto = 0x0004,
    kInvSrcPort = 0x0008,
    kInvDstPort = 0x0010,
    kInvVia = 0x0020,
    kInvSyn = 0x0040,
    kInvFrag = 0x0080,
    kInvMask = 0x00FF,
};

enum class TargetKind {
    None,      // "" accounting rule: counts, then the next rule
    Accept,
    Deny,
    Reject,
    Masq,
    Redirect,  // port in Rule::redirect_port (0 = keep the packet's own)
    Return,
    Divert,    // port in Rule::redirect_port (1-65535)
    Tee,       // like Divert, but the program gets a copy and the original goes on (docs/ipfw.md)
    Chain,     // user chain named in Rule::target_chain
};

struct PortRange {
    uint16_t lo = 0;
    uint16_t hi = 0xFFFF;
    bool any() const { return lo == 0 && hi == 0xFFFF; }
    bool operator==(const PortRange& o) const { return lo == o.lo && hi == o.hi; }
    bool operator!=(const PortRange& o) const { return !(*this == o); }
};

// An IPv6 prefix (ipfw `ip6` rules only, docs/ipfw.md "IPv6"): network order bytes, already
// cut to `len` bits; len 0 is `any`.
struct Prefix6 {
    std::array<uint8_t, 16> addr{};
    uint8_t len = 0;
    bool operator==(const Prefix6& o) const { return addr == o.addr && len == o.len; }
    bool operator!=(const Prefix6& o) const { return !(*this == o); }
};

struct Counters {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    bool operator==(const Counters& o) const { return packets == o.packets && bytes == o.bytes; }
};

struct Rule {
    uint32_t src = 0, src_mask = 0;   // host order; src already ANDed with mask
    uint32_t dst = 0, dst_mask = 0;
    uint32_t mark = 0;                // value set (kFlagMarkAbs) or added
    uint16_t proto = 0;               // 0 = all
    uint16_t flags = 0;               // RuleFlag
    uint16_t invflags = 0;            // RuleInvert
    PortRange sport, dport;           // ICMP: type range, code range
    uint16_t redirect_port = 0;       // REDIRECT port, DIVERT port (fw_redirpt)
    uint16_t output_size = 0xFFFF;    // -o maxsize
    std::string iface;                // without the trailing '+' (kFlagWildIf says prefix)
    uint8_t tos_and = 0xFF, tos_xor = 0x00;
    TargetKind target = TargetKind::None;
    // The ipfw rule number (1-65535), 0 = none: rules added by `ipfw add` carry it, saved as
    // `--ipfw-number N`, so that `ipfw show`/`delete N` find them in the kernel (docs/ipfw.md).
    uint16_t number = 0;
    // An IPv6 rule (ipfw `ip6`): matches IPv6 packets on src6/dst6 (kInvSrcIp/kInvDstIp invert
    // them), src/dst stay 0/0 and proto 0. It lives in the nft table of family ip6; ipchains
    // itself never makes one (saved as `--ipfw-ip6`, docs/ipfw.md "IPv6").
    bool ip6 = false;
    Prefix6 src6, dst6;
    std::string target_chain;         // for TargetKind::Chain
    Counters counters;                // what the kernel counted; not part of identity

    // The target label as the kernel stored it: "", "ACCEPT", "DENY", ..., or the chain name.
    std::string target_label() const;

    // Exact field-by-field equality, counters excluded.
    bool operator==(const Rule& o) const;
    bool operator!=(const Rule& o) const { return !(*this == o); }

    // IP_FW_DELETE / `ipchains -D chain spec` equality (docs/reference/firewall-api.md section 7):
    // ignores the mark value, MARKABS, the TOS masks, the counters and the ipfw number.
    bool same_for_delete(const Rule& o) const;
};

// Special target names in resolution order; returns TargetKind::Chain for anything else
// (the caller decides whether that chain exists). "" maps to TargetKind::None.
TargetKind target_kind_from_label(const std::string& label);

// DIVERT and TEE: the rule queues packets to a divert socket's port (Rule::redirect_port) and
// is a resume point of its chain.
bool sends_to_divert_socket(TargetKind t);

}  // namespace ipchains::model
