#include "format/rule_row.h"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>

#include "format/format.h"
#include "model/icmp.h"
#include "model/prefix6.h"

namespace ipchains::format::detail {

namespace {

constexpr uint16_t kIcmp = 1, kTcp = 6, kUdp = 17;

void appendf(std::string& out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string& out, const char* fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    const int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0) out.append(buf, static_cast<std::size_t>(n) < sizeof buf ? n : sizeof buf - 1);
}

void count(std::string& out, uint64_t n, bool kilo, bool table, int exact_width)
{
    if (!table) {
        appendf(out, "%" PRIu64 " ", n);
        return;
    }
    if (!kilo) {
        appendf(out, "%*" PRIu64 " ", exact_width, n);
        return;
    }
    if (n <= 99999) {
        appendf(out, "%5" PRIu64 " ", n);
        return;
    }
    const uint64_t k = (n + 500) / 1000;
    if (k <= 9999) {
        appendf(out, "%4" PRIu64 "K ", k);
        return;
    }
    const uint64_t m = (n + 500000) / 1000000;
    if (m <= 9999) {
        appendf(out, "%4" PRIu64 "M ", m);
        return;
    }
    appendf(out, "%4" PRIu64 "G ", (m + 500) / 1000);
}

// "" for /32, "/bits" for a contiguous mask, "/a.b.c.d" otherwise.
std::string mask_suffix(uint32_t mask)
{
    if (mask == 0xFFFFFFFFu) return "";
    for (int bits = 31; bits >= 0; --bits) {
        const uint32_t m = bits == 0 ? 0u : static_cast<uint32_t>(0xFFFFFFFFull << (32 - bits));
        if (m == mask) return "/" + std::to_string(bits);
    }
    return "/" + dotted_quad(mask);
}

std::string address(uint32_t addr, uint32_t mask, bool numeric, NameLookup& names)
{
    if (mask == 0 && !numeric) return "anywhere";
    std::string s;
    if (numeric) {
        s = dotted_quad(addr);
    } else if (auto h = names.host(addr)) {
        s = *h;
    } else if (auto n = names.network(addr)) {
        s = *n;
    } else {
        s = dotted_quad(addr);
    }
    return s + mask_suffix(mask);
}

std::string port_name(uint16_t port, uint16_t proto, bool numeric, NameLookup& names)
{
    if (!numeric && (proto == kTcp || proto == kUdp))
        if (auto s = names.service(port, proto == kTcp ? "tcp" : "udp")) return *s;
    return std::to_string(port);
}

void ports(std::string& out, const model::PortRange& p, bool inv, uint16_t proto, bool numeric,
           NameLookup& names)
{
    out += inv ? " !" : "  ";
    if (p.any())
        out += numeric ? "*" : "any";
    else if (p.lo == p.hi)
        out += port_name(p.lo, proto, numeric, names);
    else
        out += port_name(p.lo, proto, numeric, names) + ":" +
               port_name(p.hi, proto, numeric, names);
}

// [DECISION] (docs/reference/ipchains-commands.md 5.9): DIVERT always shows its port, numerically,
// whatever the protocol, in both layouts; TEE too. A rule added by ipfw ends with its number
// (docs/ipfw.md "One ruleset, two syntaxes"); ipchains' own rules print as 1.3.9 did.
void divert_suffix(std::string& out, const model::Rule& r)
{
    if (model::sends_to_divert_socket(r.target))
        out += " => " + std::to_string(r.redirect_port);
    if (r.number != 0)
        out += " (ipfw " + std::to_string(r.number) + (r.ip6 ? " ip6" : "") + ")";
}

}  // namespace

std::string header(const RowFormat& f)
{
    std::string out;
    if (f.line_numbers) appendf(out, "%-4s ", "num");
    if (f.counts) {
        if (f.kilo)
            appendf(out, "%5s %5s ", "pkts", "bytes");
        else
            appendf(out, "%8s %10s ", "pkts", "bytes");
    }
    appendf(out, "%-9s ", "target");
    out += " prot ";
    out += "opt    ";
    if (f.extra) {
        out += "tosa tosx ";
        appendf(out, " %-10s ", "ifname");
        appendf(out, "%-10s ", "mark");
        appendf(out, "%-7s ", "outsize");
    }
    appendf(out, " %-20s ", "source");
    appendf(out, " %-20s ", "destination");
    out += " ports\n";
    return out;
}

