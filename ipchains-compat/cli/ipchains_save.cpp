// ipchains-save [chain] [-v]: prints the kernel's rules in the restore format on stdout,
// progress on stderr, as the ipchains-scripts tool did.
#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <string>

#include "backend/backend.h"
#include "cli/report.h"
#include "engine/engine.h"
#include "format/format.h"

using namespace ipchains;
namespace po = boost::program_options;

int main(int argc, char** argv)
{
    std::string chain;
    bool verbose = false;
    po::options_description opts("Options");
    opts.add_options()("help,h", "print this help")("verbose,v", po::bool_switch(&verbose),
                                                    "also print each rule on stderr");
    po::options_description hidden;
    hidden.add_options()("chain", po::value<std::string>(&chain));
    po::positional_options_description pos;
    pos.add("chain", 1);
    po::options_description all;
    all.add(opts).add(hidden);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::fprintf(stderr, "%s: %s\nUsage: %s [chain] [-v]\n", argv[0], e.what(), argv[0]);
        return 2;
    }
    if (vm.count("help")) {
        std::cout << "Usage: " << argv[0] << " [chain] [-v]\n" << opts;
        return 0;
    }

    auto be = backend::open_backend();
    if (!be) return cli::report_failure("ipchains-save", be.error());
    auto snap = (*be)->read(false);
    if (!snap) return cli::report_failure("ipchains-save", snap.error());
    const model::Ruleset* rs = &snap->ruleset;
    const model::Chain* only = chain.empty() ? nullptr : rs->find(chain);
    if (!chain.empty() && !only)
        return cli::report_failure(
            "ipchains-save",
            Error::kernel(ENOENT, engine::kernel_error_text(model::Op::List, ENOENT,
                                                            model::TargetKind::None)));
    for (const auto& c : rs->chains) {
        if (only && only != &c) continue;
        std::fprintf(stderr, "Saving `%s'.\n", c.name.c_str());
        if (verbose)
            for (const auto& r : c.rules)
                std::fprintf(stderr, "%s\n", format::save_line(c.name, r).c_str());
    }
    std::fputs(format::save(*rs, chain).c_str(), stdout);
    return 0;
}
