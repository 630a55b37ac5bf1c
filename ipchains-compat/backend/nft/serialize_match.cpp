// ir::Match -> expressions, the way nft itself linearizes the same match, so that
// `nft list ruleset` reads back as the intended rule.
#include <arpa/inet.h>
#include <net/if.h>

#include <cstring>
#include <algorithm>
#include <variant>

#include <linux/netfilter/nf_tables.h>

#include "backend/nft/expr_build.h"
#include "backend/nft/serialize.h"

namespace ipchains::backend::nft {

namespace {

constexpr uint32_t kIpSaddrOffset = 12;
constexpr uint32_t kIpDaddrOffset = 16;
constexpr uint32_t kIpProtocolOffset = 9;
constexpr uint32_t kIpFragOffOffset = 6;
constexpr uint32_t kThSportOffset = 0;
constexpr uint32_t kThDportOffset = 2;
constexpr uint32_t kTcpFlagsOffset = 13;
constexpr uint8_t kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;

uint32_t eq_op(bool negate) { return negate ? NFT_CMP_NEQ : NFT_CMP_EQ; }

void match(nftnl_rule* r, const ir::IfName& m)
{
    expr::meta_load(r, m.input ? NFT_META_IIFNAME : NFT_META_OIFNAME);
    char name[IFNAMSIZ] = {};
    size_t len = std::min(m.name.size(), sizeof(name) - 1);
    memcpy(name, m.name.data(), len);
    // A prefix compares only the name's bytes (nft prints it as "ppp*"); an exact name
    // compares the whole NUL-padded field.
    expr::cmp(r, eq_op(m.negate), name, m.prefix ? static_cast<uint32_t>(len) : IFNAMSIZ);
}

void match(nftnl_rule* r, const ir::Addr& m)
{
    expr::payload_load(r, NFT_PAYLOAD_NETWORK_HEADER,
                       m.source ? kIpSaddrOffset : kIpDaddrOffset, 4);
    uint32_t mask = htonl(m.mask);
    uint32_t value = htonl(m.addr & m.mask);
    if (m.mask != 0xFFFFFFFFu) {
        uint32_t zero = 0;
        expr::bitwise(r, 4, &mask, &zero);
    }
    expr::cmp(r, eq_op(m.negate), &value, 4);
}

// IPv6 table only (docs/ipfw.md "IPv6"): saddr at 8, daddr at 24, 16 bytes.
void match(nftnl_rule* r, const ir::Addr6& m)
{
    expr::payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, m.source ? 8 : 24, 16);
    if (m.len < 128) {
        uint8_t mask[16] = {}, zero[16] = {};
        for (int i = 0; i < 16; ++i) {
            const int bits = m.len - i * 8;
            mask[i] = bits >= 8 ? 0xFF : bits <= 0 ? 0 : static_cast<uint8_t>(0xFF << (8 - bits));
        }
        expr::bitwise(r, 16, mask, zero);
    }
    expr::cmp(r, eq_op(m.negate), m.addr.data(), 16);
}

// Each field loads into its place of the concatenation (4-byte aligned, as the set's key is
// laid out: serialize_set.cpp); one field is a plain load into kReg.
void match(nftnl_rule* r, const ir::SetLookup& m)
{
    uint32_t offset = 0;
    for (ir::SetField f : m.fields) {
        uint32_t reg = m.fields.size() == 1 ? expr::kReg : expr::concat_register(offset);
        FieldLoad load = field_load(f);
        if (load.meta)
            expr::meta_load(r, load.meta_key, reg);
        else
            expr::payload_load(r, load.base, load.offset, load.len, reg);
        offset += set_field_length(f);
    }
    expr::lookup(r, m.set, m.vmap);
}

void match(nftnl_rule* r, const ir::Proto& m)
{
    if (m.l4proto)
        expr::meta_load(r, NFT_META_L4PROTO);
    else
        expr::payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, kIpProtocolOffset, 1);
    expr::cmp(r, eq_op(m.negate), &m.proto, 1);
}

