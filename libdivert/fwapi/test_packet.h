// IP_FW_CHECK: struct ip_fwpkt -> engine::TestPacket, and the verdict -> errno table of
// docs/reference/firewall-api.md section 8.
#pragma once

#include <linux/ip_fw.h>

#include "engine/engine.h"

namespace divert::fwapi {

// The fields 2.2's ip_fw_check read (ports and SYN only from a first fragment).
ipchains::engine::TestPacket test_packet_from_fwpkt(const struct ip_fwpkt& pkt);

// 2.2 denied a TCP fragment at offset 1 before walking any chain (it could overwrite the
// ports of the first fragment).
bool is_tcp_offset_one(const struct ip_fwpkt& pkt);

// 0 for accepted, else the errno setsockopt fails with.
int check_verdict_errno(ipchains::engine::CheckVerdict v);

}  // namespace divert::fwapi