std::string row(const model::Rule& r, unsigned num, const RowFormat& f, NameLookup& names)
{
    using namespace model;
    const bool t = f.table;
    const bool numeric = f.numeric || !t;
    std::string out;

    if (t && f.line_numbers) appendf(out, "%-4u ", num);
    if (t && f.counts) {
        count(out, r.counters.packets, f.kilo, t, 8);
        count(out, r.counters.bytes, f.kilo, t, 10);
    }

    const std::string label = r.target == TargetKind::None ? "-" : r.target_label();
    appendf(out, t ? "%-9s " : "%s ", label.c_str());

    out += (r.invflags & kInvProto) ? '!' : ' ';
    std::optional<std::string> pname;
    if (r.proto == 0)
        pname = "all";
    else if (!(pname = names.protocol(r.proto))) {
        if (r.proto == kTcp) pname = "tcp";
        else if (r.proto == kUdp) pname = "udp";
        else if (r.proto == kIcmp) pname = "icmp";
    }
    if (pname)
        appendf(out, t ? "%-5s" : "%s ", pname->c_str());
    else
        appendf(out, t ? "%-5hu" : "%hu ", r.proto);

    if (!t) out += "opt    ";
    out += (r.invflags & kInvSyn) ? '!' : '-';
    out += (r.flags & kFlagSyn) ? 'y' : '-';
    out += (r.invflags & kInvFrag) ? '!' : '-';
    out += (r.flags & kFlagFrag) ? 'f' : '-';
    out += (r.flags & kFlagLog) ? 'l' : '-';
    out += (r.flags & kFlagNetlink) ? 'o' : '-';
    out += ' ';

    const bool extra = !t || f.extra;
    if (extra) {
        if (!t) out += "tos ";
        appendf(out, "0x%02hX 0x%02hX ", static_cast<unsigned short>(r.tos_and),
                static_cast<unsigned short>(r.tos_xor));

        out += (r.invflags & kInvVia) ? '!' : ' ';
        std::string via = r.iface;
        if ((r.flags & kFlagWildIf) && !via.empty()) via += '+';
        if (via.empty()) via = numeric ? "*" : "any";
        appendf(out, t ? "%-10.16s " : "via %.16s ", via.c_str());

        if (r.flags & kFlagMarkAbs)
            appendf(out, t ? "0x%-10x " : "mark 0x%x ", r.mark);
        else if (r.mark == 0)
            out += t ? "           " : "";
        else  // 1.3.9 asked for "%+x": the '+' does nothing for hex
            appendf(out, t ? "0x%-10x " : "mark 0x%x ", r.mark);

        if ((r.flags & kFlagNetlink) && r.output_size != 0xFFFF)
            appendf(out, t ? "%-7hu " : "outsize %hu ", r.output_size);
        else
            out += t ? "        " : "";
    }

    if (!t) out += "  ";
    out += (r.invflags & kInvSrcIp) ? '!' : ' ';
    // An ipfw ip6 rule shows its IPv6 prefixes, always numeric (docs/ipfw.md "IPv6").
    const std::string src = r.ip6 ? model::prefix6_text(r.src6) : address(r.src, r.src_mask, numeric, names);
    const std::string dst = r.ip6 ? model::prefix6_text(r.dst6) : address(r.dst, r.dst_mask, numeric, names);
    appendf(out, t ? "%-20s " : "%s ", src.c_str());
    appendf(out, t ? "%s%-20s" : "-> %s%s", (r.invflags & kInvDstIp) ? "!" : "", dst.c_str());
    if (!t) out += "  ";

    if (r.proto != kTcp && r.proto != kUdp && r.proto != kIcmp) {
        out += "  n/a";
        divert_suffix(out, r);
        out += '\n';
        return out;
    }

    if (r.proto == kIcmp && !(r.invflags & (kInvSrcPort | kInvDstPort)) && !numeric &&
        r.sport.lo == r.sport.hi) {
        if (const IcmpName* n = icmp_find_exact(r.sport.lo, r.dport.lo, r.dport.hi)) {
            out += "  ";
            out += n->name;
            divert_suffix(out, r);
            out += '\n';
            return out;
        }
    }

    ports(out, r.sport, r.invflags & kInvSrcPort, r.proto, numeric, names);
    out += " -> ";
    ports(out, r.dport, r.invflags & kInvDstPort, r.proto, numeric, names);

    if (r.target == TargetKind::Redirect) {
        // The echo layout's separator is empty, so "80" and "8080" print as "808080": 1.3.9.
        out += t ? " => " : "";
        if (r.redirect_port == 0)
            out += numeric ? " *" : " any";
        else
            out += port_name(r.redirect_port, r.proto, numeric, names);
    }
    divert_suffix(out, r);
    out += '\n';
    return out;
}

}  // namespace ipchains::format::detail
