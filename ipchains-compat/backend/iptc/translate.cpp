#include "backend/iptc/translate.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "backend/iptc/extensions.h"
#include "compile/compile.h"

namespace ipchains::backend::iptc {

namespace {

constexpr size_t kCommentMax = 255;  // xt_comment_info holds 256 bytes with the NUL

Error unsupported(const std::string& what)
{
    return Error::kernel(EINVAL, "legacy iptables cannot express " + what);
}

void put_iface(char* name, unsigned char* mask, const ir::IfName& m)
{
    std::memset(name, 0, IFNAMSIZ);
    std::memset(mask, 0, IFNAMSIZ);
    const size_t n = std::min<size_t>(m.name.size(), IFNAMSIZ - 1);
    std::memcpy(name, m.name.data(), n);
    // Exact names compare the NUL too; a `+` prefix compares only the given bytes.
    std::memset(mask, 0xFF, m.prefix ? n : n + 1);
}

struct IcmpTest {
    uint8_t lo, hi;
    bool negate;
};

class MatchTranslator {
public:
    Result<LegacyRule> run(const std::vector<ir::Match>& matches)
    {
        for (const auto& m : matches) {
            auto ok = std::visit([this](const auto& x) { return add(x); }, m);
            if (!ok) return ok.error();
        }
        finish();
        return rule_;
    }

private:
    // Rule runs are an nft encoding: the legacy backend compiles without them.
    Result<void> add(const ir::SetLookup& m) { return unsupported("set lookup @" + m.set); }

    Result<void> add(const ir::IfName& m)
    {
        if (m.name.size() >= IFNAMSIZ) return unsupported("interface name " + m.name);
        if (m.input) {
            put_iface(rule_.ip.iniface, rule_.ip.iniface_mask, m);
            if (m.negate) rule_.ip.invflags |= IPT_INV_VIA_IN;
        } else {
            put_iface(rule_.ip.outiface, rule_.ip.outiface_mask, m);
            if (m.negate) rule_.ip.invflags |= IPT_INV_VIA_OUT;
        }
        return {};
    }
    Result<void> add(const ir::Addr& m)
    {
        if (m.source) {
            rule_.ip.src.s_addr = htonl(m.addr);
            rule_.ip.smsk.s_addr = htonl(m.mask);
            if (m.negate) rule_.ip.invflags |= IPT_INV_SRCIP;
        } else {
            rule_.ip.dst.s_addr = htonl(m.addr);
            rule_.ip.dmsk.s_addr = htonl(m.mask);
            if (m.negate) rule_.ip.invflags |= IPT_INV_DSTIP;
        }
        return {};
    }
    // The legacy backend refuses IPv6 rules before compiling (docs/ipfw.md "IPv6").
    Result<void> add(const ir::Addr6&) { return unsupported("IPv6 address match"); }
    Result<void> add(const ir::Proto& m)
    {
        rule_.ip.proto = m.proto;
        if (m.negate) rule_.ip.invflags |= XT_INV_PROTO;
        return {};
    }
    Result<void> add(const ir::Port& m)
    {
        if (rule_.ip.proto != IPPROTO_TCP && rule_.ip.proto != IPPROTO_UDP)
            return unsupported("a port test without -p tcp or udp");
        ports_used_ = true;
        if (m.source) {
            ports_.sport[0] = m.lo;
            ports_.sport[1] = m.hi;
            ports_.sport_neg = m.negate;
        } else {
            ports_.dport[0] = m.lo;
            ports_.dport[1] = m.hi;
            ports_.dport_neg = m.negate;
        }
        return {};
    }
    Result<void> add(const ir::Icmp& m)
    {
        if (rule_.ip.proto != IPPROTO_ICMP) return unsupported("an ICMP test without -p icmp");
        (m.field == ir::Icmp::Type ? type_ : code_) = IcmpTest{m.lo, m.hi, m.negate};
        return {};
    }
    Result<void> add(const ir::Fragment& m)
    {
        if (fragment_ && *fragment_ != m.negate) never_ = true;  // first and later at once
        fragment_ = m.negate;
        return {};
    }
    Result<void> add(const ir::Syn& m)
    {
        if (rule_.ip.proto != IPPROTO_TCP) return unsupported("-y without -p tcp");
        syn_ = m.negate;
        return {};
    }
    Result<void> add(const ir::Mark& m)
    {
        extras_.push_back(xt::mark(m.value, m.mask, m.negate));
        return {};
    }
    Result<void> add(const ir::CtReply& m)
    {
        extras_.push_back(xt::conntrack_reply());
        if (m.mask != 0) extras_.push_back(xt::connmark(m.value, m.mask));
        return {};
    }

