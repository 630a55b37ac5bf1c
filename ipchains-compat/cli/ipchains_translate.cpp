// ipchains-translate: prints the nftables equivalent, like iptables-translate. Offline: it
// translates against a freshly booted ruleset, never the kernel's.
//   ipchains-translate -A input -p icmp -j DIVERT 1234   -> nft '...' command lines
//   ipchains-translate -f FILE  (or `-f -` for stdin)     -> an `nft -f` script
#include <boost/program_options.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "backend/text/nft_text.h"
#include "cli/report.h"
#include "cli/save_file.h"
#include "compile/compile.h"
#include "engine/engine.h"
#include "parse/parser.h"

using namespace ipchains;
namespace po = boost::program_options;

namespace {

// The nft encoding, rule runs included (compile/runs.h), as the nft backend loads it.
compile::Options nft_options()
{
    compile::Options opt;
    opt.rule_runs = true;
    return opt;
}

int translate_command(const std::string& argv0, const std::vector<std::string>& args)
{
    auto cmd = parse::parse_command(args);
    if (!cmd) return cli::report_usage_error(argv0, cmd.error());
    model::Ruleset before = model::Ruleset::initial();
    model::Ruleset after = before;
    auto applied = engine::apply(after, *cmd);
    if (!applied) return cli::report_failure("ipchains", applied.error());
    auto old_table = compile::compile(before, nft_options());
    auto new_table = compile::compile(after, nft_options());
    if (!old_table) return cli::report_failure(argv0, old_table.error());
    if (!new_table) return cli::report_failure(argv0, new_table.error());
    std::fputs(backend::text::to_nft_commands(*old_table, *new_table).c_str(), stdout);
    return 0;
}

int translate_file(const std::string& argv0, std::istream& in)
{
    auto file = cli::read_save_file(in);
    if (!file) {
        std::fprintf(stderr, "%s: line %d: %s\n", argv0.c_str(), file.error().line,
                     file.error().message.c_str());
        return 1;
    }
    model::Ruleset rs = model::Ruleset::initial();
    auto fail = [&](const Error& e, int line) {
        std::fprintf(stderr, "%s: line %d: %s\n", argv0.c_str(), line, e.message.c_str());
        return 1;
    };
    for (const auto& chain : file->chains) {
        model::Command c;
        c.chain = chain.name;
        if (model::is_builtin_chain_name(chain.name)) {
            auto policy = model::policy_from_name(chain.policy);
            if (!policy) return fail(Error::usage("Invalid policy `" + chain.policy + "'"), chain.line);
            c.op = model::Op::SetPolicy;
            c.policy = *policy;
        } else {
            c.op = model::Op::NewChain;
        }
        auto ok = engine::apply(rs, c);
        if (!ok) return fail(ok.error(), chain.line);
    }
    for (const auto& rule : file->rules) {
        auto ok = engine::apply(rs, rule.command);
        if (!ok) return fail(ok.error(), rule.line);
    }
    auto table = compile::compile(rs, nft_options());
    if (!table) return cli::report_failure(argv0, table.error());
    std::fputs(backend::text::to_nft_script(*table).c_str(), stdout);
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    // Save files are read line by line with iostreams; C stdio is not mixed in on stdin.
    std::ios::sync_with_stdio(false);
    const std::string argv0 = argv[0];
    // Anything but -f/--file/-h/--help is an ipchains command line: hand it over untouched,
    // because the ipchains grammar (`!` words, optional arguments) is not getopt-shaped.
    bool file_mode = argc > 1 && (std::string(argv[1]) == "-f" || std::string(argv[1]) == "--file" ||
                                  std::string(argv[1]) == "--help");
    if (!file_mode) {
        if (argc < 2) {
            std::fprintf(stderr, "Usage: %s <ipchains arguments> | -f FILE\n", argv[0]);
            return 2;
        }
        return translate_command(argv0, std::vector<std::string>(argv + 1, argv + argc));
    }

    std::string path;
    po::options_description opts("Options");
    opts.add_options()("help", "print this help")(
        "file,f", po::value<std::string>(&path), "translate a whole ipchains-save file (- = stdin)");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, opts), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 2;
    }
    if (vm.count("help")) {
        std::cout << "Usage: " << argv[0] << " <ipchains arguments> | -f FILE\n" << opts;
        return 0;
    }
    if (path == "-") return translate_file(argv0, std::cin);
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "%s: cannot open `%s'\n", argv[0], path.c_str());
        return 1;
    }
    return translate_file(argv0, in);
}
