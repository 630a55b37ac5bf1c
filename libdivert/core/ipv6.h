// IPv6 packets on a divert socket (docs/divert.7 "IPv6"): the fixes a written IPv6 packet
// needs. There is no header checksum; the payload length is set from the bytes written, and
// the TCP/UDP/ICMPv6 checksum (over the pseudo-header) is recomputed for a packet the program
// changed or made, and finished for one an offloading stack left partial.
#pragma once

#include <cstddef>
#include <cstdint>

namespace divert::ipv6 {

constexpr size_t kHeader = 40;

// True when the buffer holds an IPv6 packet (version nibble 6).
inline bool is_v6(const uint8_t* pkt, size_t len) { return len >= 1 && (pkt[0] >> 4) == 6; }

// 0 when the buffer starts with a whole IPv6 header and fits the 16-bit payload length,
// else EINVAL.
int check_header(const uint8_t* pkt, size_t len);

// payload_len = len - 40, then the TCP/UDP/ICMPv6 checksum recomputed when the upper-layer
// header is found (after hop-by-hop, routing and destination options headers; not in a
// fragment). pkt is writable and holds len bytes.
void fix_packet(uint8_t* pkt, size_t len);

// The upper-layer checksum alone (NFQA_SKB_CSUMNOTREADY on receive).
void finish_l4_checksum(uint8_t* pkt, size_t len);

}  // namespace divert::ipv6
