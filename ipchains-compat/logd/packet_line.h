// 2.2's "Packet log:" line for one packet that a -l rule copied to NFLOG (pure function, no I/O).
// The text is what ip_fw.c's dump_packet() printed (docs/differences.md 3.1):
//   Packet log: <chain> <target>[ <port>] <if> PROTO=<p> <src>:<sport> <dst>:<dport>
//     L=<len> S=0x<tos> I=<id> F=0x<frag> T=<ttl>[ O=0x<option word>...] [SYN ](#<rule>)
// An IPv6 packet (an ipfw ip6 rule's; 2.2 logged none, the shape is ours, ipchains-logd(8)):
//   Packet log: <chain> <target>[ <port>] <if> PROTO=<upper-layer> [<src6>]:<sport>
//     [<dst6>]:<dport> L=<payload+40> S=0x<traffic class> T=<hop limit> [SYN ](#<rule>)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace ipchains::logd {

// `prefix` is the rule's NFLOG prefix, "<chain> <target>[ <port>] #<N>"
// (compile::packet_log_prefix); `ifname` the interface 2.2 printed (the outgoing one when the
// packet has one, else the incoming one); `ip`/`len` the copied packet from its IP header on
// (possibly cut at the rule's snaplen). nullopt when the prefix is not one of ours or the copy
// does not hold a whole IPv4 or IPv6 header.
std::optional<std::string> packet_log_line(const std::string& prefix, const std::string& ifname,
                                           const uint8_t* ip, size_t len);

}  // namespace ipchains::logd
