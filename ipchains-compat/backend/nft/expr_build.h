// The nftables expression vocabulary the serializers speak: one helper per expression kind,
// each appending to a rule. Data arguments are raw register bytes (network order for payload
// fields, host order for meta values), so byte order is decided by the caller, once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <linux/netfilter/nf_tables.h>

struct nftnl_rule;

namespace ipchains::backend::nft::expr {

// Every match works in one register: rules are short and never need two values at once. A
// rule run's concatenated key is the exception: its fields load into consecutive 32-bit
// registers from kReg on (concat_register).
constexpr uint32_t kReg = NFT_REG_1;
// The register of byte `offset` of a concatenation that starts in kReg.
constexpr uint32_t concat_register(uint32_t offset) { return NFT_REG32_00 + offset / 4; }

void payload_load(nftnl_rule* r, uint32_t base, uint32_t offset, uint32_t len,
                  uint32_t dreg = kReg);
void payload_write(nftnl_rule* r, uint32_t base, uint32_t offset, uint32_t len,
                   uint32_t csum_type, uint32_t csum_offset);
void meta_load(nftnl_rule* r, uint32_t key, uint32_t dreg = kReg);
void meta_store(nftnl_rule* r, uint32_t key);
// Conntrack keys of the packet's connection (NFT_CT_*), original-direction values.
void ct_load(nftnl_rule* r, uint32_t key);
void ct_store(nftnl_rule* r, uint32_t key);
void cmp(nftnl_rule* r, uint32_t op, const void* data, uint32_t len);
void range(nftnl_rule* r, uint32_t op, const void* from, const void* to, uint32_t len);
void bitwise(nftnl_rule* r, uint32_t len, const void* mask, const void* xor_value);
void immediate_data(nftnl_rule* r, uint32_t dreg, const void* data, uint32_t len);
void immediate_verdict(nftnl_rule* r, int verdict, const std::string& chain = {});
void counter(nftnl_rule* r, uint64_t packets, uint64_t bytes);
// Matches when the register's value is an element of the named set; with `verdict`, the set
// is a verdict map and the element's verdict becomes the rule's.
void lookup(nftnl_rule* r, const std::string& set, bool verdict = false);
void objref_counter(nftnl_rule* r, const std::string& name);
void log_prefix(nftnl_rule* r, const std::string& prefix);
void log_group(nftnl_rule* r, uint16_t group, uint32_t snaplen, const std::string& prefix);
void queue(nftnl_rule* r, uint16_t num, uint16_t flags);
void xt_target(nftnl_rule* r, const char* name, uint32_t revision, const void* info,
               size_t len);
void reject_icmp(nftnl_rule* r, uint8_t code);
void masq(nftnl_rule* r);
void redir(nftnl_rule* r, bool with_port_reg);

}  // namespace ipchains::backend::nft::expr
