// ipchains-restore [-f] [-v] [-p]: applies a save file read on stdin as ONE kernel
// transaction: the whole file or nothing. Errors name the file line.
#include <boost/program_options.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/execute.h"
#include "cli/report.h"
#include "cli/save_file.h"
#include "format/format.h"

using namespace ipchains;
namespace po = boost::program_options;

namespace {

struct Flags {
    bool flush = false;    // -f: flush existing user chains without asking
    bool verbose = false;  // -v: print each rule as it is added
    bool create = false;   // -p: create chains that rules jump to but that do not exist
};

// The old script asked on the terminal, not on stdin (stdin is the save file). With no
// terminal the default answer, Skip, applies.
bool ask_flush(const std::string& chain)
{
    std::ifstream tty("/dev/tty");
    if (!tty) return false;
    std::fprintf(stdout, "Chain `%s' already exists. Skip or flush? [S/f]? ", chain.c_str());
    std::fflush(stdout);
    std::string answer;
    std::getline(tty, answer);
    return !answer.empty() && (answer[0] == 'f' || answer[0] == 'F');
}

model::Command chain_command(model::Op op, const std::string& chain)
{
    model::Command c;
    c.op = op;
    c.chain = chain;
    return c;
}

int fail_at(const Error& e, int line)
{
    std::fprintf(stderr, "ipchains-restore: line %d: %s\n", line, e.message.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv)
{
    // Save files are read line by line with iostreams; C stdio is not mixed in on stdin.
    std::ios::sync_with_stdio(false);
    Flags flags;
    po::options_description opts("Options");
    opts.add_options()("help,h", "print this help")(
        "flush,f", po::bool_switch(&flags.flush), "flush existing user chains without asking")(
        "verbose,v", po::bool_switch(&flags.verbose), "print each rule as it is added")(
        "create,p", po::bool_switch(&flags.create), "create chains that rules refer to");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, opts), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::fprintf(stderr, "%s: %s\nUsage: %s [-f] [-v] [-p] < file\n", argv[0], e.what(),
                     argv[0]);
        return 2;
    }
    if (vm.count("help")) {
        std::cout << "Usage: " << argv[0] << " [-f] [-v] [-p] < file\n" << opts;
        return 0;
    }

    auto file = cli::read_save_file(std::cin);
    if (!file) return fail_at(file.error(), file.error().line);

    auto be = backend::open_backend();
    if (!be) return cli::report_failure("ipchains-restore", be.error());
    auto current = (*be)->read(false);
    if (!current) return cli::report_failure("ipchains-restore", current.error());

    std::vector<model::Command> cmds;
    std::vector<int> lines;  // file line of each command, for error reports
    std::set<std::string> skipped, known;
    for (const auto& c : current->ruleset.chains) known.insert(c.name);

    for (const auto& saved : file->chains) {
        std::printf("Restoring `%s'.\n", saved.name.c_str());
        if (model::is_builtin_chain_name(saved.name)) {
            auto policy = model::policy_from_name(saved.policy);
            if (!policy)
                return fail_at(Error::usage("Invalid policy `" + saved.policy + "' for -P"),
                               saved.line);
            // Restoring a built-in chain replaces its rules, so a file restored twice does
            // not double them.
            cmds.push_back(chain_command(model::Op::Flush, saved.name));
            lines.push_back(saved.line);
            auto p = chain_command(model::Op::SetPolicy, saved.name);
            p.policy = *policy;
            cmds.push_back(p);
            lines.push_back(saved.line);
        } else if (known.count(saved.name)) {
            if (flags.flush || ask_flush(saved.name)) {
                std::printf("Flushing `%s'.\n", saved.name.c_str());
                cmds.push_back(chain_command(model::Op::Flush, saved.name));
                lines.push_back(saved.line);
            } else {
                std::printf("Skipping `%s'.\n", saved.name.c_str());
                skipped.insert(saved.name);
            }
        } else {
            cmds.push_back(chain_command(model::Op::NewChain, saved.name));
            lines.push_back(saved.line);
            known.insert(saved.name);
        }
    }
    if (flags.create) {
        for (const auto& r : file->rules)
            for (const auto& rule : r.command.rules)
                if (rule.target == model::TargetKind::Chain && !known.count(rule.target_chain)) {
                    cmds.push_back(chain_command(model::Op::NewChain, rule.target_chain));
                    lines.push_back(r.line);
                    known.insert(rule.target_chain);
                }
    }
    for (const auto& r : file->rules) {
        if (skipped.count(r.command.chain)) continue;
        if (flags.verbose)
            for (const auto& rule : r.command.rules)
                std::printf("%s\n", format::save_line(r.command.chain, rule).c_str());
        cmds.push_back(r.command);
        lines.push_back(r.line);
    }

    auto done = backend::execute_all(**be, cmds);
    if (!done) {
        const Error& e = done.error();
        if (e.line > 0 && static_cast<size_t>(e.line) <= lines.size())
            return fail_at(e, lines[e.line - 1]);
        return cli::report_failure("ipchains-restore", e);
    }
    return 0;
}