    void finish()
    {
        if (never_) {
            // `! -s 0.0.0.0/0` never matches: the rule stays (it counts nothing), as in nft.
            rule_.ip.src.s_addr = rule_.ip.smsk.s_addr = 0;
            rule_.ip.invflags |= IPT_INV_SRCIP;
        } else if (fragment_) {
            rule_.ip.flags |= IPT_F_FRAG;
            if (*fragment_) rule_.ip.invflags |= IPT_INV_FRAG;
        }
        if (rule_.ip.proto == IPPROTO_TCP && (ports_used_ || syn_))
            rule_.matches.push_back(xt::tcp(ports_, syn_.has_value(), syn_.value_or(false)));
        else if (rule_.ip.proto == IPPROTO_UDP && ports_used_)
            rule_.matches.push_back(xt::udp(ports_));
        icmp();
        for (auto& x : extras_) rule_.matches.push_back(std::move(x));
    }

    void icmp()
    {
        // The icmp match tests "type == T and code in range", negated as a whole; anything
        // else (type ranges, a negated code) goes through u32, one match per test.
        const bool single_type = type_ && type_->lo == type_->hi;
        if (single_type && !type_->negate && (!code_ || !code_->negate)) {
            rule_.matches.push_back(xt::icmp(type_->lo, code_ ? code_->lo : 0,
                                             code_ ? code_->hi : 0xFF, false));
            return;
        }
        if (single_type && type_->negate && !code_) {
            rule_.matches.push_back(xt::icmp(type_->lo, 0, 0xFF, true));
            return;
        }
        if (type_) rule_.matches.push_back(xt::u32_icmp(false, type_->lo, type_->hi, type_->negate));
        if (code_) rule_.matches.push_back(xt::u32_icmp(true, code_->lo, code_->hi, code_->negate));
    }

