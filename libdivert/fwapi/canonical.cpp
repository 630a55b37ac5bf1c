#include "fwapi/canonical.h"

#include <cerrno>
#include <tuple>

#include "format/format.h"
#include "parse/parser.h"

namespace divert::fwapi {

namespace model = ipchains::model;
namespace parse = ipchains::parse;

namespace {

// Everything that decides what the rule matches and does. fw_redirpt counts only for the
// targets that use it, fw_outputsize only with IP_FW_F_NETLINK.
auto meaning(const model::Rule& r)
{
    const bool uses_port =
        r.target == model::TargetKind::Redirect || r.target == model::TargetKind::Divert;
    return std::make_tuple(r.src, r.src_mask, r.dst, r.dst_mask, r.mark, r.proto, r.flags,
                           r.invflags, r.sport.lo, r.sport.hi, r.dport.lo, r.dport.hi,
                           uses_port ? r.redirect_port : 0,
                           (r.flags & model::kFlagNetlink) ? r.output_size : 0, r.iface,
                           r.tos_and, r.tos_xor, r.target, r.target_chain);
}

}  // namespace

ipchains::Result<model::Rule> canonical_rule(const model::Rule& r)
{
    const ipchains::Error invalid = ipchains::Error::kernel(EINVAL, "");
    // Any existing chain name will do: only the rule part of the line is kept.
    const std::string line = ipchains::format::save_line("input", r);
    parse::ParseOptions opt;
    opt.restore_line = true;
    opt.resolve_names = false;
    opt.forward_warning = 0;
    auto cmd = parse::parse_command(parse::split_words(line), opt);
    if (!cmd || cmd->rules.size() != 1) return invalid;
    model::Rule out = cmd->rules.front();
    // DECISION (docs/reference/firewall-api.md 5): a rule the stored form would change the meaning
    // of is refused, never stored as something else. Example: IP_FW_INV_SYN without IP_FW_F_TCPSYN
    // never matched on 2.2, but reads back as `! -y` (every non-SYN packet).
    if (meaning(out) != meaning(r)) return invalid;
    out.counters = r.counters;
    return out;
}

}  // namespace divert::fwapi