// A one-value range is a plain comparison; a real one uses the range expression, which
// negates in one step (nft's own "!= lo-hi" form).
template <typename T>
void value_in_range(nftnl_rule* r, T lo, T hi, bool negate)
{
    if (lo == hi) {
        expr::cmp(r, eq_op(negate), &lo, sizeof(T));
    } else {
        expr::range(r, negate ? NFT_RANGE_NEQ : NFT_RANGE_EQ, &lo, &hi, sizeof(T));
    }
}

void match(nftnl_rule* r, const ir::Port& m)
{
    expr::payload_load(r, NFT_PAYLOAD_TRANSPORT_HEADER,
                       m.source ? kThSportOffset : kThDportOffset, 2);
    value_in_range<uint16_t>(r, htons(m.lo), htons(m.hi), m.negate);
}

void match(nftnl_rule* r, const ir::Icmp& m)
{
    expr::payload_load(r, NFT_PAYLOAD_TRANSPORT_HEADER, m.field == ir::Icmp::Type ? 0 : 1, 1);
    value_in_range<uint8_t>(r, m.lo, m.hi, m.negate);
}

void match(nftnl_rule* r, const ir::Fragment& m)
{
    expr::payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, kIpFragOffOffset, 2);
    uint16_t mask = htons(0x1FFF), zero = 0;
    expr::bitwise(r, 2, &mask, &zero);
    // Later fragments have a non-zero offset; `! -f` matches the first fragment and whole
    // datagrams.
    expr::cmp(r, m.negate ? NFT_CMP_EQ : NFT_CMP_NEQ, &zero, 2);
}

void match(nftnl_rule* r, const ir::Syn& m)
{
    expr::payload_load(r, NFT_PAYLOAD_TRANSPORT_HEADER, kTcpFlagsOffset, 1);
    uint8_t mask = kTcpSyn | kTcpAck | kTcpRst, zero = 0, syn = kTcpSyn;
    expr::bitwise(r, 1, &mask, &zero);
    expr::cmp(r, eq_op(m.negate), &syn, 1);
}

void match(nftnl_rule* r, const ir::Mark& m)
{
    expr::meta_load(r, NFT_META_MARK);
    if (m.mask != 0xFFFFFFFFu) {
        uint32_t zero = 0;
        expr::bitwise(r, 4, &m.mask, &zero);
    }
    uint32_t value = m.value & m.mask;
    expr::cmp(r, eq_op(m.negate), &value, 4);
}

void match(nftnl_rule* r, const ir::CtReply& m)
{
    // nft's `ct direction reply`: the direction is one byte, IP_CT_DIR_REPLY = 1.
    const uint8_t reply = 1;
    expr::ct_load(r, NFT_CT_DIRECTION);
    expr::cmp(r, NFT_CMP_EQ, &reply, 1);
    if (m.mask == 0) return;
    expr::ct_load(r, NFT_CT_MARK);
    if (m.mask != 0xFFFFFFFFu) {
        uint32_t zero = 0;
        expr::bitwise(r, 4, &m.mask, &zero);
    }
    uint32_t value = m.value & m.mask;
    expr::cmp(r, NFT_CMP_EQ, &value, 4);
}

}  // namespace

FieldLoad field_load(ir::SetField f)
{
    switch (f) {
    case ir::SetField::SourceAddr: return {false, NFT_PAYLOAD_NETWORK_HEADER, kIpSaddrOffset, 4, 0};
    case ir::SetField::DestAddr: return {false, NFT_PAYLOAD_NETWORK_HEADER, kIpDaddrOffset, 4, 0};
    case ir::SetField::SourcePort:
        return {false, NFT_PAYLOAD_TRANSPORT_HEADER, kThSportOffset, 2, 0};
    case ir::SetField::DestPort:
        return {false, NFT_PAYLOAD_TRANSPORT_HEADER, kThDportOffset, 2, 0};
    case ir::SetField::Proto:
        return {false, NFT_PAYLOAD_NETWORK_HEADER, kIpProtocolOffset, 1, 0};
    case ir::SetField::InIface: return {true, 0, 0, 0, NFT_META_IIFNAME};
    case ir::SetField::OutIface: return {true, 0, 0, 0, NFT_META_OIFNAME};
    }
    return {};
}

void add_match(nftnl_rule* r, const ir::Match& m)
{
    std::visit([r](const auto& v) { match(r, v); }, m);
}

}  // namespace ipchains::backend::nft
