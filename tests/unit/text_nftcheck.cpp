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

// Applies tables[0] as a script, then each step's to_nft_commands, and compares the result
// before the last step with the script of that table.
void check_steps(const std::vector<ir::Table>& tables, const std::string& prefix = "")
{
    const std::string& p = prefix;
    std::string script = "set -e\nnft -f " +
                         write(p + "step0.nft", backend::text::to_nft_script(tables[0])) + "\n";
    for (size_t i = 1; i < tables.size(); ++i) {
        std::string cmds = backend::text::to_nft_commands(tables[i - 1], tables[i]);
        script += "sh -e " + write(p + "step" + std::to_string(i) + ".sh", cmds) + "\n";
        if (i + 1 == tables.size() - 1)
            script += "nft list table ip ipchains > " + dir + "/" + p + "via-commands.txt\n";
    }
    std::string err = dir + "/" + p + "commands.err";
    if (run("unshare -n sh " + write(p + "commands.sh", script) + " 2>" + err) != 0) {
        fail("nft rejects a command of to_nft_commands:\n" + read(err));
        return;
    }
    std::string direct =
        write(p + "direct.nft", backend::text::to_nft_script(tables[tables.size() - 2]));
    if (run("unshare -n sh -c 'nft -f " + direct + " && nft list table ip ipchains > " + dir +
            "/" + p + "via-script.txt' 2>" + err) != 0) {
        fail("nft rejects the final script:\n" + read(err));
        return;
    }
    if (sorted_lines(read(dir + "/" + p + "via-commands.txt")) !=
        sorted_lines(read(dir + "/" + p + "via-script.txt")))
        fail("commands and script disagree; see " + dir);
    else
        std::cout << prefix << "to_nft_commands over " << tables.size() - 1
                  << " steps matches the script\n";
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
    check_steps(tables);
}

// Rule runs (compile/runs.h): the sets, their elements, one more member, a member deleted from
// the middle, a run split by an overlapping network, a run shrunk below the minimum.
void check_runs()
{
    auto host = [](int i, model::TargetKind t = model::TargetKind::Deny) {
        model::Rule r = fx::rule(t);
        r.src = 0xC0000200u + static_cast<uint32_t>(i);  // 192.0.2.i
        r.src_mask = 0xFFFFFFFFu;
        return r;
    };
    auto net = [](uint32_t addr, uint32_t mask) {
        model::Rule r = fx::rule(model::TargetKind::Deny);
        r.src = addr;
        r.src_mask = mask;
        return r;
    };
    std::vector<model::Ruleset> steps;
    steps.push_back(model::Ruleset::initial());
    model::Ruleset rs = fx::ruleset({"blk"});
    for (int i = 1; i <= 6; ++i) fx::append(rs, "input", host(i));
    fx::append(rs, "input", net(0x0A000000u, 0xFF000000u));  // 10.0.0.0/8
    for (int i = 1; i <= 5; ++i) fx::append(rs, "blk", host(i, model::TargetKind::Accept));
    fx::append(rs, "input", fx::jump("blk"));
    // Runs over ports and a port range, interfaces, protocols and source . port.
    for (uint16_t p : {53, 123, 161}) fx::append(rs, "forward", fx::udp_deny(p, p));
    fx::append(rs, "forward", fx::udp_deny(6000, 6063));
    for (const char* n : {"eth0", "eth\"1", "ppp*0", "lo", "tun+"}) {
        model::Rule r = fx::rule(model::TargetKind::Accept);
        r.iface = n;
        r.flags &= static_cast<uint16_t>(~model::kFlagWildIf);
        if (r.iface.back() == '+') {  // a wildcard: an interval of names
            r.iface.pop_back();
            r.flags |= model::kFlagWildIf;
        }
        fx::append(rs, "output", r);
    }
    for (uint16_t p : {47, 50, 51, 132}) {
        model::Rule r = fx::rule(model::TargetKind::Deny);
        r.proto = p;
        fx::append(rs, "output", r);
    }
    for (uint32_t n = 1; n <= 3; ++n)
        for (uint16_t p : {53, 123}) fx::append(rs, "forward", fx::udp_deny(p, p, n << 24, 0xFF000000u));
    for (uint32_t h = 1; h <= 5; ++h) {  // accepted and denied: a verdict map
        model::Rule r = fx::rule(h % 2 ? model::TargetKind::Accept : model::TargetKind::Deny);
        r.dst = 0xC6336400u | h;  // 198.51.100.h
        r.dst_mask = 0xFFFFFFFFu;
        fx::append(rs, "output", r);
    }
    steps.push_back(rs);
    fx::append(rs, "blk", host(9, model::TargetKind::Accept));
    steps.push_back(rs);
    auto& input = rs.find("input")->rules;
    input.erase(input.begin() + 2);
    steps.push_back(rs);
    input.insert(input.begin() + 3, net(0xC0000200u, 0xFFFFFF00u));  // 192.0.2.0/24 splits
    steps.push_back(rs);
    input.resize(2);
    auto& forward = rs.find("forward")->rules;
    forward.erase(forward.begin() + 5);  // a member of the concatenation
    auto& output = rs.find("output")->rules;
    output.back().target = model::TargetKind::Accept;  // a member's verdict changes
    steps.push_back(rs);
    steps.push_back(model::Ruleset::initial());
    std::vector<ir::Table> tables;
    compile::Options opt;
    opt.rule_runs = true;
    for (const auto& s : steps) {
        auto t = compile::compile(s, opt);
        if (!t) {
            fail("compile: " + t.error().message);
            return;
        }
        tables.push_back(*t);
    }
    std::string script = backend::text::to_nft_script(tables[1]);
    if (script.find("ip saddr @input-saddr-1 drop") == std::string::npos ||
        script.find("\tset input-saddr-1 {\n\t\ttype ipv4_addr\n\t\tflags interval\n") ==
            std::string::npos)
        fail("the script has no run set:\n" + script);
    for (const char* want : {"th dport @forward-dport-1 drop",
                             "ip saddr . th dport @forward-saddr-dport-1 drop",
                             "oifname @output-oif-1 accept", "ip protocol @output-proto-1 drop",
                             "\t\ttype ipv4_addr . inet_service\n", "\t\ttype ifname\n\t\tflags interval\n", "\"tun*\" counter",
                             "\t\ttype inet_proto\n", "ip daddr vmap @output-daddr-vmap-1",
                             "\tmap output-daddr-vmap-1 {\n\t\ttype ipv4_addr : verdict\n"})
        if (script.find(want) == std::string::npos)
            fail(std::string("the script lacks `") + want + "':\n" + script);
    check_steps(tables, "runs-");
}

