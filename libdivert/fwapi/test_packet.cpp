#include "fwapi/test_packet.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>

namespace divert::fwapi {

namespace engine = ipchains::engine;

namespace {

unsigned fragment_offset(const struct iphdr& iph)
{
    return ntohs(iph.frag_off) & 0x1FFF;
}

}  // namespace

engine::TestPacket test_packet_from_fwpkt(const struct ip_fwpkt& pkt)
{
    engine::TestPacket t;
    const struct iphdr& iph = pkt.fwp_iph;
    t.src = ntohl(iph.saddr);
    t.dst = ntohl(iph.daddr);
    t.proto = iph.protocol;
    t.fragment = fragment_offset(iph) != 0;
    t.iface.assign(pkt.fwp_vianame, strnlen(pkt.fwp_vianame, sizeof pkt.fwp_vianame));
    if (t.fragment) return t;
    switch (iph.protocol) {
    case IPPROTO_TCP: {
        const struct tcphdr& tcp = pkt.fwp_protoh.fwp_tcph;
        t.sport = ntohs(tcp.source);
        t.dport = ntohs(tcp.dest);
        t.syn = tcp.syn && !tcp.ack && !tcp.rst;
        break;
    }
    case IPPROTO_UDP:
        t.sport = ntohs(pkt.fwp_protoh.fwp_udph.source);
        t.dport = ntohs(pkt.fwp_protoh.fwp_udph.dest);
        break;
    case IPPROTO_ICMP:
        t.sport = pkt.fwp_protoh.fwp_icmph.type;
        t.dport = pkt.fwp_protoh.fwp_icmph.code;
        break;
    default:
        break;
    }
    return t;
}

bool is_tcp_offset_one(const struct ip_fwpkt& pkt)
{
    return pkt.fwp_iph.protocol == IPPROTO_TCP && fragment_offset(pkt.fwp_iph) == 1;
}

int check_verdict_errno(engine::CheckVerdict v)
{
    using V = engine::CheckVerdict;
    switch (v) {
    case V::Accepted: return 0;
    case V::Redirected: return ECONNABORTED;
    case V::Masqueraded: return ECONNRESET;
    case V::Rejected: return ECONNREFUSED;
    case V::CaughtInLoop: return ELOOP;
    case V::PassedThrough: return ENFILE;
    case V::Diverted: return IP_FW_CHECK_DIVERTED_ERRNO;
    case V::Denied: return ETIMEDOUT;
    }
    return ETIMEDOUT;  // 2.2: any other verdict reads as "denied"
}

}  // namespace divert::fwapi
