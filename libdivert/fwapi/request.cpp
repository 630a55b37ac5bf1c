#include "fwapi/request.h"

#include <cerrno>
#include <cstring>

#include "fwapi/canonical.h"
#include "fwapi/label.h"
#include "fwapi/rule_convert.h"

namespace divert::fwapi {

using ipchains::Error;
using ipchains::Result;
namespace model = ipchains::model;

namespace {

// The exact length each option takes (docs/reference/firewall-api.md section 5); 0 = not a 2.2
// command.
std::size_t required_length(int optname)
{
    switch (optname) {
    case IP_FW_APPEND:
    case IP_FW_DELETE: return sizeof(struct ip_fwchange);
    case IP_FW_REPLACE:
    case IP_FW_INSERT: return sizeof(struct ip_fwnew);
    case IP_FW_DELETE_NUM: return sizeof(struct ip_fwdelnum);
    case IP_FW_FLUSH:
    case IP_FW_ZERO:
    case IP_FW_CREATECHAIN:
    case IP_FW_DELETECHAIN: return sizeof(ip_chainlabel);
    case IP_FW_CHECK: return sizeof(struct ip_fwtest);
    case IP_FW_MASQ_TIMEOUTS: return 3 * sizeof(int);
    case IP_FW_POLICY: return sizeof(struct ip_fwpolicy);
    default: return 0;
    }
}

Error errno_error(int err)
{
    return Error::kernel(err, "");
}

template <typename T>
T read_struct(const unsigned char* buf)
{
    T value;
    std::memcpy(&value, buf, sizeof value);
    return value;
}

// Chain-addressed commands: check_label (except DELETECHAIN, which 2.2 did not check), then
// the lookup. A chain named "" cannot exist here (see CREATECHAIN), so it is ENOENT at once.
Result<Request> chain_request(model::Op op, const char* label, bool check_label)
{
    if (check_label && !label_terminated(label)) return errno_error(EINVAL);
    Request rq;
    rq.chain = label_name(label);
    if (rq.chain.empty()) return errno_error(ENOENT);
    rq.command.op = op;
    rq.command.chain = rq.chain;
    return rq;
}

Result<Request> rule_request(model::Op op, const char* chain, const struct ip_fwuser& user,
                             uint32_t rulenum)
{
    auto rq = chain_request(op, chain, true);
    if (!rq) return rq;
    rq->command.rulenum = rulenum;
    auto rule = convert_rule(user);
    if (rule) rule = canonical_rule(*rule);
    if (!rule)
        rq->deferred_errno = rule.error().code;
    else
        rq->command.rules.push_back(*rule);
    // Replace and Insert number from 1; the command model reads 0 as "unset".
    if ((op == model::Op::Insert || op == model::Op::Replace) && rulenum == 0 &&
        rq->deferred_errno == 0)
        rq->deferred_errno = EINVAL;
    return rq;
}

Result<Request> policy_request(const struct ip_fwpolicy& p)
{
    auto rq = chain_request(model::Op::SetPolicy, p.fwp_label, true);
    if (!rq) return rq;
    auto policy = model::policy_from_name(label_name(p.fwp_policy));
    const bool masq_off_forward = policy == model::Policy::Masq && rq->chain != "forward";
    if (!model::is_builtin_chain_name(rq->chain) || !policy || masq_off_forward)
        rq->deferred_errno = EINVAL;
    else
        rq->command.policy = *policy;
    return rq;
}

}  // namespace

Result<Request> decode_request(int optname, const unsigned char* buf, std::size_t len)
{
    const std::size_t need = required_length(optname);
    if (need == 0) return errno_error(ENOPROTOOPT);
    if (len != need) return errno_error(EINVAL);
    const char* label = reinterpret_cast<const char*>(buf);

    switch (optname) {
    case IP_FW_APPEND:
    case IP_FW_DELETE: {
        auto c = read_struct<struct ip_fwchange>(buf);
        return rule_request(optname == IP_FW_APPEND ? model::Op::Append : model::Op::DeleteSpec,
                            c.fwc_label, c.fwc_rule, 0);
    }
    case IP_FW_INSERT:
    case IP_FW_REPLACE: {
        auto n = read_struct<struct ip_fwnew>(buf);
        return rule_request(optname == IP_FW_INSERT ? model::Op::Insert : model::Op::Replace,
                            n.fwn_label, n.fwn_rule, n.fwn_rulenum);
    }
    case IP_FW_DELETE_NUM: {
        auto d = read_struct<struct ip_fwdelnum>(buf);
        auto rq = chain_request(model::Op::DeleteNum, d.fwd_label, true);
        if (!rq) return rq;
        // 2.2 answered rule number 0 like a number past the end: ENOENT, the same errno as
        // a failed lookup, so no lookup is needed to order them.
        if (d.fwd_rulenum == 0) return errno_error(ENOENT);
        rq->command.rulenum = d.fwd_rulenum;
        return rq;
    }
    case IP_FW_FLUSH: return chain_request(model::Op::Flush, label, true);
    case IP_FW_ZERO: return chain_request(model::Op::Zero, label, true);
    case IP_FW_DELETECHAIN: return chain_request(model::Op::DeleteChain, label, false);
    case IP_FW_CREATECHAIN: {
        if (!label_terminated(label)) return errno_error(EINVAL);
        // DECISION: 2.2 let CREATECHAIN make a chain named "", but to the command model ""
        // means "every chain", so no backend can hold one (docs/reference/firewall-api.md 5:
        // EINVAL).
        if (label[0] == '\0') return errno_error(EINVAL);
        Request rq;
        rq.command.op = model::Op::NewChain;
        rq.command.chain = label_name(label);
        return rq;
    }
    case IP_FW_POLICY: return policy_request(read_struct<struct ip_fwpolicy>(buf));
    case IP_FW_CHECK: {
        // 2.2 quirk: check_label ran over the start of the struct (the IP header), not the
        // chain label. A real header has a zero byte there, so this normally passes.
        if (!label_terminated(label)) return errno_error(EINVAL);
        auto t = read_struct<struct ip_fwtest>(buf);
        Request rq;
        rq.kind = Request::Kind::Check;
        rq.chain = label_name(t.fwt_label);
        rq.packet = t.fwt_packet;
        return rq;
    }
    case IP_FW_MASQ_TIMEOUTS: {
        // Like `ipchains -M -S`: accepted, no effect (conntrack timeouts are global now).
        Request rq;
        rq.kind = Request::Kind::Nothing;
        return rq;
    }
    }
    return errno_error(ENOPROTOOPT);
}

}  // namespace divert::fwapi