// docs/ipfw.md "IPv6": the script of both tables loads, and the `add ...` lines that create
// the ip6 table end in the same ip6 table as the script.
void check_ip6()
{
    model::Ruleset rs = fx::ruleset();
    fx::append(rs, "input", fx::divert(1234));
    fx::append(rs, "input", fx::ip6_divert(100, 8000, "2001:db8::5"));
    model::Rule udp = fx::ip6_divert(200, 8001, "fd00::/8");
    udp.proto = 17;
    udp.dport = {53, 53};
    fx::append(rs, "output", udp);
    ir::Table t4 = without_queue(fx::compiled(rs));
    ir::Table t6 = without_queue(fx::compiled6(rs));
    std::string script = write("ip6.nft", backend::text::to_nft_script({t4, t6}));
    ir::Table none;
    none.ip6 = true;
    std::string cmds = write("ip6.sh", backend::text::to_nft_commands(none, t6));
    std::string err = dir + "/ip6.err";
    if (run("unshare -n sh -c 'nft -f " + script + " && nft list table ip6 ipchains > " + dir +
            "/ip6-via-script.txt' 2>" + err) != 0) {
        fail("nft rejects the script of both tables:\n" + read(err));
        return;
    }
    if (run("unshare -n sh -c 'sh -e " + cmds + " && nft list table ip6 ipchains > " + dir +
            "/ip6-via-commands.txt' 2>" + err) != 0) {
        fail("nft rejects a command of the ip6 table:\n" + read(err));
        return;
    }
    if (sorted_lines(read(dir + "/ip6-via-commands.txt")) !=
        sorted_lines(read(dir + "/ip6-via-script.txt")))
        fail("ip6 commands and script disagree; see " + dir);
    else if (read(dir + "/ip6-via-script.txt").find("ip6 daddr 2001:db8::5") == std::string::npos)
        fail("the ip6 table lacks its rule; see " + dir);
    else
        std::cout << "the ip6 table's script and commands load and agree\n";
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
    check_runs();
    check_ip6();
    if (failures == 0) run("rm -rf " + dir);
    return failures == 0 ? 0 : 1;
}
