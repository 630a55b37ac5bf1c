// libipfwc's ipfwc_strerror table (docs/reference/ipchains-commands.md section 8.2): the first row
// matching the failing call and errno wins, so the order of the checks below is the table's order.
#include <cerrno>
#include <cstring>

#include "engine/engine.h"

namespace ipchains::engine {

namespace {

using model::Op;

bool is_one_of(Op op, std::initializer_list<Op> ops)
{
    for (Op o : ops)
        if (o == op) return true;
    return false;
}

}  // namespace

std::string kernel_error_text(model::Op op, int err, model::TargetKind target)
{
    if (err == ENOENT && is_one_of(op, {Op::Insert, Op::Replace, Op::Append})) {
        std::string text = "No target by that name";
        if (target == model::TargetKind::Masq)
            text += " (Maybe this kernel doesn't support masquerading?)";
        else if (target == model::TargetKind::Redirect)
            text += " (Maybe this kernel doesn't support transparent proxying?)";
        return text;
    }
    if (err == ENOENT) return "No chain by that name";
    if (err == 0) return "Incompatible with this kernel";
    if (err == EPERM) return "Permission denied (you must be root)";
    if (err == ENOTEMPTY && op == Op::DeleteChain) return "Chain is not empty";
    if (err == EEXIST && op == Op::NewChain) return "Chain already exists";
    if (err == EINVAL && op == Op::Check) return "bad arguments (does that interface exist?)";
    if (err == EINVAL && is_one_of(op, {Op::DeleteSpec, Op::Insert, Op::DeleteNum, Op::Replace}))
        return "bad rule (does a matching rule exist in that chain?)";
    return std::strerror(err);
}

const char* check_verdict_text(CheckVerdict v)
{
    switch (v) {
    case CheckVerdict::Accepted: return "accepted";
    case CheckVerdict::Denied: return "denied";
    case CheckVerdict::Rejected: return "rejected";
    case CheckVerdict::Masqueraded: return "masqueraded";
    case CheckVerdict::Redirected: return "redirected";
    case CheckVerdict::Diverted: return "diverted";
    case CheckVerdict::CaughtInLoop: return "caught in loop";
    case CheckVerdict::PassedThrough: return "passed through chain";
    }
    return "denied";
}

}  // namespace ipchains::engine
