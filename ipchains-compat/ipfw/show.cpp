#include "ipfw/show.h"

#include <algorithm>
#include <cstdio>

#include "format/format.h"
#include "model/prefix6.h"

namespace ipchains::ipfw {

namespace {

constexpr uint16_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmp6 = 58;

// What one ipfw rule can say: the targets of `add`, plain or negated addresses, tcp/udp ports,
// setup, frag, log and one interface. Anything else is an ipchains-only rule.
bool expressible(const model::Rule& r)
{
    using namespace model;
    switch (r.target) {
    case TargetKind::None:
    case TargetKind::Accept:
    case TargetKind::Deny:
    case TargetKind::Reject:
    case TargetKind::Divert:
    case TargetKind::Tee: break;
    default: return false;
    }
    if (r.invflags & ~(kInvSrcIp | kInvDstIp)) return false;
    if (r.flags & (kFlagMarkAbs | kFlagNetlink)) return false;
    if (r.mark != 0 || r.tos_and != 0xFF || r.tos_xor != 0) return false;
    const bool ports = !r.sport.any() || !r.dport.any();
    if (ports && r.proto != kTcp && r.proto != kUdp) return false;
    if ((r.flags & kFlagSyn) && r.proto != kTcp) return false;
    return true;
}

std::string action(const model::Rule& r)
{
    using model::TargetKind;
    switch (r.target) {
    case TargetKind::Accept: return "allow";
    case TargetKind::Deny: return "deny";
    case TargetKind::Reject: return "reject";
    case TargetKind::Divert: return "divert " + std::to_string(r.redirect_port);
    case TargetKind::Tee: return "tee " + std::to_string(r.redirect_port);
    default: return "count";
    }
}

// 58 is named ipv6-icmp only on an ip6 rule: on an IPv4 rule the name would read back as
// ICMPv6, which makes the rule IPv6 (docs/ipfw.md "IPv6").
std::string protocol(uint16_t p, bool ip6)
{
    if (p == 0) return "ip";
    if (p == kTcp) return "tcp";
    if (p == kUdp) return "udp";
    if (p == kIcmp) return "icmp";
    if (p == kIcmp6 && ip6) return "ipv6-icmp";
    return std::to_string(p);
}

int prefix_length(uint32_t mask)
{
    int n = 0;
    while (n < 32 && (mask & (0x80000000u >> n))) ++n;
    return (n == 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> n)) == mask ? n : -1;
}

std::string address(uint32_t addr, uint32_t mask, bool negated)
{
    std::string out = negated ? "not " : "";
    if (mask == 0) return out + "any";
    out += format::dotted_quad(addr);
    const int len = prefix_length(mask);
    if (len < 0) return out + ":" + format::dotted_quad(mask);
    if (len != 32) out += "/" + std::to_string(len);
    return out;
}

std::string address6(const model::Prefix6& p, bool negated)
{
    std::string out = negated ? "not " : "";
    if (p.len == 0) return out + "any";
    std::string text = model::prefix6_text(p);
    if (p.len == 128) text.erase(text.rfind('/'));
    return out + text;
}

std::string ports(const model::PortRange& p)
{
    if (p.any()) return "";
    if (p.lo == p.hi) return " " + std::to_string(p.lo);
    return " " + std::to_string(p.lo) + "-" + std::to_string(p.hi);
}

bool same_rule(const model::Rule& a, const model::Rule& b)
{
    return a == b;  // counters are not part of equality
}

// FreeBSD's default rule, what input's or output's policy does to a packet no rule decided
// (docs/ipfw.md "Listing"): allow, deny or reject, counting what the policy counted.
Entry default_rule(const model::Chain& c)
{
    Entry e;
    e.number = kDefaultRule;
    e.numbered = true;
    e.chain = c.name;
    e.rule.number = kDefaultRule;
    e.rule.target = c.policy == model::Policy::Deny     ? model::TargetKind::Deny
                    : c.policy == model::Policy::Reject ? model::TargetKind::Reject
                                                        : model::TargetKind::Accept;
    e.rule.counters = c.policy_counters;
    return e;
}

}  // namespace

