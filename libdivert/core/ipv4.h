// IPv4 header work done on the way in and out: what the 2.2 raw-output path fixed in a written
// packet (header checksum, zero ID, total length), finishing a partial TCP/UDP checksum that
// an offloading stack left behind, and a cheap content hash for "was it changed?" (used for
// packets held so long that the socket's copy of them was overwritten, see packet_copies.h).
#pragma once

#include <cstddef>
#include <cstdint>

namespace divert::ipv4 {

constexpr size_t kMinHeader = 20;
constexpr size_t kMaxPacket = 65535;

// Ones'-complement sum helpers (network byte order data).
uint32_t sum16(const void* data, size_t len, uint32_t acc = 0);
uint16_t fold(uint32_t acc);

// 0 when the buffer starts with a usable IPv4 header (version 4, IHL >= 5, header inside
// len), else EINVAL.
int check_header(const uint8_t* pkt, size_t len);

// Sets tot_len = len, fills a zero ID with next_id, recomputes the header checksum.
// hdr must hold the whole IP header (IHL * 4 bytes).
void fix_header(uint8_t* hdr, size_t len, uint16_t next_id);

// Completes the TCP/UDP checksum of an unfragmented packet whose checksum field holds only the
// pseudo-header seed (NFQA_SKB_CSUMNOTREADY). Other packets are left alone.
void finish_l4_checksum(uint8_t* pkt, size_t len);

uint64_t content_hash(const void* data, size_t len);

}  // namespace divert::ipv4
