// What the kernel holds for our table, as plain values (backend/common/kernel_state.h): the
// inputs of read (backend/common/read_model.h) and of the append fast path. Only our table's
// objects are returned; the kernel filters by table where the message type allows it.
#pragma once

#include <cstdint>

#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backend/common/kernel_state.h"
#include "backend/nft/netlink.h"
#include "core/result.h"

struct nftnl_set;

namespace ipchains::backend::nft {

// Userdata comments (NFTNL_UDATA_CHAIN_COMMENT, NFTNL_UDATA_RULE_COMMENT) become the comments.
using common::KernelChain;
using common::KernelCounter;
using common::KernelRule;
using common::KernelState;

// Every request names the table's family: NFPROTO_IPV4 for `ip ipchains`, NFPROTO_IPV6 for the
// ipfw ip6 rules' `ip6 ipchains` (docs/ipfw.md "IPv6").

// A dump request: its header and a table, chain or set name fit in 1 KiB.
struct RequestBuf {
    alignas(nlmsghdr) char bytes[1024];
};
// The rules of the table, or of one chain when `chain` is not empty, and the elements of one
// set. With reset the kernel zeroes the counters it returns (NFT_MSG_GETRULE_RESET,
// NFT_MSG_GETSETELEM_RESET).
nlmsghdr* rules_request(RequestBuf& buf, const std::string& table, const std::string& chain,
                        bool reset, uint8_t family);
nlmsghdr* set_elements_request(RequestBuf& buf, const std::string& table, const std::string& set,
                               bool reset, uint8_t family);

// One dumped (or batched) message as a plain value; false when it is not for `table`.
bool chain_from_msg(const nlmsghdr* nlh, const std::string& table, KernelChain& out);
bool rule_from_msg(const nlmsghdr* nlh, const std::string& table, KernelRule& out);
bool counter_from_msg(const nlmsghdr* nlh, const std::string& table, KernelCounter& out);

// The ruleset generation: every committed transaction (anyone's) moves it on.
Result<uint32_t> get_generation(Netlink& nl);

// Table comment when the table exists, nullopt when it does not (ENOENT).
Result<std::optional<std::string>> get_table(Netlink& nl, const std::string& table,
                                             uint8_t family = NFPROTO_IPV4);
// Chains of the table in the kernel's order (creation order).
Result<std::vector<KernelChain>> dump_chains(Netlink& nl, const std::string& table,
                                             uint8_t family = NFPROTO_IPV4);
// Rules of the table, chain by chain in kernel order. With reset, counters are read and
// zeroed in the same step per rule (NFT_MSG_GETRULE_RESET). A rule run's lookup rule comes
// back as its members, one KernelRule per set element (save line and counter of the element),
// in run order, so readers see the table as if it were linear (compile/runs.h).
Result<std::vector<KernelRule>> dump_rules(Netlink& nl, const std::string& table, bool reset,
                                          uint8_t family = NFPROTO_IPV4);
// Whether one nft chain of the `ip` table holds a rule (a dump of that chain's rules only).
Result<bool> chain_has_rules(Netlink& nl, const std::string& table, const std::string& chain);
// Zeroes the counters of every rule in one nft chain (NFT_MSG_GETRULE_RESET restricted to the
// chain), and those of its runs' elements (NFT_MSG_GETSETELEM_RESET). Kernels before 6.2
// (6.5 for elements) lack the message and answer EINVAL or EOPNOTSUPP.
Result<void> reset_rule_counters(Netlink& nl, const std::string& table, const std::string& chain,
                                 uint8_t family = NFPROTO_IPV4);
bool reset_unsupported(const Error& e);
// Whether the kernel resets counters in place: rule counters (NFT_MSG_GETRULE_RESET, 6.2+) and
// set element counters (NFT_MSG_GETSETELEM_RESET, 6.5+). Asks for a reset dump of a chain and a
// set that cannot exist in `table`: a kernel with the message finds nothing (or answers ENOENT),
// one without refuses the message type (reset_unsupported). Nothing is reset.
Result<bool> probe_counter_reset(Netlink& nl, const std::string& table);

// Names of the table's sets (rule runs, compile/runs.h); with `sizes`, also the size each was
// created with (NFTA_SET_DESC_SIZE), 0 when none.
Result<std::vector<std::string>> dump_set_names(Netlink& nl, const std::string& table,
                                                uint8_t family = NFPROTO_IPV4,
                                                std::map<std::string, uint32_t>* sizes = nullptr);

// The size one of the table's sets was created with (NFTA_SET_DESC_SIZE), 0 when none.
Result<uint32_t> get_set_size(Netlink& nl, const std::string& table, const std::string& set,
                              uint8_t family = NFPROTO_IPV4);

// Whether the set that `element` names (make_set_elements, one element, KeysOnly) holds an
// element of exactly that key: one NFT_MSG_GETSETELEM, not a dump.
Result<bool> has_element(Netlink& nl, const nftnl_set* element, uint8_t family = NFPROTO_IPV4);

Result<std::vector<KernelCounter>> dump_counters(Netlink& nl, const std::string& table,
                                                uint8_t family = NFPROTO_IPV4);

}  // namespace ipchains::backend::nft
