// The xt extensions the legacy backend uses, each as an Extension value with the info struct
// the kernel module expects (host order converted here and nowhere else).
#pragma once

#include <cstdint>
#include <string>

#include "backend/iptc/entry.h"

namespace ipchains::backend::iptc::xt {

// ---- matches -------------------------------------------------------------------------
Extension comment(const std::string& text);  // at most 255 bytes; longer text is cut
struct PortMatch {
    uint16_t sport[2] = {0, 0xFFFF}, dport[2] = {0, 0xFFFF};
    bool sport_neg = false, dport_neg = false;
};
Extension tcp(const PortMatch& p, bool syn_test, bool syn_negate);
Extension udp(const PortMatch& p);
Extension icmp(uint8_t type, uint8_t code_lo, uint8_t code_hi, bool negate);  // type 0xFF: any
// ICMP type (or code) in [lo, hi] through the u32 match, for what `icmp` cannot say.
Extension u32_icmp(bool code, uint8_t lo, uint8_t hi, bool negate);
Extension mark(uint32_t value, uint32_t mask, bool negate);
// conntrack rev 3 `--ctdir REPLY`: packets of a tracked connection's reply direction.
Extension conntrack_reply();
// connmark rev 1: ct mark & mask == value.
Extension connmark(uint32_t value, uint32_t mask);

// ---- targets -------------------------------------------------------------------------
Extension log(const std::string& prefix);
Extension nflog(uint16_t group, uint32_t snaplen, const std::string& prefix);
Extension set_mark(uint32_t and_mask, uint32_t xor_value);  // mark = (mark & and) ^ xor
Extension set_ct_mark(uint32_t and_mask, uint32_t xor_value);  // CONNMARK: ct = (ct & and) ^ xor
Extension set_tos(uint8_t and_mask, uint8_t xor_value);     // tos = (tos & and) ^ xor
Extension nfqueue(uint16_t num, bool bypass);
Extension reject(bool host_unreachable);
Extension masquerade();
Extension redirect(uint16_t port);  // 0 = keep the port

}  // namespace ipchains::backend::iptc::xt
