#include "model/rule.h"

#include <tuple>

namespace ipchains::model {

std::string Rule::target_label() const
{
    switch (target) {
    case TargetKind::None: return "";
    case TargetKind::Accept: return "ACCEPT";
    case TargetKind::Deny: return "DENY";
    case TargetKind::Reject: return "REJECT";
    case TargetKind::Masq: return "MASQ";
    case TargetKind::Redirect: return "REDIRECT";
    case TargetKind::Return: return "RETURN";
    case TargetKind::Divert: return "DIVERT";
    case TargetKind::Tee: return "TEE";
    case TargetKind::Chain: return target_chain;
    }
    return "";
}

namespace {
auto identity(const Rule& r)
{
    return std::tie(r.src, r.src_mask, r.dst, r.dst_mask, r.proto, r.invflags, r.sport.lo,
                    r.sport.hi, r.dport.lo, r.dport.hi, r.redirect_port, r.output_size, r.iface,
                    r.target, r.target_chain, r.ip6, r.src6, r.dst6);
}
}  // namespace

bool Rule::operator==(const Rule& o) const
{
    return identity(*this) == identity(o) && flags == o.flags && mark == o.mark &&
           tos_and == o.tos_and && tos_xor == o.tos_xor && number == o.number;
}

bool Rule::same_for_delete(const Rule& o) const
{
    return identity(*this) == identity(o) &&
           (flags & ~kFlagMarkAbs) == (o.flags & ~kFlagMarkAbs);
}

bool sends_to_divert_socket(TargetKind t)
{
    return t == TargetKind::Divert || t == TargetKind::Tee;
}

TargetKind target_kind_from_label(const std::string& label)
{
    if (label.empty()) return TargetKind::None;
    if (label == "ACCEPT") return TargetKind::Accept;
    if (label == "DENY") return TargetKind::Deny;
    if (label == "REJECT") return TargetKind::Reject;
    if (label == "MASQ") return TargetKind::Masq;
    if (label == "REDIRECT") return TargetKind::Redirect;
    if (label == "RETURN") return TargetKind::Return;
    if (label == "DIVERT") return TargetKind::Divert;
    if (label == "TEE") return TargetKind::Tee;
    return TargetKind::Chain;
}

}  // namespace ipchains::model
