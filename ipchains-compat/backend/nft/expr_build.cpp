#include "backend/nft/expr_build.h"

#include <cstdlib>
#include <cstring>

#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

namespace ipchains::backend::nft::expr {

namespace {
// nftnl_expr_alloc only fails on out-of-memory; libnftnl itself treats that as fatal in its
// builders, and a half-built rule would be worse than the allocator's own failure.
nftnl_expr* add(nftnl_rule* r, const char* name)
{
    nftnl_expr* e = nftnl_expr_alloc(name);
    nftnl_rule_add_expr(r, e);
    return e;
}
}  // namespace

void payload_load(nftnl_rule* r, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg)
{
    nftnl_expr* e = add(r, "payload");
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
}

void payload_write(nftnl_rule* r, uint32_t base, uint32_t offset, uint32_t len,
                   uint32_t csum_type, uint32_t csum_offset)
{
    nftnl_expr* e = add(r, "payload");
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_SREG, kReg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_CSUM_TYPE, csum_type);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET, csum_offset);
}

namespace {
// meta and ct expressions differ only in their attribute numbers: a key, and a register that
// is either loaded (dreg) or stored (sreg).
void keyed(nftnl_rule* r, const char* name, uint16_t key_attr, uint16_t reg_attr, uint32_t key,
           uint32_t reg = kReg)
{
    nftnl_expr* e = add(r, name);
    nftnl_expr_set_u32(e, key_attr, key);
    nftnl_expr_set_u32(e, reg_attr, reg);
}
}  // namespace

void meta_load(nftnl_rule* r, uint32_t key, uint32_t dreg)
{
    keyed(r, "meta", NFTNL_EXPR_META_KEY, NFTNL_EXPR_META_DREG, key, dreg);
}

void meta_store(nftnl_rule* r, uint32_t key)
{
    keyed(r, "meta", NFTNL_EXPR_META_KEY, NFTNL_EXPR_META_SREG, key);
}

void ct_load(nftnl_rule* r, uint32_t key)
{
    keyed(r, "ct", NFTNL_EXPR_CT_KEY, NFTNL_EXPR_CT_DREG, key);
}

void ct_store(nftnl_rule* r, uint32_t key)
{
    keyed(r, "ct", NFTNL_EXPR_CT_KEY, NFTNL_EXPR_CT_SREG, key);
}

void cmp(nftnl_rule* r, uint32_t op, const void* data, uint32_t len)
{
    nftnl_expr* e = add(r, "cmp");
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, kReg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
    nftnl_expr_set_data(e, NFTNL_EXPR_CMP_DATA, data, len);
}

void range(nftnl_rule* r, uint32_t op, const void* from, const void* to, uint32_t len)
{
    nftnl_expr* e = add(r, "range");
    nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, kReg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, op);
    nftnl_expr_set_data(e, NFTNL_EXPR_RANGE_FROM_DATA, from, len);
    nftnl_expr_set_data(e, NFTNL_EXPR_RANGE_TO_DATA, to, len);
}

void bitwise(nftnl_rule* r, uint32_t len, const void* mask, const void* xor_value)
{
    nftnl_expr* e = add(r, "bitwise");
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, kReg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, kReg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
    nftnl_expr_set_data(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
    nftnl_expr_set_data(e, NFTNL_EXPR_BITWISE_XOR, xor_value, len);
}

void immediate_data(nftnl_rule* r, uint32_t dreg, const void* data, uint32_t len)
{
    nftnl_expr* e = add(r, "immediate");
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, dreg);
    nftnl_expr_set_data(e, NFTNL_EXPR_IMM_DATA, data, len);
}

void immediate_verdict(nftnl_rule* r, int verdict, const std::string& chain)
{
    nftnl_expr* e = add(r, "immediate");
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
    nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, static_cast<uint32_t>(verdict));
    if (!chain.empty()) nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain.c_str());
}

void counter(nftnl_rule* r, uint64_t packets, uint64_t bytes)
{
    nftnl_expr* e = add(r, "counter");
    nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, packets);
    nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, bytes);
}

void lookup(nftnl_rule* r, const std::string& set, bool verdict)
{
    nftnl_expr* e = add(r, "lookup");
    nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, kReg);
    nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set.c_str());
    if (verdict) nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
}

void objref_counter(nftnl_rule* r, const std::string& name)
{
    nftnl_expr* e = add(r, "objref");
    nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
    nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, name.c_str());
}

void log_prefix(nftnl_rule* r, const std::string& prefix)
{
    nftnl_expr* e = add(r, "log");
    if (!prefix.empty()) nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix.c_str());
}

void log_group(nftnl_rule* r, uint16_t group, uint32_t snaplen, const std::string& prefix)
{
    nftnl_expr* e = add(r, "log");
    nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, group);
    if (snaplen != 0) nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_SNAPLEN, snaplen);
    if (!prefix.empty()) nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix.c_str());
}

void queue(nftnl_rule* r, uint16_t num, uint16_t flags)
{
    nftnl_expr* e = add(r, "queue");
    nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, num);
    nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, 1);
    if (flags != 0) nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_FLAGS, flags);
}

void xt_target(nftnl_rule* r, const char* name, uint32_t revision, const void* info, size_t len)
{
    nftnl_expr* e = add(r, "target");
    nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, name);
    nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, revision);
    // libnftnl keeps the pointer and frees it with the expression.
    void* copy = malloc(len);
    memcpy(copy, info, len);
    nftnl_expr_set_data(e, NFTNL_EXPR_TG_INFO, copy, static_cast<uint32_t>(len));
}

void reject_icmp(nftnl_rule* r, uint8_t code)
{
    nftnl_expr* e = add(r, "reject");
    nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMP_UNREACH);
    nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, code);
}

void masq(nftnl_rule* r)
{
    add(r, "masq");
}

void redir(nftnl_rule* r, bool with_port_reg)
{
    nftnl_expr* e = add(r, "redir");
    if (with_port_reg) {
        nftnl_expr_set_u32(e, NFTNL_EXPR_REDIR_REG_PROTO_MIN, kReg);
        nftnl_expr_set_u32(e, NFTNL_EXPR_REDIR_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
    }
}

}  // namespace ipchains::backend::nft::expr
