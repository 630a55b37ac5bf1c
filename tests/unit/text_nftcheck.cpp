// Feeds backend/text output to the real nft, inside private network namespaces:
//   1. `nft -c -f` accepts the script of a rich ruleset. This kernel may lack nft_queue
//      (native `queue`); then only the queue statements may fail, with ENOENT, and the script
//      with every queue replaced by `accept` must pass.
//   2. The `nft '...'` lines of to_nft_commands, run one after another from a loaded table,
//      end in the same rules as loading the final script directly.
// Exit 77 when root, unshare(1) or nft(8) are not available.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "backend/text/nft_text.h"
#include "compile_fixtures.h"

using namespace ipchains;

namespace {

std::string dir;
int failures = 0;

void fail(const std::string& what)
{
    std::cerr << "FAIL: " << what << "\n";
    ++failures;
}

std::string write(const std::string& name, const std::string& text)
{
    std::string path = dir + "/" + name;
    std::ofstream(path) << text;
    return path;
}

std::string read(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int run(const std::string& cmd)
{
    int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 255;
}

ir::Table without_queue(ir::Table t)
{
    for (auto& c : t.chains)
        for (auto& r : c.rules)
            for (auto& s : r.statements)
                if (std::holds_alternative<ir::Queue>(s)) s = ir::Verdict{ir::Verdict::Accept, ""};
    return t;
}

// True when every error nft reported is "No such file or directory" on a queue statement.
bool only_queue_errors(const std::string& err)
{
    std::istringstream in(err);
    std::string line;
    int errors = 0;
    while (std::getline(in, line)) {
        if (line.find("Error:") == std::string::npos) continue;
        ++errors;
        std::string source;
        std::getline(in, source);
        if (line.find("No such file or directory") == std::string::npos ||
            source.find("queue num") == std::string::npos)
            return false;
    }
    return errors > 0;
}

std::vector<std::string> sorted_lines(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    // Counter objects keep their kernel values across commands; only the layout is compared.
    while (std::getline(in, line))
        if (line.find("packets ") != line.find_first_not_of('\t')) lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    return lines;
}

void check_script()
{
    ir::Table t = fx::compiled(fx::rich_ruleset());
    std::string full = write("full.nft", backend::text::to_nft_script(t));
    std::string err = dir + "/full.err";
    if (run("unshare -n nft -c -f " + full + " 2>" + err) == 0) {
        std::cout << "nft -c accepts the full script\n";
        return;
    }
    if (!only_queue_errors(read(err))) {
        fail("nft -c rejects the script:\n" + read(err));
        return;
    }
    std::cout << "this kernel has no native queue (nft_queue): checking the script without it\n";
    std::string rest = write("noqueue.nft", backend::text::to_nft_script(without_queue(t)));
    if (run("unshare -n nft -c -f " + rest + " 2>" + err) != 0)
        fail("nft -c rejects the script without queue:\n" + read(err));
}

void check_commands()
{
    std::vector<model::Ruleset> steps;
    steps.push_back(model::Ruleset::initial());
    steps.push_back(fx::rich_ruleset());
    model::Ruleset rs = steps.back();
    fx::append(rs, "acct", fx::rule(model::TargetKind::Deny));
    rs.find("input")->rules.erase(rs.find("input")->rules.begin() + 1);
    steps.push_back(rs);
    rs.find("forward")->rules.erase(rs.find("forward")->rules.begin() + 1);  // acct unreached
    rs.divert_passthrough = true;
    steps.push_back(rs);
    rs.find("output")->rules.clear();
    rs.find("log")->rules.clear();
    rs.chains.erase(rs.chains.begin() + 4);  // -X log: acct changes position
    rs.find("input")->policy = model::Policy::Reject;
    steps.push_back(rs);
    steps.push_back(model::Ruleset::initial());

    std::vector<ir::Table> tables;
    for (const auto& s : steps) tables.push_back(without_queue(fx::compiled(s)));
    std::string script = "set -e\nnft -f " +
                         write("step0.nft", backend::text::to_nft_script(tables[0])) + "\n";
    for (size_t i = 1; i < tables.size(); ++i) {
        std::string cmds = backend::text::to_nft_commands(tables[i - 1], tables[i]);
        script += "sh -e " + write("step" + std::to_string(i) + ".sh", cmds) + "\n";
        if (i + 1 == tables.size() - 1) script += "nft list table ip ipchains > " + dir + "/via-commands.txt\n";
    }
    std::string err = dir + "/commands.err";
    if (run("unshare -n sh " + write("commands.sh", script) + " 2>" + err) != 0) {
        fail("nft rejects a command of to_nft_commands:\n" + read(err));
        return;
    }
    std::string direct = write("direct.nft", backend::text::to_nft_script(tables[tables.size() - 2]));
    if (run("unshare -n sh -c 'nft -f " + direct + " && nft list table ip ipchains > " + dir +
            "/via-script.txt' 2>" + err) != 0) {
        fail("nft rejects the final script:\n" + read(err));
        return;
    }
    if (sorted_lines(read(dir + "/via-commands.txt")) != sorted_lines(read(dir + "/via-script.txt")))
        fail("commands and script disagree; see " + dir);
    else
        std::cout << "to_nft_commands over " << tables.size() - 1 << " steps matches the script\n";
}

}  // namespace

int main()
{
    if (geteuid() != 0 || run("unshare -n true >/dev/null 2>&1") != 0 ||
        run("nft --version >/dev/null 2>&1") != 0) {
        std::cout << "SKIP: needs root, unshare and nft\n";
        return 77;
    }
    char tmpl[] = "/tmp/text-nftcheck.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return 1;
    dir = tmpl;
    check_script();
    check_commands();
    if (failures == 0) run("rm -rf " + dir);
    return failures == 0 ? 0 : 1;
}
