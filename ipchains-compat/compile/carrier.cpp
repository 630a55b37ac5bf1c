// The carrier rule: matches in the order Proto, Addr, Fragment (one test serving ports, SYN,
// -f and ! -f), Port/Icmp, Syn, IfName;
// statements Counter, Log, NFLOG, TOS, mark, then the target's code.
#include <algorithm>
#include <vector>

#include "compile/carrier.h"
#include "format/format.h"

namespace ipchains::compile {

namespace detail {

namespace {

// Builds the match list of one rule. A test that can never pass (2.2 quirks such as an
// inversion bit without its flag) makes the whole rule impossible.
class MatchBuilder {
public:
    MatchBuilder(const model::Rule& r, ir::Hook hook) : r_(r), hook_(hook) {}

    std::vector<ir::Match> build()
    {
        proto();
        if (r_.ip6) {
            addr6(true, r_.src6, inv(model::kInvSrcIp));
            addr6(false, r_.dst6, inv(model::kInvDstIp));
        } else {
            addr(true, r_.src, r_.src_mask, inv(model::kInvSrcIp));
            addr(false, r_.dst, r_.dst_mask, inv(model::kInvDstIp));
        }
        if (r_.proto != 0) {
            port(true, r_.sport, inv(model::kInvSrcPort));
            port(false, r_.dport, inv(model::kInvDstPort));
        }
        syn();
        fragment();
        iface();
        // The ip6 table has no fragment-offset test to share: nft's transport-header loads
        // (ports, SYN) already fail on a later IPv6 fragment (docs/ipfw.md "IPv6").
        if (r_.ip6) need_first_fragment_ = need_later_fragment_ = false;
        if (never_ || (need_later_fragment_ && need_first_fragment_))
            return {ir::Fragment{true}, ir::Fragment{false}};

        std::vector<ir::Match> out = head_;
        if (need_first_fragment_) out.push_back(ir::Fragment{true});
        if (need_later_fragment_) out.push_back(ir::Fragment{false});
        out.insert(out.end(), tail_.begin(), tail_.end());
        return out;
    }

private:
    bool inv(uint16_t bit) const { return (r_.invflags & bit) != 0; }
    bool l4(uint16_t p) const { return r_.proto == p && !inv(model::kInvProto); }

    void proto()
    {
        if (r_.proto == 0) return;
        if (r_.proto > 0xFF) {  // no IP protocol number is that large
            if (!inv(model::kInvProto)) never_ = true;
            return;
        }
        // IPv6: the upper-layer protocol past the extension headers (docs/ipfw.md "IPv6").
        head_.push_back(
            ir::Proto{static_cast<uint8_t>(r_.proto), inv(model::kInvProto), r_.ip6});
    }

    void addr(bool source, uint32_t a, uint32_t mask, bool negate)
    {
        // (addr & mask) == a is constant when the mask is 0 or `a` has bits outside it.
        if (mask == 0 || (a & ~mask) != 0) {
            bool always = (a & ~mask) == 0;
            if (always == negate) never_ = true;
            return;
        }
        head_.push_back(ir::Addr{source, a, mask, negate});
    }

    // An ipfw ip6 rule's prefix (docs/ipfw.md "IPv6"); /0 matches every packet.
    void addr6(bool source, const model::Prefix6& p, bool negate)
    {
        if (p.len == 0) {
            if (negate) never_ = true;
            return;
        }
        head_.push_back(ir::Addr6{source, p.addr, p.len, negate});
    }

    void port(bool source, const model::PortRange& range, bool negate)
    {
        if (range.any()) {
            // Only a later fragment (no ports) passes an inverted full-range test.
            if (negate) need_later_fragment_ = true;
            return;
        }
        need_first_fragment_ = true;  // a later fragment fails every other port test
        if (l4(6) || l4(17)) {
            tail_.push_back(ir::Port{source, range.lo, range.hi, negate});
            return;
        }
        if (l4(1)) {
            if (range.lo > 0xFF) {  // the type/code byte can never be in range
                if (!negate) never_ = true;
                return;
            }
            uint16_t hi = std::min<uint16_t>(range.hi, 0xFF);
            if (range.lo == 0 && hi == 0xFF) {
                if (negate) never_ = true;
                return;
            }
            tail_.push_back(ir::Icmp{source ? ir::Icmp::Type : ir::Icmp::Code,
                                     static_cast<uint8_t>(range.lo), static_cast<uint8_t>(hi),
                                     negate});
            return;
        }
        // Other protocols have "ports" 0xFFFF (convert_rule refuses such rules anyway).
        bool in = range.hi == 0xFFFF;
        if (in == negate) never_ = true;
    }

    void syn()
    {
        if (r_.flags & model::kFlagSyn) {
            need_first_fragment_ = true;
            tail_.push_back(ir::Syn{inv(model::kInvSyn)});
        } else if (inv(model::kInvSyn)) {
            never_ = true;
        }
    }

    void fragment()
    {
        // -f and ! -f share the one Fragment test that ports and SYN also need.
        if ((r_.flags & model::kFlagFrag) && inv(model::kInvFrag))
            need_first_fragment_ = true;
        else if (r_.flags & model::kFlagFrag)
            need_later_fragment_ = true;
        else if (inv(model::kInvFrag))
            never_ = true;
    }

    void iface()
    {
        bool wild = (r_.flags & model::kFlagWildIf) != 0;
        if (r_.iface.empty()) {
            // "" with WILDIF matches every interface; without it, no real one.
            if (wild == inv(model::kInvVia)) never_ = true;
            return;
        }
        tail_.push_back(ir::IfName{hook_ == ir::Hook::Prerouting, r_.iface, wild,
                                   inv(model::kInvVia)});
    }

