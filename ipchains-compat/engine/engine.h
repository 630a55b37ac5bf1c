// 2.2 firewall semantics on an in-memory ruleset: what ip_fw.c's ip_fw_ctl did, with the same
// errno values, and what ip_fw_check did for -C. Used by the ipchains command, restore and
// libdivert's IP_FW_* setsockopt emulation, so there is one implementation of the rules.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "model/change.h"
#include "model/command.h"
#include "model/ruleset.h"

namespace ipchains::engine {

// Applies a modifying command (Append, Insert, Replace, DeleteSpec, DeleteNum, Flush, Zero,
// NewChain, DeleteChain, SetPolicy, SetPassthrough, ListZero's zeroing) to `rs`.
// On failure `rs` is unchanged and the Error carries the errno of docs/reference/firewall-api.md
// section 5 and the ipchains message of docs/reference/ipchains-commands.md section 8.2 for that
// (operation, errno).
Result<void> apply(model::Ruleset& rs, const model::Command& cmd);

// The commands applied in order to `before` (a snapshot's ruleset), as one change: all apply or
// none, and an error carries the index of the failing command in Error::line (1-based). The
// change also names the chains whose counters -Z reset (model/change.h).
Result<model::Change> make_change(const model::Ruleset& before,
                                  const std::vector<model::Command>& cmds);
// Nothing for the kernel to do: same ruleset, no counter reset.
bool changes_nothing(const model::Ruleset& before, const model::Change& change);

// The rules of an Append as apply() would store them (validated and normalized the same way,
// failing with the same Error), for a backend that appends without reading the ruleset (the
// fast path). Only for rules whose target names no chain: those need the ruleset to check.
Result<std::vector<model::Rule>> validate_append(const model::Command& cmd);

// Verdict of a -C test packet, walked through the chain with 2.2's ip_fw_check rules.
enum class CheckVerdict { Accepted, Denied, Rejected, Masqueraded, Redirected, Diverted,
                          CaughtInLoop, PassedThrough };
const char* check_verdict_text(CheckVerdict v);  // "accepted", ... "diverted"

struct TestPacket {
    uint32_t src = 0, dst = 0;      // host order
    uint8_t proto = 0;
    uint16_t sport = 0, dport = 0;  // ICMP: type, code
    bool syn = false;               // SYN set, ACK/RST clear
    bool fragment = false;          // non-zero fragment offset
    std::string iface;
};

// Runs `pkt` from `chain`. ENOENT if the chain does not exist.
Result<CheckVerdict> check(const model::Ruleset& rs, const std::string& chain,
                           const TestPacket& pkt);

// One rule's match test of ip_rule_match (docs/reference/ipchains-commands.md section 10.1),
// without side effects. compile/ must give the kernel the same meaning; tests hold the two
// together.
bool matches(const model::Rule& r, const TestPacket& pkt);

// The packet(s) -C tests for one rule of the command (with -b, also the reversed one).
TestPacket test_packet_from_rule(const model::Rule& r);

// Exact text for a kernel-side failure of `op` with errno `err` (libipfwc ipfwc_strerror).
std::string kernel_error_text(model::Op op, int err, model::TargetKind target);

}  // namespace ipchains::engine
