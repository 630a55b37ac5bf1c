// -L: chain headers and rule rows (docs/reference/ipchains-commands.md 9.1-9.2), and the -v rule
// echo (9.3).
#include <cinttypes>
#include <cstdio>

#include "format/format.h"
#include "format/names.h"
#include "format/rule_row.h"

namespace ipchains::format {

std::string list(const model::Ruleset& rs, const std::string& chain, const model::Options& opt,
                 NameLookup& names)
{
    detail::RowFormat f;
    f.table = true;
    f.numeric = opt.numeric;
    f.counts = opt.verbose;
    f.extra = opt.verbose;
    f.kilo = !opt.exact;
    f.line_numbers = opt.line_numbers;

    std::string out;
    for (const auto& c : rs.chains) {
        if (!chain.empty() && c.name != chain) continue;
        out += "Chain " + c.name + " ";
        if (!c.builtin()) {
            out += "(" + std::to_string(rs.refcount(c.name)) + " references):";
        } else {
            out += "(policy ";
            out += model::policy_name(*c.policy);
            if (opt.verbose) {
                char buf[96];
                std::snprintf(buf, sizeof buf, ": %" PRIu64 " packets, %" PRIu64 " bytes",
                              c.policy_counters.packets, c.policy_counters.bytes);
                out += buf;
            }
            out += "):";
        }
        out += '\n';
        unsigned num = 1;
        for (const auto& r : c.rules) {
            if (num == 1) out += detail::header(f);
            out += detail::row(r, num++, f, names);
        }
    }
    return out;
}

std::string list(const model::Ruleset& rs, const std::string& chain, const model::Options& opt)
{
    return list(rs, chain, opt, system_names());
}

std::string rule_echo(const model::Rule& r)
{
    detail::RowFormat f;
    f.table = false;
    f.numeric = true;
    f.extra = true;
    return detail::row(r, 0, f, system_names());
}

}  // namespace ipchains::format
