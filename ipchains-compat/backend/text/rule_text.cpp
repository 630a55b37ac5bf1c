// IR -> nft syntax for matches and statements. The spellings are the ones nft 1.0 accepts in
// `nft -f` and on the command line (checked with `nft -c`, see tests/unit/text_nftcheck).
#include "backend/text/rule_text.h"
#include "format/format.h"

#include <cstdio>

#include "backend/text/nft_text.h"
#include "model/prefix6.h"

namespace ipchains::backend::text {

namespace {

std::string hex32(uint32_t v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

std::string hex8(unsigned v)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", v);
    return buf;
}

std::string range(unsigned lo, unsigned hi)
{
    return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
}

const char* op(bool negate)
{
    return negate ? " != " : " ";
}

std::string proto_name(uint8_t p)
{
    switch (p) {
    case 1: return "icmp";
    case 6: return "tcp";
    case 17: return "udp";
    case 58: return "ipv6-icmp";
    default: return std::to_string(p);
    }
}

// The transport keyword for port matches: the rule's own protocol match when it is tcp/udp.
std::string transport(const ir::Rule& r)
{
    for (const auto& m : r.matches)
        if (const auto* p = std::get_if<ir::Proto>(&m))
            if (!p->negate && (p->proto == 6 || p->proto == 17)) return proto_name(p->proto);
    return "th";
}

std::string addr_text(const ir::Addr& a)
{
    std::string field = a.source ? "ip saddr" : "ip daddr";
    uint32_t inverse = ~a.mask;
    bool prefix = (inverse & (inverse + 1)) == 0;
    if (!prefix)
        return field + " & " + format::dotted_quad(a.mask) + (a.negate ? " != " : " == ") + format::dotted_quad(a.addr);
    int bits = 0;
    for (uint32_t m = a.mask; m != 0; m <<= 1) ++bits;
    std::string value = format::dotted_quad(a.addr);
    if (bits != 32) value += "/" + std::to_string(bits);
    return field + op(a.negate) + value;
}

// An interface name as nft reads it: `*` and `\` escaped, a double quote spelled `'`.
std::string ifname_literal(const std::string& n)
{
    std::string name;
    for (char c : n) {
        if (c == '"') c = '\'';
        if (c == '*' || c == '\\') name += '\\';
        name += c;
    }
    return name;
}

std::string ifname_text(const ir::IfName& i)
{
    std::string name = ifname_literal(i.name) + (i.prefix ? "*" : "");
    return std::string(i.input ? "iifname" : "oifname") + op(i.negate) + "\"" + name + "\"";
}

// A rule run's key field as the lookup names it. Ports as `th`: the rule's own protocol match
// (kept beside the lookup) decides which packets get there.
std::string field_text(ir::SetField f)
{
    switch (f) {
    case ir::SetField::SourceAddr: return "ip saddr";
    case ir::SetField::DestAddr: return "ip daddr";
    case ir::SetField::SourcePort: return "th sport";
    case ir::SetField::DestPort: return "th dport";
    case ir::SetField::Proto: return "ip protocol";
    case ir::SetField::InIface: return "iifname";
    case ir::SetField::OutIface: return "oifname";
    }
    return {};
}

// The type of a key field as a set declares it.
std::string field_type_text(ir::SetField f)
{
    switch (f) {
    case ir::SetField::SourceAddr:
    case ir::SetField::DestAddr: return "ipv4_addr";
    case ir::SetField::SourcePort:
    case ir::SetField::DestPort: return "inet_service";
    case ir::SetField::Proto: return "inet_proto";
    case ir::SetField::InIface:
    case ir::SetField::OutIface: return "ifname";
    }
    return {};
}

std::string match_text(const ir::Rule& rule, const ir::Match& m)
{
    if (const auto* l = std::get_if<ir::SetLookup>(&m)) {
        std::string key;
        for (auto f : l->fields) key += (key.empty() ? "" : " . ") + field_text(f);
        return key + (l->vmap ? " vmap @" : " @") + nft_identifier(l->set);
    }
    if (const auto* i = std::get_if<ir::IfName>(&m)) return ifname_text(*i);
    if (const auto* a = std::get_if<ir::Addr>(&m)) return addr_text(*a);
    if (const auto* a = std::get_if<ir::Addr6>(&m)) {
        model::Prefix6 p;
        p.addr = a->addr;
        p.len = a->len;
        return std::string(a->source ? "ip6 saddr" : "ip6 daddr") + op(a->negate) +
               model::prefix6_text(p);
    }
    if (const auto* p = std::get_if<ir::Proto>(&m))
        return std::string(p->l4proto ? "meta l4proto" : "ip protocol") + op(p->negate) +
               proto_name(p->proto);
    if (const auto* p = std::get_if<ir::Port>(&m))
        return transport(rule) + (p->source ? " sport" : " dport") + op(p->negate) +
               range(p->lo, p->hi);
    if (const auto* c = std::get_if<ir::Icmp>(&m))
        return std::string(c->field == ir::Icmp::Type ? "icmp type" : "icmp code") +
               op(c->negate) + range(c->lo, c->hi);
    if (const auto* f = std::get_if<ir::Fragment>(&m))
        return std::string("ip frag-off & 0x1fff ") + (f->negate ? "== 0" : "!= 0");
    if (const auto* s = std::get_if<ir::Syn>(&m))
        return std::string("tcp flags & (syn|ack|rst) ") + (s->negate ? "!= syn" : "== syn");
    if (const auto* c = std::get_if<ir::CtReply>(&m)) {
        std::string t = "ct direction reply";
        if (c->mask == 0) return t;
        if (c->mask == 0xFFFFFFFFu) return t + " ct mark " + hex32(c->value);
        return t + " ct mark & " + hex32(c->mask) + " == " + hex32(c->value & c->mask);
    }
    const auto& k = std::get<ir::Mark>(m);
    if (k.mask == 0xFFFFFFFFu) return std::string("meta mark") + op(k.negate) + hex32(k.value);
    return "meta mark & " + hex32(k.mask) + (k.negate ? " != " : " == ") + hex32(k.value);
}

// `key` is "meta mark" or "ct mark": (m & mask) ^ x.
std::string set_mark_text(const char* key, uint32_t mask, uint32_t xor_value)
{
    const std::string set = std::string(key) + " set ";
    if (mask == 0) return set + hex32(xor_value);
    std::string t = set + key + " & " + hex32(mask);
    if (xor_value == 0) return t;
    // (m & mask) ^ x is an OR when x only touches cleared bits, which nft prints as `|`.
    return t + ((xor_value & mask) == 0 ? " | " : " ^ ") + hex32(xor_value);
}

// nft can set the DSCP (upper 6 bits) and ECN (lower 2 bits) of the TOS byte to constants,
// but has no and/xor on them: print the constant parts, explain what is left out.
std::string set_tos_text(const ir::SetTos& t, std::vector<std::string>& notes)
{
    static const char* const kEcn[] = {"not-ect", "ect1", "ect0", "ce"};
    std::string out;
    std::string lost;
    struct Part {
        unsigned bits;
        const char* name;
    };
    for (const Part& p : {Part{0xFC, "DSCP"}, Part{0x03, "ECN"}}) {
        unsigned a = t.and_mask & p.bits, x = t.xor_mask & p.bits;
        if (a == p.bits && x == 0) continue;  // untouched
        if (a != 0) {
            lost += lost.empty() ? p.name : std::string(" and ") + p.name;
            continue;
        }
        if (!out.empty()) out += " ";
        if (p.bits == 0xFC)
            out += "ip dscp set " + hex8(x >> 2);
        else
            out += std::string("ip ecn set ") + kEcn[x];
    }
    if (!lost.empty())
        notes.push_back("# ipchains -t " + hex8(t.and_mask) + " " + hex8(t.xor_mask) +
                        ": nft syntax has no and/xor on the TOS byte; the " + lost +
                        " bits are not rewritten by the rule below");
    return out;
}

std::string log_text(const ir::Log& l)
{
    std::string t = "log";
    if (!l.prefix.empty()) t += " prefix " + quoted(l.prefix);
    if (l.group) t += " group " + std::to_string(*l.group) + " snaplen " + std::to_string(l.snaplen);
    return t;
}

std::string statement_text(const ir::Statement& s, std::vector<std::string>& notes)
{
    if (const auto* c = std::get_if<ir::Counter>(&s))
        return "counter packets " + std::to_string(c->packets) + " bytes " +
               std::to_string(c->bytes);
    if (const auto* n = std::get_if<ir::NamedCounter>(&s)) return "counter name " + quoted(n->name);
    if (const auto* l = std::get_if<ir::Log>(&s)) return log_text(*l);
    if (const auto* m = std::get_if<ir::SetMark>(&s))
        return set_mark_text("meta mark", m->mask, m->xor_value);
    if (const auto* m = std::get_if<ir::SetCtMark>(&s))
        return set_mark_text("ct mark", m->mask, m->xor_value);
    if (const auto* t = std::get_if<ir::SetTos>(&s)) return set_tos_text(*t, notes);
    if (const auto* q = std::get_if<ir::Queue>(&s))
        return "queue num " + std::to_string(q->num) + (q->bypass ? " bypass" : "");
    if (const auto* r = std::get_if<ir::Reject>(&s)) {
        switch (r->kind) {
        case ir::Reject::PortUnreach: return "reject with icmp type port-unreachable";
        case ir::Reject::HostUnreach: return "reject with icmp type host-unreachable";
        case ir::Reject::Port6Unreach: return "reject with icmpv6 type port-unreachable";
        case ir::Reject::NoRoute6: return "reject with icmpv6 type no-route";
        }
    }
    if (std::holds_alternative<ir::Masquerade>(s)) return "masquerade";
    if (const auto* r = std::get_if<ir::Redirect>(&s))
        return r->port ? "redirect to :" + std::to_string(r->port) : "redirect";
    const auto& v = std::get<ir::Verdict>(s);
    switch (v.kind) {
    case ir::Verdict::Accept: return "accept";
    case ir::Verdict::Drop: return "drop";
    case ir::Verdict::Return: return "return";
    case ir::Verdict::Jump: return "jump " + nft_identifier(v.chain);
    case ir::Verdict::Goto: return "goto " + nft_identifier(v.chain);
    }
    return "";
}

void append(std::string& out, const std::string& part)
{
    if (part.empty()) return;
    if (!out.empty()) out += " ";
    out += part;
}

const char* hook_name(ir::Hook h)
{
    switch (h) {
    case ir::Hook::Prerouting: return "prerouting";
    case ir::Hook::Input: return "input";
    case ir::Hook::Forward: return "forward";
    case ir::Hook::Output: return "output";
    case ir::Hook::Postrouting: return "postrouting";
    }
    return "prerouting";
}

}  // namespace

std::string quoted(const std::string& s)
{
    std::string out = "\"";
    for (char c : s) out += c == '"' ? '\'' : c;
    return out + "\"";
}

std::string base_chain_spec(const ir::BaseChain& b, const std::string& sep)
{
    return std::string("type ") + (b.type == ir::ChainType::Nat ? "nat" : "filter") + " hook " +
           hook_name(b.hook) + " priority " + std::to_string(b.priority) + sep + " " +
           chain_policy_spec(b, sep);
}

std::string chain_policy_spec(const ir::BaseChain& b, const std::string& sep)
{
    return std::string(b.drop ? "policy drop" : "policy accept") + sep;
}

std::string set_spec(const ir::Set& s, const std::string& sep)
{
    std::string type;
    for (auto f : s.fields) type += (type.empty() ? "" : " . ") + field_type_text(f);
    if (s.map) type += " : verdict";
    return "type " + type + sep + (s.interval ? "flags interval" + sep : "") +
           (s.size ? "size " + std::to_string(s.size) + sep : "") + "counter" + sep;
}

std::string set_keyword(const ir::Set& s)
{
    return s.map ? "map" : "set";
}

std::string element_key_text(const ir::SetElement& e)
{
    std::string out;
    for (const auto& k : e.key) {
        std::string t;
        if (k.field == ir::SetField::InIface || k.field == ir::SetField::OutIface) {
            t = "\"" + ifname_literal(k.name) + (k.prefix ? "*" : "") + "\"";
        } else if (k.field == ir::SetField::SourceAddr || k.field == ir::SetField::DestAddr) {
            uint32_t size = k.hi - k.lo;
            bool prefix = (size & (size + 1)) == 0 && (k.lo & size) == 0;
            int bits = 32;
            for (uint32_t m = size; m != 0; m >>= 1) --bits;
            t = format::dotted_quad(k.lo);
            if (!prefix) t += "-" + format::dotted_quad(k.hi);
            else if (bits != 32) t += "/" + std::to_string(bits);
        } else {
            t = range(k.lo, k.hi);
        }
        out += (out.empty() ? "" : " . ") + t;
    }
    return out;
}

std::string element_text(const ir::SetElement& e, std::vector<std::string>& notes)
{
    std::string t = element_key_text(e) + " counter packets " + std::to_string(e.counter.packets) +
                    " bytes " + std::to_string(e.counter.bytes);
    // A verdict map's element ends in its verdict, after the comment.
    std::string verdict;
    if (e.verdict) verdict = e.verdict->kind == ir::Verdict::Accept ? " : accept" : " : drop";
    if (e.comment.size() <= kMaxComment) return t + " comment " + quoted(e.comment) + verdict;
    notes.push_back("# " + element_key_text(e) + ": " + e.comment);
    return t + verdict;
}

RuleText rule_text(const ir::Rule& r)
{
    RuleText out;
    for (const auto& m : r.matches) append(out.text, match_text(r, m));
    for (const auto& s : r.statements) append(out.text, statement_text(s, out.notes));
    if (r.comment.size() <= kMaxComment)
        append(out.text, r.comment.empty() ? "" : "comment " + quoted(r.comment));
    else
        out.notes.push_back("# " + r.comment);
    return out;
}

}  // namespace ipchains::backend::text
