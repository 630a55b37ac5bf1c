#include "fwapi/rule_convert.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>

#include "fwapi/label.h"

namespace divert::fwapi {

using ipchains::Error;
using ipchains::Result;
namespace model = ipchains::model;

namespace {

bool ports_allowed(const struct ip_fw& fw)
{
    if (fw.fw_invflg & IP_FW_INV_PROTO) return false;
    return fw.fw_proto == IPPROTO_TCP || fw.fw_proto == IPPROTO_UDP ||
           fw.fw_proto == IPPROTO_ICMP;
}

bool any_ports(const __u16 range[2])
{
    return range[0] == 0 && range[1] == 0xFFFF;
}

}  // namespace

Result<model::Rule> convert_rule(const struct ip_fwuser& user)
{
    const struct ip_fw& fw = user.ipfw;
    const Error invalid = Error::kernel(EINVAL, "");
    if (fw.fw_flg & ~IP_FW_F_MASK) return invalid;
    if (!(any_ports(fw.fw_spts) && any_ports(fw.fw_dpts)) && !ports_allowed(fw)) return invalid;
    if (fw.fw_proto > 0xFF) return invalid;

    model::Rule r;
    // The model keeps addresses pre-masked; 2.2 compared (addr & mask) with the stored
    // address, so an unmasked one could never match. ipchains always sent masked ones.
    r.src_mask = ntohl(fw.fw_smsk.s_addr);
    r.src = ntohl(fw.fw_src.s_addr) & r.src_mask;
    r.dst_mask = ntohl(fw.fw_dmsk.s_addr);
    r.dst = ntohl(fw.fw_dst.s_addr) & r.dst_mask;
    r.mark = fw.fw_mark;
    r.proto = fw.fw_proto;
    r.flags = fw.fw_flg;
    r.invflags = fw.fw_invflg & model::kInvMask;
    r.sport = {fw.fw_spts[0], fw.fw_spts[1]};
    r.dport = {fw.fw_dpts[0], fw.fw_dpts[1]};
    r.redirect_port = fw.fw_redirpt;
    r.output_size = fw.fw_outputsize;
    r.iface.assign(fw.fw_vianame, strnlen(fw.fw_vianame, sizeof fw.fw_vianame));
    if (r.iface.empty()) r.flags |= model::kFlagWildIf;
    // Kept exactly: a zero-filled struct (the HOWTO's) has tos_and 0 and clears TOS.
    r.tos_and = fw.fw_tosand;
    r.tos_xor = fw.fw_tosxor;

    const std::string target = label_name(user.label);
    r.target = model::target_kind_from_label(target);
    if (r.target == model::TargetKind::Chain) r.target_chain = target;
    // DECISION (docs/reference/firewall-api.md 9): nothing can be bound usefully to divert port 0.
    if (r.target == model::TargetKind::Divert && r.redirect_port == 0) return invalid;
    return r;
}

}  // namespace divert::fwapi
