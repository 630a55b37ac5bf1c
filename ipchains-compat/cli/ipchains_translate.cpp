// ipchains-translate: prints the nftables equivalent, like iptables-translate. Offline: it
// translates against a freshly booted ruleset, never the kernel's.
//   ipchains-translate -A input -p icmp -j DIVERT 1234   -> nft '...' command lines
//   ipchains-translate -f FILE  (or `-f -` for stdin)     -> an `nft -f` script
// The ipfw ip6 rules (`--ipfw-ip6`) are in a second table, `ip6 ipchains`, printed after the
// `ip` one (docs/ipfw.md "IPv6").
#include <algorithm>
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
#include "model/prefix6.h"
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

// The ip6 table as the nft backend loads it (docs/ipfw.md "IPv6"): without rule runs.
compile::Options nft_ip6_options()
{
    compile::Options opt;
    opt.ip6 = true;
    return opt;
}

// The tables the nft backend keeps for `rs`: `ip`, and `ip6` while it has ip6 rules.
Result<std::vector<ir::Table>> compile_tables(const model::Ruleset& rs)
{
    std::vector<ir::Table> tables;
    auto t = compile::compile(rs, nft_options());
    if (!t) return t.error();
    tables.push_back(std::move(*t));
    if (model::has_ip6_rules(rs)) {
        auto t6 = compile::compile(rs, nft_ip6_options());
        if (!t6) return t6.error();
        tables.push_back(std::move(*t6));
    }
    return tables;
}

int translate_command(const std::string& argv0, const std::vector<std::string>& args)
{
    // `--ipfw-ip6` is only ever written in a save file: a line carrying it is read as
    // ipchains-restore reads it (a rule line, -A only).
    parse::ParseOptions popt;
    popt.restore_line = std::find(args.begin(), args.end(), "--ipfw-ip6") != args.end();
    auto cmd = parse::parse_command(args, popt);
    if (!cmd) return cli::report_usage_error(argv0, cmd.error());
    model::Ruleset before = model::Ruleset::initial();
    model::Ruleset after = before;
    auto applied = engine::apply(after, *cmd);
    if (!applied) return cli::report_failure("ipchains", applied.error());
    auto old_tables = compile_tables(before);
    auto new_tables = compile_tables(after);
    if (!old_tables) return cli::report_failure(argv0, old_tables.error());
    if (!new_tables) return cli::report_failure(argv0, new_tables.error());
    std::string out = backend::text::to_nft_commands(old_tables->at(0), new_tables->at(0));
    // A freshly booted ruleset has no ip6 table: an empty one stands for it.
    if (new_tables->size() > 1) {
        ir::Table none;
        none.ip6 = true;
        out += backend::text::to_nft_commands(none, new_tables->at(1));
    }
    std::fputs(out.c_str(), stdout);
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
    auto tables = compile_tables(rs);
    if (!tables) return cli::report_failure(argv0, tables.error());
    std::fputs(backend::text::to_nft_script(*tables).c_str(), stdout);
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