    LegacyRule rule_;
    xt::PortMatch ports_;
    bool ports_used_ = false;
    std::optional<bool> syn_;
    std::optional<bool> fragment_;
    std::optional<IcmpTest> type_, code_;
    std::vector<Extension> extras_;
    bool never_ = false;
};

std::string hash8(const std::string& s)
{
    uint32_t h = 2166136261u;  // FNV-1a
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", h);
    return buf;
}

LegacyRule target_rule(Extension x)
{
    LegacyRule r;
    r.standard = false;
    r.target = std::move(x);
    return r;
}

LegacyRule verdict_rule(const std::string& label, bool go)
{
    LegacyRule r;
    r.label = label;
    if (go) r.ip.flags |= IPT_F_GOTO;
    return r;
}

// The statements as target-only rules; `leaves` says whether the last one acts on the
// carrier's own chain (RETURN, goto), which the carrier must then enter with -g.
std::vector<LegacyRule> actions_of(const ir::Rule& r, const Context& ctx, bool& leaves)
{
    using compile::kKindMask;
    std::vector<LegacyRule> out;
    leaves = false;
    for (const auto& st : r.statements) {
        if (const auto* l = std::get_if<ir::Log>(&st)) {
            out.push_back(target_rule(l->group ? xt::nflog(*l->group, l->snaplen, l->prefix)
                                               : xt::log(l->prefix)));
        } else if (const auto* m = std::get_if<ir::SetMark>(&st)) {
            uint32_t x = m->xor_value;
            if (ctx.forward_reject &&
                (x & kKindMask) == compile::mark_stamp(compile::MarkKind::Reject, 0))
                x |= compile::mark_stamp(compile::MarkKind::None, 1);
            out.push_back(target_rule(xt::set_mark(m->mask, x)));
        } else if (const auto* cm = std::get_if<ir::SetCtMark>(&st)) {
            out.push_back(target_rule(xt::set_ct_mark(cm->mask, cm->xor_value)));
        } else if (const auto* t = std::get_if<ir::SetTos>(&st)) {
            out.push_back(target_rule(xt::set_tos(t->and_mask, t->xor_mask)));
        } else if (const auto* q = std::get_if<ir::Queue>(&st)) {
            out.push_back(target_rule(xt::nfqueue(q->num, q->bypass)));
        } else if (const auto* j = std::get_if<ir::Reject>(&st)) {
            out.push_back(target_rule(xt::reject(j->kind == ir::Reject::HostUnreach)));
        } else if (std::holds_alternative<ir::Masquerade>(st)) {
            out.push_back(target_rule(xt::masquerade()));
        } else if (const auto* d = std::get_if<ir::Redirect>(&st)) {
            out.push_back(target_rule(xt::redirect(d->port)));
        } else if (const auto* v = std::get_if<ir::Verdict>(&st)) {
            switch (v->kind) {
            case ir::Verdict::Accept:
                if (ctx.accept_returns) {
                    out.push_back(verdict_rule(IPTC_LABEL_RETURN, false));
                    leaves = true;
                } else if (!ctx.accept_goto.empty()) {
                    out.push_back(verdict_rule(ctx.accept_goto, true));
                } else {
                    out.push_back(verdict_rule(IPTC_LABEL_ACCEPT, false));
                }
                break;
            case ir::Verdict::Drop: out.push_back(verdict_rule(IPTC_LABEL_DROP, false)); break;
            case ir::Verdict::Return:
                out.push_back(verdict_rule(IPTC_LABEL_RETURN, false));
                leaves = true;
                break;
            case ir::Verdict::Jump:
                out.push_back(verdict_rule(legacy_name(ctx, v->chain), false));
                break;
            case ir::Verdict::Goto:
                out.push_back(verdict_rule(legacy_name(ctx, v->chain), true));
                leaves = true;
                break;
            }
        }
    }
    return out;
}

std::string action_chain(std::vector<LegacyRule> rules, const Context& ctx, ActionChains& acts)
{
    std::string key;
    for (const auto& r : rules) key += identity(r) + "\n";
    std::string base = ctx.prefix + "#" + hash8(key);
    std::string name = base;
    for (int n = 1;; ++n) {
        auto it = acts.chains.find(name);
        if (it == acts.chains.end()) {
            acts.chains.emplace(name, std::move(rules));
            acts.order.push_back(name);
            return name;
        }
        std::string other;
        for (const auto& r : it->second) other += identity(r) + "\n";
        if (other == key) return name;
        name = base + "." + std::to_string(n);  // a hash collision: rare, still stable
    }
}

}  // namespace

std::string legacy_name(const Context& ctx, const std::string& ir_chain)
{
    return ctx.prefix + ir_chain + ctx.suffix;
}

Result<LegacyRule> translate_matches(const std::vector<ir::Match>& matches)
{
    return MatchTranslator().run(matches);
}

Result<LegacyRule> translate_rule(const ir::Rule& r, const Context& ctx, ActionChains& actions)
{
    auto carrier = translate_matches(r.matches);
    if (!carrier) return carrier.error();
    LegacyRule& c = *carrier;

    for (const auto& st : r.statements) {
        if (const auto* k = std::get_if<ir::Counter>(&st)) {
            c.packets = k->packets;
            c.bytes = k->bytes;
        } else if (const auto* n = std::get_if<ir::NamedCounter>(&st)) {
            c.matches.push_back(xt::comment(kCounterComment + n->name));
        }
    }
    // The save line, cut into comment matches of at most 255 bytes; the reader glues them.
    for (size_t at = 0; at < r.comment.size();) {
        const bool first = at == 0;
        const size_t room = first ? kCommentMax : kCommentMax - 1;
        std::string piece = r.comment.substr(at, room);
        at += piece.size();
        c.matches.push_back(xt::comment(first ? piece : kMoreComment + piece));
    }

    bool leaves = false;
    std::vector<LegacyRule> acts = actions_of(r, ctx, leaves);
    if (acts.empty()) {
        c.standard = true;
        c.label = "";
    } else if (acts.size() == 1) {
        c.standard = acts[0].standard;
        c.label = acts[0].label;
        c.target = acts[0].target;
        c.ip.flags |= acts[0].ip.flags & IPT_F_GOTO;
    } else {
        c.standard = true;
        c.label = action_chain(std::move(acts), ctx, actions);
        if (leaves) c.ip.flags |= IPT_F_GOTO;
    }
    return carrier;
}

}  // namespace ipchains::backend::iptc
