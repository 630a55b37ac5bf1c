// -C: 2.2's ip_fw_check walk in test mode (no counters, no TOS/mark, no logging).
#include <cerrno>

#include "engine/engine.h"

namespace ipchains::engine {

namespace {

// port_match() of 2.2: a later fragment has no ports, so only the full range lets it through,
// whatever the inversion.
bool port_match(const model::PortRange& range, uint16_t port, bool fragment, bool invert)
{
    if (fragment) return range.any();
    return (port >= range.lo && port <= range.hi) != invert;
}

CheckVerdict policy_verdict(model::Policy p)
{
    switch (p) {
    case model::Policy::Accept: return CheckVerdict::Accepted;
    case model::Policy::Deny: return CheckVerdict::Denied;
    case model::Policy::Reject: return CheckVerdict::Rejected;
    case model::Policy::Masq: return CheckVerdict::Masqueraded;
    }
    return CheckVerdict::Denied;
}

}  // namespace

bool matches(const model::Rule& r, const TestPacket& p)
{
    // FWINV of ip_rule_match: the test result XORed with its inversion bit. An inversion bit
    // without its base flag therefore makes the rule never match, as in 2.2.
    auto inv = [&](bool mismatch, uint16_t bit) { return mismatch != ((r.invflags & bit) != 0); };
    if (r.ip6) return false;  // -C tests IPv4 packets; an ipfw ip6 rule never sees one

    if (inv((p.src & r.src_mask) != r.src, model::kInvSrcIp)) return false;
    if (inv((p.dst & r.dst_mask) != r.dst, model::kInvDstIp)) return false;

    bool if_mismatch = (r.flags & model::kFlagWildIf)
                           ? p.iface.compare(0, r.iface.size(), r.iface) != 0
                           : p.iface != r.iface;
    if (inv(if_mismatch, model::kInvVia)) return false;

    if (inv((r.flags & model::kFlagFrag) && !p.fragment, model::kInvFrag)) return false;
    // A later fragment carries no TCP header: it never passes a SYN test, even an inverted one.
    if ((r.flags & model::kFlagSyn) && p.fragment) return false;
    bool tcpsyn = p.proto == 6 && !p.fragment && p.syn;
    if (inv((r.flags & model::kFlagSyn) && !tcpsyn, model::kInvSyn)) return false;

    if (r.proto == 0) return true;
    if (inv(p.proto != r.proto, model::kInvProto)) return false;
    uint16_t sport = 0xFFFF, dport = 0xFFFF;
    if (!p.fragment && (p.proto == 6 || p.proto == 17 || p.proto == 1)) {
        sport = p.sport;
        dport = p.dport;
    }
    return port_match(r.sport, sport, p.fragment, r.invflags & model::kInvSrcPort) &&
           port_match(r.dport, dport, p.fragment, r.invflags & model::kInvDstPort);
}

Result<CheckVerdict> check(const model::Ruleset& rs, const std::string& chain,
                           const TestPacket& pkt)
{
    const model::Chain* start = rs.find(chain);
    if (start == nullptr)
        return Error::kernel(ENOENT, kernel_error_text(model::Op::Check, ENOENT,
                                                       model::TargetKind::None));
    struct Frame {
        const model::Chain* chain;
        size_t next;
    };
    std::vector<Frame> stack{{start, 0}};
    for (;;) {
        Frame& f = stack.back();
        bool leave = f.next == f.chain->rules.size();
        const model::Rule* r = leave ? nullptr : &f.chain->rules[f.next++];
        if (r != nullptr && !matches(*r, pkt)) continue;
        if (r != nullptr) {
            switch (r->target) {
            case model::TargetKind::None: continue;
            case model::TargetKind::Accept: return CheckVerdict::Accepted;
            case model::TargetKind::Deny: return CheckVerdict::Denied;
            case model::TargetKind::Reject: return CheckVerdict::Rejected;
            case model::TargetKind::Masq: return CheckVerdict::Masqueraded;
            case model::TargetKind::Redirect: return CheckVerdict::Redirected;
            case model::TargetKind::Divert: return CheckVerdict::Diverted;
            case model::TargetKind::Tee: continue;  // a copy to the program; the packet goes on
            case model::TargetKind::Return: leave = true; break;
            case model::TargetKind::Chain: {
                const model::Chain* callee = rs.find(r->target_chain);
                if (callee == nullptr) continue;
                for (const Frame& on_path : stack)
                    if (on_path.chain == callee) return CheckVerdict::CaughtInLoop;
                stack.push_back({callee, 0});
                continue;
            }
            }
        }
        if (!leave) continue;
        if (stack.size() == 1)
            return start->builtin() ? policy_verdict(*start->policy) : CheckVerdict::PassedThrough;
        stack.pop_back();
    }
}

TestPacket test_packet_from_rule(const model::Rule& r)
{
    TestPacket p;
    p.src = r.src;
    p.dst = r.dst;
    p.proto = static_cast<uint8_t>(r.proto);
    p.sport = r.sport.lo;
    p.dport = r.dport.lo;
    p.syn = (r.flags & model::kFlagSyn) != 0;
    p.fragment = (r.flags & model::kFlagFrag) != 0;
    p.iface = r.iface;
    return p;
}

}  // namespace ipchains::engine
