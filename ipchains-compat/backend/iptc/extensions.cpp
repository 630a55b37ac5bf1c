#include "backend/iptc/extensions.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_DSCP.h>
#include <linux/netfilter/xt_LOG.h>
#include <linux/netfilter/xt_NFLOG.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_connmark.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter/xt_u32.h>
#include <linux/netfilter_ipv4/ipt_LOG.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>

namespace ipchains::backend::iptc::xt {

namespace {

template <typename T>
Extension make(const char* name, uint8_t revision, const T& info)
{
    Extension x;
    x.name = name;
    x.revision = revision;
    x.data.resize(sizeof(T));
    std::memcpy(x.data.data(), &info, sizeof(T));
    return x;
}

// Copies `s` into a fixed NUL-terminated field, cutting it when it does not fit.
template <size_t N>
void put_text(char (&field)[N], const std::string& s)
{
    std::memset(field, 0, N);
    std::memcpy(field, s.data(), std::min(s.size(), N - 1));
}

}  // namespace

Extension comment(const std::string& text)
{
    xt_comment_info info{};
    put_text(info.comment, text);
    return make("comment", 0, info);
}

namespace {
// xt_tcp and xt_udp lay out their port ranges and inversion flags alike.
template <typename Info>
void set_ports(Info& info, const PortMatch& p, uint8_t inv_src, uint8_t inv_dst)
{
    info.spts[0] = p.sport[0];
    info.spts[1] = p.sport[1];
    info.dpts[0] = p.dport[0];
    info.dpts[1] = p.dport[1];
    if (p.sport_neg) info.invflags |= inv_src;
    if (p.dport_neg) info.invflags |= inv_dst;
}
}  // namespace

Extension tcp(const PortMatch& p, bool syn_test, bool syn_negate)
{
    xt_tcp info{};
    set_ports(info, p, XT_TCP_INV_SRCPT, XT_TCP_INV_DSTPT);
    if (syn_test) {
        // ipchains -y: SYN set, ACK and RST clear (iptables --syn).
        info.flg_mask = 0x02 | 0x10 | 0x04;
        info.flg_cmp = 0x02;
        if (syn_negate) info.invflags |= XT_TCP_INV_FLAGS;
    }
    return make("tcp", 0, info);
}

Extension udp(const PortMatch& p)
{
    xt_udp info{};
    set_ports(info, p, XT_UDP_INV_SRCPT, XT_UDP_INV_DSTPT);
    return make("udp", 0, info);
}

Extension icmp(uint8_t type, uint8_t code_lo, uint8_t code_hi, bool negate)
{
    ipt_icmp info{};
    info.type = type;
    info.code[0] = code_lo;
    info.code[1] = code_hi;
    info.invflags = negate ? IPT_ICMP_INV : 0;
    return make("icmp", 0, info);
}

Extension u32_icmp(bool code, uint8_t lo, uint8_t hi, bool negate)
{
    // "0>>22&0x3C@0>>24" (type) or "0>>22&0x3C@0>>16&0xFF" (code): skip the IP header by
    // its IHL, then read the first ICMP word.
    xt_u32 info{};
    xt_u32_test& t = info.tests[0];
    uint8_t n = 0;
    t.location[n++] = {0, XT_U32_AND};
    t.location[n++] = {22, XT_U32_RIGHTSH};
    t.location[n++] = {0x3C, XT_U32_AND};
    t.location[n++] = {0, XT_U32_AT};
    if (code) {
        t.location[n++] = {16, XT_U32_RIGHTSH};
        t.location[n++] = {0xFF, XT_U32_AND};
    } else {
        t.location[n++] = {24, XT_U32_RIGHTSH};
    }
    t.nnums = n;
    t.value[0] = {lo, hi};
    t.nvalues = 1;
    info.ntests = 1;
    info.invert = negate ? 1 : 0;
    return make("u32", 0, info);
}

Extension mark(uint32_t value, uint32_t mask, bool negate)
{
    xt_mark_mtinfo1 info{};
    info.mark = value;
    info.mask = mask;
    info.invert = negate ? 1 : 0;
    return make("mark", 1, info);
}

Extension conntrack_reply()
{
    // The kernel tests "direction is ORIGINAL" and the invert flag turns it into REPLY, which
    // is how iptables encodes --ctdir REPLY.
    xt_conntrack_mtinfo3 info{};
    info.match_flags = XT_CONNTRACK_DIRECTION;
    info.invert_flags = XT_CONNTRACK_DIRECTION;
    return make("conntrack", 3, info);
}

Extension connmark(uint32_t value, uint32_t mask)
{
    xt_connmark_mtinfo1 info{};
    info.mark = value & mask;
    info.mask = mask;
    return make("connmark", 1, info);
}

Extension log(const std::string& prefix)
{
    ipt_log_info info{};
    info.level = 4;  // warning: nft's default level, and 2.2's KERN_INFO was never configurable
    put_text(info.prefix, prefix);
    return make("LOG", 0, info);
}

Extension nflog(uint16_t group, uint32_t snaplen, const std::string& prefix)
{
    xt_nflog_info info{};
    info.group = group;
    if (snaplen != 0) {
        info.len = snaplen;
        info.flags = XT_NFLOG_F_COPY_LEN;
    }
    put_text(info.prefix, prefix);
    return make("NFLOG", 0, info);
}

Extension set_mark(uint32_t and_mask, uint32_t xor_value)
{
    // MARK v2 computes (mark & ~mask) ^ value.
    xt_mark_tginfo2 info{};
    info.mark = xor_value;
    info.mask = ~and_mask;
    return make("MARK", 2, info);
}

Extension set_ct_mark(uint32_t and_mask, uint32_t xor_value)
{
    // CONNMARK v1 --set-xmark computes (ctmark & ~ctmask) ^ ctmark-value.
    xt_connmark_tginfo1 info{};
    info.ctmark = xor_value;
    info.ctmask = ~and_mask;
    info.mode = XT_CONNMARK_SET;
    return make("CONNMARK", 1, info);
}

Extension set_tos(uint8_t and_mask, uint8_t xor_value)
{
    // TOS v1 computes (tos & ~mask) ^ value and fixes the IP checksum.
    xt_tos_target_info info{};
    info.tos_value = xor_value;
    info.tos_mask = static_cast<uint8_t>(~and_mask);
    return make("TOS", 1, info);
}

Extension nfqueue(uint16_t num, bool bypass)
{
    xt_NFQ_info_v3 info{};
    info.queuenum = num;
    info.queues_total = 1;
    info.flags = bypass ? NFQ_FLAG_BYPASS : 0;
    return make("NFQUEUE", 3, info);
}

Extension reject(bool host_unreachable)
{
    ipt_reject_info info{};
    info.with = host_unreachable ? IPT_ICMP_HOST_UNREACHABLE : IPT_ICMP_PORT_UNREACHABLE;
    return make("REJECT", 0, info);
}

Extension masquerade()
{
    nf_nat_ipv4_multi_range_compat info{};
    info.rangesize = 1;
    return make("MASQUERADE", 0, info);
}

Extension redirect(uint16_t port)
{
    nf_nat_ipv4_multi_range_compat info{};
    info.rangesize = 1;
    if (port != 0) {
        info.range[0].flags = NF_NAT_RANGE_PROTO_SPECIFIED;
        info.range[0].min.all = htons(port);
        info.range[0].max.all = htons(port);
    }
    return make("REDIRECT", 0, info);
}

}  // namespace ipchains::backend::iptc::xt
