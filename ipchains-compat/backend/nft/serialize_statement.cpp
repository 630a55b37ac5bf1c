// ir::Statement -> expressions. Queue has two encodings (QueueImpl): the native nft `queue`
// expression, or xt NFQUEUE revision 3 through nft_compat where the kernel lacks nft_queue.
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

#include <variant>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>

#include "backend/nft/expr_build.h"
#include "backend/nft/serialize.h"

namespace ipchains::backend::nft {

namespace {

constexpr uint32_t kIpChecksumOffset = 10;

void statement(nftnl_rule* r, const ir::Counter& s, QueueImpl)
{
    expr::counter(r, s.packets, s.bytes);
}

void statement(nftnl_rule* r, const ir::NamedCounter& s, QueueImpl)
{
    expr::objref_counter(r, s.name);
}

void statement(nftnl_rule* r, const ir::Log& s, QueueImpl)
{
    if (s.group)
        expr::log_group(r, *s.group, s.snaplen, s.prefix);
    else
        expr::log_prefix(r, s.prefix);
}

void statement(nftnl_rule* r, const ir::SetMark& s, QueueImpl)
{
    expr::meta_load(r, NFT_META_MARK);
    expr::bitwise(r, 4, &s.mask, &s.xor_value);
    expr::meta_store(r, NFT_META_MARK);
}

void statement(nftnl_rule* r, const ir::SetCtMark& s, QueueImpl)
{
    expr::ct_load(r, NFT_CT_MARK);
    expr::bitwise(r, 4, &s.mask, &s.xor_value);
    expr::ct_store(r, NFT_CT_MARK);
}

void statement(nftnl_rule* r, const ir::SetTos& s, QueueImpl)
{
    // The kernel folds a rewritten field into the checksum as whole 16-bit words, so the TOS
    // byte is rewritten together with the version/IHL byte in front of it (kept as is), as
    // nft does for `ip dscp set`.
    const uint8_t mask[2] = {0xFF, s.and_mask};
    const uint8_t xor_value[2] = {0x00, s.xor_mask};
    expr::payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, 0, 2);
    expr::bitwise(r, 2, mask, xor_value);
    expr::payload_write(r, NFT_PAYLOAD_NETWORK_HEADER, 0, 2, NFT_PAYLOAD_CSUM_INET,
                        kIpChecksumOffset);
}

void statement(nftnl_rule* r, const ir::Queue& s, QueueImpl impl)
{
    if (impl == QueueImpl::Native) {
        expr::queue(r, s.num, s.bypass ? NFT_QUEUE_FLAG_BYPASS : 0);
        return;
    }
    // Padded to the xtables alignment, as iptables-nft sends it.
    union {
        xt_NFQ_info_v3 info;
        uint64_t align;
    } u{};
    u.info.queuenum = s.num;
    u.info.queues_total = 1;
    u.info.flags = s.bypass ? NFQ_FLAG_BYPASS : 0;
    expr::xt_target(r, "NFQUEUE", 3, &u, sizeof(u));
}

void statement(nftnl_rule* r, const ir::Reject& s, QueueImpl)
{
    // In an ip6 table the reject expression's code is an ICMPv6 destination-unreachable code.
    switch (s.kind) {
    case ir::Reject::PortUnreach: expr::reject_icmp(r, ICMP_PORT_UNREACH); break;
    case ir::Reject::HostUnreach: expr::reject_icmp(r, ICMP_HOST_UNREACH); break;
    case ir::Reject::Port6Unreach: expr::reject_icmp(r, ICMP6_DST_UNREACH_NOPORT); break;
    case ir::Reject::NoRoute6: expr::reject_icmp(r, ICMP6_DST_UNREACH_NOROUTE); break;
    }
}

void statement(nftnl_rule* r, const ir::Masquerade&, QueueImpl)
{
    expr::masq(r);
}

void statement(nftnl_rule* r, const ir::Redirect& s, QueueImpl)
{
    if (s.port == 0) {
        expr::redir(r, false);
        return;
    }
    uint16_t port = htons(s.port);
    expr::immediate_data(r, expr::kReg, &port, sizeof(port));
    expr::redir(r, true);
}

void statement(nftnl_rule* r, const ir::Verdict& s, QueueImpl)
{
    switch (s.kind) {
    case ir::Verdict::Accept: expr::immediate_verdict(r, NF_ACCEPT); break;
    case ir::Verdict::Drop: expr::immediate_verdict(r, NF_DROP); break;
    case ir::Verdict::Return: expr::immediate_verdict(r, NFT_RETURN); break;
    case ir::Verdict::Jump: expr::immediate_verdict(r, NFT_JUMP, s.chain); break;
    case ir::Verdict::Goto: expr::immediate_verdict(r, NFT_GOTO, s.chain); break;
    }
}

}  // namespace

void add_statement(nftnl_rule* r, const ir::Statement& s, QueueImpl queue)
{
    std::visit([r, queue](const auto& v) { statement(r, v, queue); }, s);
}

}  // namespace ipchains::backend::nft
