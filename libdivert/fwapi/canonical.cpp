#include "fwapi/canonical.h"

#include <cerrno>

#include "format/format.h"
#include "parse/parser.h"

namespace divert::fwapi {

namespace model = ipchains::model;
namespace parse = ipchains::parse;

ipchains::Result<model::Rule> canonical_rule(const model::Rule& r)
{
    // Any existing chain name will do: only the rule part of the line is kept.
    const std::string line = ipchains::format::save_line("input", r);
    parse::ParseOptions opt;
    opt.restore_line = true;
    opt.resolve_names = false;
    opt.forward_warning = 0;
    auto cmd = parse::parse_command(parse::split_words(line), opt);
    if (!cmd || cmd->rules.size() != 1) return ipchains::Error::kernel(EINVAL, "");
    model::Rule out = cmd->rules.front();
    out.counters = r.counters;
    return out;
}

}  // namespace divert::fwapi
