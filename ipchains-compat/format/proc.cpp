// 2.2's /proc/net/ip_fwnames and /proc/net/ip_fwchains (docs/reference/ipchains-commands.md section
// 11), rebuilt from the model: the kernel files cannot exist any more, but scripts parsed them.
#include <cstdarg>
#include <cstdio>

#include "format/format.h"

namespace ipchains::format {

namespace {

void appendf(std::string& out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string& out, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list again;
    va_copy(again, ap);
    const int n = std::vsnprintf(nullptr, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        const std::size_t at = out.size();
        out.resize(at + static_cast<std::size_t>(n) + 1);
        std::vsnprintf(&out[at], static_cast<std::size_t>(n) + 1, fmt, again);
        out.resize(at + static_cast<std::size_t>(n));
    }
    va_end(again);
}

// 2.2 kept 64-bit counters but printed them as two %u halves (high word first).
unsigned high(uint64_t v) { return static_cast<unsigned>(v >> 32); }
unsigned low(uint64_t v) { return static_cast<unsigned>(v & 0xFFFFFFFFu); }

}  // namespace

std::string proc_names(const model::Ruleset& rs)
{
    std::string out;
    for (const auto& c : rs.chains) {
        const model::Counters& n = c.policy_counters;
        appendf(out, "%s %s %i %u %u %u %u\n", c.name.c_str(),
                c.policy ? model::policy_name(*c.policy) : "-", rs.refcount(c.name),
                high(n.packets), low(n.packets), high(n.bytes), low(n.bytes));
    }
    return out;
}

std::string proc_rule_line(const std::string& chain, const model::Rule& r)
{
    // The kernel only ever held fw_redirpt for the targets that use it and fw_outputsize with
    // IP_FW_F_NETLINK (1.3.9 zeroed the struct); the model keeps defaults there instead.
    const bool uses_port =
        r.target == model::TargetKind::Redirect || model::sends_to_divert_socket(r.target);
    const unsigned redirpt = uses_port ? r.redirect_port : 0;
    const unsigned outputsize = (r.flags & model::kFlagNetlink) ? r.output_size : 0;
    // 2.2 added WILDIF to every rule without an interface: an empty prefix matches them all.
    const unsigned flags = r.flags | (r.iface.empty() ? model::kFlagWildIf : 0);
    const std::string target = r.target_label();
    std::string out;
    appendf(out,
            "%9s %08lX/%08lX->%08lX/%08lX %.16s %X %X %u %-9u %-9u %-9u %-9u %u-%u %u-%u "
            "A%02X X%02X %08X %u %u %9s\n",
            chain.c_str(), static_cast<unsigned long>(r.src),
            static_cast<unsigned long>(r.src_mask), static_cast<unsigned long>(r.dst),
            static_cast<unsigned long>(r.dst_mask), r.iface.empty() ? "-" : r.iface.c_str(),
            flags, static_cast<unsigned>(r.invflags), static_cast<unsigned>(r.proto),
            high(r.counters.packets), low(r.counters.packets), high(r.counters.bytes),
            low(r.counters.bytes), static_cast<unsigned>(r.sport.lo),
            static_cast<unsigned>(r.sport.hi), static_cast<unsigned>(r.dport.lo),
            static_cast<unsigned>(r.dport.hi), static_cast<unsigned>(r.tos_and),
            static_cast<unsigned>(r.tos_xor), redirpt, static_cast<unsigned>(r.mark), outputsize,
            target.empty() ? "-" : target.c_str());
    return out;
}

std::string proc_chains(const model::Ruleset& rs)
{
    std::string out;
    // The 2.2 kernel's IPv4 records: an ipfw ip6 rule has none (docs/ipfw.md "IPv6").
    for (const auto& c : rs.chains)
        for (const auto& r : c.rules)
            if (!r.ip6) out += proc_rule_line(c.name, r);
    return out;
}

}  // namespace ipchains::format
