// ipchains: one command per invocation, parsed with the 1.3.9 grammar, run against the kernel
// through the selected backend as one transaction.
#include <cstdio>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/execute.h"
#include "cli/report.h"
#include "engine/engine.h"
#include "format/format.h"
#include "parse/parser.h"

using namespace ipchains;

namespace {

// The old kernel's failure prefix was always the literal "ipchains", whatever argv[0] was.
constexpr const char* kFailurePrefix = "ipchains";

bool echoes_rules(model::Op op)
{
    return op == model::Op::Append || op == model::Op::Insert || op == model::Op::Replace ||
           op == model::Op::DeleteSpec;
}

// -v progress lines of -F, -Z and -X, one per chain they act on.
int print_progress(backend::Backend& be, const model::Command& cmd)
{
    const char* verb = cmd.op == model::Op::Flush  ? "Flushing"
                       : cmd.op == model::Op::Zero ? "Zeroing"
                                                   : "Deleting";
    std::vector<std::string> names;
    if (!cmd.chain.empty()) {
        names.push_back(cmd.chain);
    } else {
        auto snap = be.read(false);
        if (!snap) return cli::report_failure(kFailurePrefix, snap.error());
        for (const auto& c : snap->ruleset.chains)
            if (cmd.op != model::Op::DeleteChain || !c.builtin()) names.push_back(c.name);
    }
    for (const auto& n : names) std::printf("%s chain `%s'\n", verb, n.c_str());
    return 0;
}

int run_check(backend::Backend& be, const model::Command& cmd)
{
    auto snap = be.read(false);
    if (!snap) return cli::report_failure(kFailurePrefix, snap.error());
    for (const auto& rule : cmd.rules) {
        if (cmd.options.verbose) std::fputs(format::rule_echo(rule).c_str(), stdout);
        auto verdict = engine::check(snap->ruleset, cmd.chain, engine::test_packet_from_rule(rule));
        if (!verdict) return cli::report_failure(kFailurePrefix, verdict.error());
        std::printf("%s\n", engine::check_verdict_text(*verdict));
    }
    return 0;
}

int run_list(backend::Backend& be, const model::Command& cmd)
{
    auto snap = be.read(cmd.op == model::Op::ListZero);
    if (!snap) return cli::report_failure(kFailurePrefix, snap.error());
    const model::Ruleset& rs = snap->ruleset;
    if (!cmd.chain.empty() && !rs.find(cmd.chain))
        return cli::report_failure(
            kFailurePrefix,
            Error::kernel(ENOENT, engine::kernel_error_text(cmd.op, ENOENT,
                                                            model::TargetKind::None)));
    std::fputs(format::list(rs, cmd.chain, cmd.options).c_str(), stdout);
    return 0;
}

// --dump-proc: what 2.2's /proc/net/ip_fwnames or ip_fwchains would hold, from the kernel's
// current ruleset. Read-only, like opening the file without write access (counters stay).
int run_dump_proc(backend::Backend& be, const model::Command& cmd)
{
    auto snap = be.read(false);
    if (!snap) return cli::report_failure(kFailurePrefix, snap.error());
    const model::Ruleset& rs = snap->ruleset;
    const std::string text = cmd.proc_view == model::ProcView::Names ? format::proc_names(rs)
                                                                     : format::proc_chains(rs);
    std::fputs(text.c_str(), stdout);
    return 0;
}

int run(const std::string& argv0, const model::Command& cmd)
{
    using model::Op;
    switch (cmd.op) {
    case Op::Help:
        std::fputs(cmd.help_icmp ? format::icmp_help_text().c_str()
                                 : format::help_text(argv0).c_str(),
                   stdout);
        return 0;
    case Op::NotVersion:
        std::puts("Not ipchains 2.0");
        return 0;
    case Op::MasqList:
        // DECISION (docs/reference/ipchains-commands.md 9.6): no masquerading table to show;
        // header only.
        std::puts("IP masquerading entries");
        std::printf("prot expire    %ssource               destination          ports\n",
                    cmd.options.verbose ? "   initseq delta prevd " : "");
        return 0;
    case Op::MasqSet:
        // Accepted for old scripts; conntrack timeouts are not ipchains' business any more.
        return 0;
    default:
        break;
    }

    auto be = backend::open_backend();
    if (!be) return cli::report_failure(kFailurePrefix, be.error());
    backend::Backend& backend = **be;

    switch (cmd.op) {
    case Op::Version:
        std::fputs(format::version_text().c_str(), stdout);
        std::printf("ipchains-divert %s: %s\n", PACKAGE_VERSION, backend.describe().c_str());
        return 0;
    case Op::Status:
        std::printf("%s\n", backend.describe().c_str());
        return 0;
    case Op::List:
    case Op::ListZero:
        return run_list(backend, cmd);
    case Op::DumpProc:
        return run_dump_proc(backend, cmd);
    case Op::Check:
        return run_check(backend, cmd);
    default:
        break;
    }

    if (cmd.options.verbose && echoes_rules(cmd.op))
        for (const auto& rule : cmd.rules) std::fputs(format::rule_echo(rule).c_str(), stdout);
    if (cmd.options.verbose &&
        (cmd.op == Op::Flush || cmd.op == Op::Zero || cmd.op == Op::DeleteChain)) {
        if (int rc = print_progress(backend, cmd)) return rc;
    }
    auto done = backend::execute(backend, cmd);
    if (!done) return cli::report_failure(kFailurePrefix, done.error());
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    const std::string argv0 = argc > 0 ? argv[0] : "ipchains";
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    auto cmd = parse::parse_command(args);
    if (!cmd) return cli::report_usage_error(argv0, cmd.error());
    for (const auto& w : cmd->warnings)
        std::printf("%s%s", w.c_str(), !w.empty() && w.back() == '\n' ? "" : "\n");
    std::fflush(stdout);
    int rc = run(argv0, *cmd);
    std::fflush(stdout);
    return rc;
}
