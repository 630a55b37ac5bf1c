// ipfw: FreeBSD's firewall command line for divert work, on the ruleset ipchains uses
// (docs/ipfw.md). Every command is one transaction through the selected backend.
#include <cstdio>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/execute.h"
#include "ipfw/edit.h"
#include "ipfw/grammar.h"
#include "ipfw/show.h"

using namespace ipchains;

namespace {

int fail(const Error& e)
{
    std::fprintf(stderr, "ipfw: %s\n", e.message.c_str());
    // Usage errors carry EX_USAGE already; anything the kernel or the system refused is
    // EX_UNAVAILABLE, as FreeBSD's ipfw reports a failed socket option.
    return e.exit_status == ipfw::kExitUsage ? ipfw::kExitUsage : ipfw::kExitUnavailable;
}

std::string chain_of(ipfw::Direction d)
{
    return d == ipfw::Direction::In ? "input" : d == ipfw::Direction::Out ? "output" : "";
}

// FreeBSD echoes an added rule in list form.
void echo_added(const ipfw::Command& cmd, uint16_t number)
{
    ipfw::Entry e;
    e.number = number;
    e.numbered = number != 0;
    e.chain = chain_of(cmd.direction);
    e.rule = cmd.rule;
    e.rule.number = number;
    std::fputs(ipfw::listing({e}, false).c_str(), stdout);
}

int run(const ipfw::Command& cmd)
{
    if (cmd.syntax_only) {
        if (cmd.verb == ipfw::Verb::Add && !cmd.quiet)
            echo_added(cmd, cmd.numbers.empty() ? 0 : cmd.numbers.front());
        return 0;
    }
    auto be = backend::open_backend();
    if (!be) return fail(be.error());
    backend::Backend& backend = **be;

    if (cmd.verb == ipfw::Verb::Show || cmd.verb == ipfw::Verb::List) {
        auto rs = backend.read(false);
        if (!rs) return fail(rs.error());
        const auto es = ipfw::entries(rs->ruleset);
        for (uint16_t n : cmd.numbers) {
            bool found = false;
            for (const auto& e : es) found = found || e.number == n;
            if (!found) {
                Error e = Error::kernel(ENOENT, "rule " + std::to_string(n) + " does not exist");
                return fail(e);
            }
        }
        std::fputs(ipfw::listing(es, cmd.verb == ipfw::Verb::Show, cmd.numbers).c_str(), stdout);
        return 0;
    }

    uint16_t number = 0;
    auto done = backend::execute_edit(
        backend, [&](const model::Ruleset& before) -> Result<std::vector<model::Command>> {
            if (cmd.verb == ipfw::Verb::Add) {
                auto n = ipfw::number_for_add(before, cmd);
                if (!n) return n.error();
                number = *n;
            }
            model::Ruleset work = before;
            std::vector<model::Command> ran;
            if (auto r = ipfw::apply(work, cmd, number, &ran); !r) return r.error();
            return ran;
        });
    if (!done) return fail(done.error());
    if (cmd.quiet) return 0;
    if (cmd.verb == ipfw::Verb::Add) echo_added(cmd, number);
    if (cmd.verb == ipfw::Verb::Flush) std::puts("Flushed all rules.");
    if (cmd.verb == ipfw::Verb::Zero && cmd.numbers.empty()) std::puts("Accounting cleared.");
    if (cmd.verb == ipfw::Verb::Zero)
        for (uint16_t n : cmd.numbers) std::printf("Entry %u cleared.\n", static_cast<unsigned>(n));
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    auto cmd = ipfw::parse(args);
    if (!cmd) return fail(cmd.error());
    const int rc = run(*cmd);
    std::fflush(stdout);
    return rc;
}