    const model::Rule& r_;
    ir::Hook hook_;
    std::vector<ir::Match> head_, tail_;
    bool never_ = false;
    bool need_first_fragment_ = false;
    bool need_later_fragment_ = false;
};

std::string log_prefix(const std::string& chain, const model::Rule& r)
{
    std::string label = r.target == model::TargetKind::None ? "-" : r.target_label();
    if (r.target == model::TargetKind::Redirect || model::sends_to_divert_socket(r.target))
        label += " " + std::to_string(r.redirect_port);
    return chain + " " + label + " ";
}

void side_effects(const std::string& chain, const model::Rule& r, uint32_t position,
                  ir::Rule& out)
{
    out.statements.push_back(ir::Counter{r.counters.packets, r.counters.bytes});
    if (r.flags & model::kFlagLog) {
        // The kernel's own line (never lost, daemon or not), then the copy ipchains-logd
        // turns into 2.2's "Packet log:" line (docs/differences.md 3.1).
        out.statements.push_back(ir::Log{log_prefix(chain, r), {}, 0});
        out.statements.push_back(ir::Log{packet_log_prefix(log_prefix(chain, r), position),
                                         kPacketLogGroup, kPacketLogSnaplen});
    }
    if (r.flags & model::kFlagNetlink)
        out.statements.push_back(ir::Log{"", uint16_t{0}, r.output_size});
    if (r.tos_and != 0xFF || r.tos_xor != 0x00)
        out.statements.push_back(ir::SetTos{r.tos_and, r.tos_xor});
    if (r.flags & model::kFlagMarkAbs) {
        out.statements.push_back(ir::SetMark{~kUserMarkMask, r.mark & kUserMarkMask});
    } else if (uint32_t add = r.mark & kUserMarkMask) {
        // Approximation (docs/differences-engine.md): nft has no "mark += v"; OR the bits in.
        out.statements.push_back(ir::SetMark{~add, add});
    }
}

void target(const model::Rule& r, ir::Hook hook, const TargetContext& ctx, ir::Rule& out)
{
    auto& st = out.statements;
    auto verdict = [&](ir::Verdict::Kind k, std::string chain = "") {
        st.push_back(ir::Verdict{k, std::move(chain)});
    };
    switch (r.target) {
    case model::TargetKind::None: break;
    case model::TargetKind::Accept: verdict(ir::Verdict::Accept); break;
    case model::TargetKind::Deny: verdict(ir::Verdict::Drop); break;
    case model::TargetKind::Return: verdict(ir::Verdict::Return); break;
    case model::TargetKind::Reject:
        st.push_back(stamp(MarkKind::Reject, 0));
        verdict(ir::Verdict::Accept);
        break;
    case model::TargetKind::Masq:
        // MASQ only means something on forward; elsewhere 2.2 dropped the packet.
        if (hook != ir::Hook::Forward) {
            verdict(ir::Verdict::Drop);
            break;
        }
        st.push_back(ir::SetMark{~kMasqBit, kMasqBit});
        verdict(ir::Verdict::Accept);
        break;
    case model::TargetKind::Redirect:
        if (hook != ir::Hook::Prerouting || ctx.redirect_id == 0) {
            verdict(ir::Verdict::Drop);
            break;
        }
        st.push_back(stamp(MarkKind::Redirect, ctx.redirect_id));
        verdict(ir::Verdict::Accept);
        break;
    case model::TargetKind::Chain:
        if (!ctx.jump_to.empty()) verdict(ir::Verdict::Jump, ctx.jump_to);
        break;
    case model::TargetKind::Divert:
        // libdivert's own injections carry INJECTED|port and skip their own port's rules.
        out.matches.push_back(stamp_match(MarkKind::Injected, r.redirect_port & 0xFFFu, true));
        st.push_back(stamp(MarkKind::Resume, ctx.site));
        st.push_back(ir::Queue{r.redirect_port, ctx.passthrough});
        break;
    case model::TargetKind::Tee:
        // The TEE kind tells libdivert to let the original go on at once and hand the program
        // a copy; with nobody bound (bypass) the original goes on all the same. Either way the
        // post chains resume it after this rule (docs/ipfw.md "TEE").
        out.matches.push_back(stamp_match(MarkKind::Injected, r.redirect_port & 0xFFFu, true));
        st.push_back(stamp(MarkKind::Tee, ctx.site));
        st.push_back(ir::Queue{r.redirect_port, true});
        break;
    }
}

}  // namespace

ir::SetMark stamp(MarkKind kind, uint32_t id)
{
    return ir::SetMark{kUserMarkMask | kMasqBit, mark_stamp(kind, id)};
}

ir::Mark stamp_match(MarkKind kind, uint32_t id, bool negate)
{
    return ir::Mark{kKindMask | kIdMask, mark_stamp(kind, id), negate};
}

ir::Rule carrier(const std::string& chain, const model::Rule& r, ir::Hook hook,
                 const TargetContext& ctx)
{
    ir::Rule out;
    out.matches = MatchBuilder(r, hook).build();
    side_effects(chain, r, ctx.position, out);
    target(r, hook, ctx, out);
    out.comment = rule_comment(chain, r);
    return out;
}

}  // namespace detail

ir::Rule compile_rule(const std::string& chain, const model::Rule& r, ir::Hook hook,
                      uint32_t position)
{
    detail::TargetContext ctx;
    ctx.position = position;
    return detail::carrier(chain, r, hook, ctx);
}

std::string packet_log_prefix(const std::string& head, uint32_t position)
{
    return head + "#" + std::to_string(position);
}

std::string rule_comment(const std::string& chain, const model::Rule& r)
{
    return format::save_line(chain, r);
}

}  // namespace ipchains::compile
