// The project's ipchains-save format (docs/reference/ipchains-commands.md section 12 [DECISION]).
// save_line is also the userdata of every kernel rule, so it must parse back, with
// parse_command(split_words(line), {restore_line = true, resolve_names = false}), into exactly the
// same model::Rule: everything is numeric, masks are dotted, and every field that differs from a
// default is written.
#include <cstdio>

#include "format/format.h"
#include "model/prefix6.h"

namespace ipchains::format {

namespace {

std::string range(const model::PortRange& p)
{
    if (p.lo == p.hi) return std::to_string(p.lo);
    return std::to_string(p.lo) + ":" + std::to_string(p.hi);
}

void endpoint(std::string& out, const char* opt, uint32_t addr, uint32_t mask, bool inv_addr,
              const model::PortRange& ports, bool inv_ports)
{
    out += ' ';
    out += opt;
    out += inv_addr ? " ! " : " ";
    out += dotted_quad(addr) + "/" + dotted_quad(mask);
    if (!ports.any() || inv_ports) {
        out += inv_ports ? " ! " : " ";
        out += range(ports);
    }
}

}  // namespace

std::string save_line(const std::string& chain, const model::Rule& r)
{
    using namespace model;
    std::string out = "-A " + chain;
    // An ip6 rule's inversions travel with its prefixes in --ipfw-ip6 (below).
    const uint16_t inv_ip = r.ip6 ? 0 : r.invflags;
    endpoint(out, "-s", r.src, r.src_mask, inv_ip & kInvSrcIp, r.sport,
             r.invflags & kInvSrcPort);
    endpoint(out, "-d", r.dst, r.dst_mask, inv_ip & kInvDstIp, r.dport,
             r.invflags & kInvDstPort);

    // An empty name is always a wildcard once parsed (the 2.2 kernel set WILDIF for it), so
    // "no -i" stands for it; an inverted empty name is written as "+".
    if (!r.iface.empty() || (r.invflags & kInvVia)) {
        out += (r.invflags & kInvVia) ? " -i ! " : " -i ";
        out += r.iface;
        if ((r.flags & kFlagWildIf) || r.iface.empty()) out += '+';
    }
    if (r.proto != 0 || (r.invflags & kInvProto)) {
        out += (r.invflags & kInvProto) ? " -p ! " : " -p ";
        out += std::to_string(r.proto);
    }
    if (r.target != TargetKind::None) {
        out += " -j " + r.target_label();
        if (sends_to_divert_socket(r.target) ||
            (r.target == TargetKind::Redirect && r.redirect_port != 0))
            out += " " + std::to_string(r.redirect_port);
    }
    if (r.invflags & kInvSyn)
        out += " ! -y";
    else if (r.flags & kFlagSyn)
        out += " -y";
    if (r.invflags & kInvFrag)
        out += " ! -f";
    else if (r.flags & kFlagFrag)
        out += " -f";
    if (r.flags & kFlagLog) out += " -l";
    if (r.flags & kFlagMarkAbs) {
        out += " -m " + std::to_string(r.mark);
    } else if (r.mark != 0) {
        // Relative marks are stored as the value added; print the smaller of +n / -n.
        if (r.mark > 0x80000000u)
            out += " -m -" + std::to_string(0u - r.mark);
        else
            out += " -m +" + std::to_string(r.mark);
    }
    if (r.tos_and != 0xFF || r.tos_xor != 0x00) {
        char buf[32];
        std::snprintf(buf, sizeof buf, " -t 0x%02X 0x%02X", r.tos_and, r.tos_xor);
        out += buf;
    }
    if (r.flags & kFlagNetlink) out += " -o " + std::to_string(r.output_size);
    if (r.number != 0) out += " --ipfw-number " + std::to_string(r.number);
    // docs/ipfw.md "IPv6": `--ipfw-ip6 [!]SRC,[!]DST`, read back by restore lines only.
    if (r.ip6)
        out += std::string(" --ipfw-ip6 ") + ((r.invflags & kInvSrcIp) ? "!" : "") +
               model::prefix6_text(r.src6) + "," + ((r.invflags & kInvDstIp) ? "!" : "") +
               model::prefix6_text(r.dst6);
    return out;
}

std::string save(const model::Ruleset& rs, const std::string& chain)
{
    std::string out;
    // Every chain line first, so that a restore creates all chains before any rule jumps.
    for (const auto& c : rs.chains) {
        if (!chain.empty() && c.name != chain) continue;
        out += ":" + c.name + " " + (c.policy ? model::policy_name(*c.policy) : "-") + "\n";
    }
    for (const auto& c : rs.chains) {
        if (!chain.empty() && c.name != chain) continue;
        for (const auto& r : c.rules) out += save_line(c.name, r) + "\n";
    }
    return out;
}

}  // namespace ipchains::format
