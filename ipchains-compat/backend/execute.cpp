#include "backend/execute.h"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "engine/engine.h"

namespace ipchains::backend {

namespace {

// The backend refused the commit because another program changed the ruleset after our read
// (nft: the batch's generation is stale). Nothing was changed, so the whole command runs again
// on a fresh read; two busy writers always let one through, so a few attempts suffice.
constexpr int kAttempts = 25;

bool stale_read(const Error& e)
{
    return e.code == ERESTART;
}

// A random pause growing with the attempt, so that two writers stop colliding in step.
void back_off(int attempt)
{
    static thread_local std::minstd_rand rng(static_cast<unsigned>(getpid()) ^
                                             static_cast<unsigned>(time(nullptr)));
    std::uniform_int_distribution<long> us(0, 500L * attempt);
    timespec ts{0, us(rng) * 1000};
    nanosleep(&ts, nullptr);
}

bool fast_path_target(model::TargetKind t)
{
    using model::TargetKind;
    return t == TargetKind::None || t == TargetKind::Accept || t == TargetKind::Deny ||
           t == TargetKind::Reject || t == TargetKind::Masq || t == TargetKind::Return;
}

Result<void> execute_all_once(Backend& be, const std::vector<model::Command>& cmds)
{
    // Snapshot -> Change -> one transaction; a stale snapshot fails the commit (ERESTART).
    auto before = be.read(false);
    if (!before) return before.error();
    auto change = engine::make_change(before->ruleset, cmds);
    if (!change) return change.error();
    if (engine::changes_nothing(before->ruleset, *change)) return {};
    return be.commit(*before, *change);
}

Result<void> execute_once(Backend& be, const model::Command& cmd)
{
    if (cmd.op == model::Op::Append) {
        bool simple = !cmd.rules.empty();
        for (const auto& r : cmd.rules) simple = simple && fast_path_target(r.target);
        if (simple) {
            // The fast path reads no ruleset, but its rules pass the engine's checks all the
            // same: a bad rule fails with the slow path's message and changes nothing.
            auto rules = engine::validate_append(cmd);
            if (!rules) return rules.error();
            auto done = be.append_fast(cmd.chain, *rules);
            if (!done) return done.error();
            if (*done) return {};
        }
    }
    // Only a built-in chain's ACCEPT or DENY policy held by a base chain takes this path: the
    // command is valid as it stands, and the slow path gives the engine's error for the rest.
    if (cmd.op == model::Op::SetPolicy) {
        auto done = be.policy_fast(cmd.chain, cmd.policy);
        if (!done) return done.error();
        if (*done) return {};
    }
    return execute_all_once(be, {cmd});
}

Result<void> execute_edit_once(Backend& be, const Edit& edit)
{
    auto before = be.read(false);
    if (!before) return before.error();
    auto cmds = edit(before->ruleset);
    if (!cmds) return cmds.error();
    auto change = engine::make_change(before->ruleset, *cmds);
    if (!change) return change.error();
    if (engine::changes_nothing(before->ruleset, *change)) return {};
    return be.commit(*before, *change);
}

}  // namespace

Result<void> execute_edit(Backend& be, const Edit& edit)
{
    for (int attempt = 1;; ++attempt) {
        auto r = execute_edit_once(be, edit);
        if (r || !stale_read(r.error()) || attempt == kAttempts) return r;
        back_off(attempt);
    }
}

Result<void> execute(Backend& be, const model::Command& cmd)
{
    for (int attempt = 1;; ++attempt) {
        auto r = execute_once(be, cmd);
        if (r || !stale_read(r.error()) || attempt == kAttempts) return r;
        back_off(attempt);
    }
}

Result<void> execute_all(Backend& be, const std::vector<model::Command>& cmds)
{
    for (int attempt = 1;; ++attempt) {
        auto r = execute_all_once(be, cmds);
        if (r || !stale_read(r.error()) || attempt == kAttempts) return r;
        back_off(attempt);
    }
}

}  // namespace ipchains::backend