std::vector<Entry> entries(const model::Ruleset& rs)
{
    std::vector<Entry> out;
    for (const char* name : {"input", "output"}) {
        const model::Chain* c = rs.find(name);
        if (c == nullptr) continue;
        if (c->policy) out.push_back(default_rule(*c));
        uint16_t previous = 0;
        for (const auto& r : c->rules) {
            Entry e;
            e.numbered = r.number != 0;
            e.number = e.numbered ? r.number : previous;
            previous = e.number;
            e.chain = name;
            e.rule = r;
            out.push_back(std::move(e));
        }
    }
    // Number order; for equal numbers input before output, each chain in its own order.
    std::stable_sort(out.begin(), out.end(),
                     [](const Entry& a, const Entry& b) { return a.number < b.number; });
    // `add` without in/out put the same numbered rule into both chains: list it once.
    std::vector<Entry> merged;
    std::vector<bool> used(out.size(), false);
    for (size_t i = 0; i < out.size(); ++i) {
        if (used[i]) continue;
        Entry e = out[i];
        if (e.numbered && e.chain == "input") {
            for (size_t j = i + 1; j < out.size() && out[j].number == e.number; ++j) {
                if (used[j] || out[j].chain != "output" || !same_rule(out[j].rule, e.rule))
                    continue;
                used[j] = true;
                e.chain.clear();
                e.rule.counters.packets += out[j].rule.counters.packets;
                e.rule.counters.bytes += out[j].rule.counters.bytes;
                break;
            }
        }
        merged.push_back(std::move(e));
    }
    return merged;
}

std::string body(const Entry& e)
{
    const model::Rule& r = e.rule;
    if (!expressible(r)) {
        model::Rule plain = r;
        plain.number = 0;
        return "ipchains " + format::save_line(e.chain.empty() ? "input" : e.chain, plain);
    }
    std::string out = action(r);
    if (r.flags & model::kFlagLog) out += " log";
    if (r.ip6) {
        out += " ip6 from " + address6(r.src6, r.invflags & model::kInvSrcIp);
        out += " to " + address6(r.dst6, r.invflags & model::kInvDstIp);
        // The option form, so that the line reads back as IPv6 even with `any' on both
        // sides (docs/ipfw.md "IPv6").
        if (r.proto != 0) out += " proto " + protocol(r.proto, true);
        if (!r.sport.any()) out += " src-port" + ports(r.sport);
        if (!r.dport.any()) out += " dst-port" + ports(r.dport);
    } else {
        out += " " + protocol(r.proto, false);
        out += " from " + address(r.src, r.src_mask, r.invflags & model::kInvSrcIp) +
               ports(r.sport);
        out += " to " + address(r.dst, r.dst_mask, r.invflags & model::kInvDstIp) +
               ports(r.dport);
    }
    if (r.flags & model::kFlagSyn) out += " setup";
    if (r.flags & model::kFlagFrag) out += " frag";
    const std::string iface =
        r.iface + ((r.flags & model::kFlagWildIf) && !r.iface.empty() ? "*" : "");
    if (e.chain == "input") out += iface.empty() ? " in" : " in recv " + iface;
    if (e.chain == "output") out += iface.empty() ? " out" : " out xmit " + iface;
    if (e.chain.empty() && !iface.empty()) out += " via " + iface;
    return out;
}

std::string listing(const std::vector<Entry>& es, bool counters, const std::vector<uint16_t>& only)
{
    auto wanted = [&](const Entry& e) {
        return only.empty() || std::find(only.begin(), only.end(), e.number) != only.end();
    };
    int pw = 1, bw = 1;
    for (const auto& e : es) {
        if (!wanted(e)) continue;
        pw = std::max<int>(pw, std::to_string(e.rule.counters.packets).size());
        bw = std::max<int>(bw, std::to_string(e.rule.counters.bytes).size());
    }
    std::string out;
    char buf[64];
    for (const auto& e : es) {
        if (!wanted(e)) continue;
        std::snprintf(buf, sizeof buf, "%05u ", static_cast<unsigned>(e.number));
        out += buf;
        if (counters) {
            std::snprintf(buf, sizeof buf, "%*llu %*llu ", pw,
                          static_cast<unsigned long long>(e.rule.counters.packets), bw,
                          static_cast<unsigned long long>(e.rule.counters.bytes));
            out += buf;
        }
        out += body(e) + "\n";
    }
    return out;
}

}  // namespace ipchains::ipfw
