// See nflog_reader.h. The nfnetlink_log protocol: NFULNL_MSG_CONFIG binds the group and sets
// the copy mode; each logged packet then arrives as an NFULNL_MSG_PACKET with NFULA_* TLVs.
#include "logd/nflog_reader.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

namespace ipchains::logd {

namespace {

nlmsghdr* config_header(char* buf, uint8_t family, uint16_t res_id, uint32_t seq)
{
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    nlh->nlmsg_seq = seq;
    auto* nfg = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
    nfg->nfgen_family = family;
    nfg->version = NFNETLINK_V0;
    nfg->res_id = htons(res_id);
    return nlh;
}

int attr_cb(const nlattr* attr, void* data)
{
    auto** tb = static_cast<const nlattr**>(data);
    int type = mnl_attr_get_type(attr);
    if (mnl_attr_type_valid(attr, NFULA_MAX) < 0) return MNL_CB_OK;
    tb[type] = attr;
    return MNL_CB_OK;
}

struct PacketCallback {
    const std::function<void(const LoggedPacket&)>* fn;
};

int packet_cb(const nlmsghdr* nlh, void* data)
{
    if ((nlh->nlmsg_type & 0xFF) != NFULNL_MSG_PACKET) return MNL_CB_OK;
    const nlattr* tb[NFULA_MAX + 1] = {};
    mnl_attr_parse(nlh, sizeof(nfgenmsg), attr_cb, tb);
    LoggedPacket p;
    if (tb[NFULA_PREFIX]) {
        const char* s = static_cast<const char*>(mnl_attr_get_payload(tb[NFULA_PREFIX]));
        p.prefix.assign(s, strnlen(s, mnl_attr_get_payload_len(tb[NFULA_PREFIX])));
    }
    if (tb[NFULA_IFINDEX_INDEV]) p.indev = ntohl(mnl_attr_get_u32(tb[NFULA_IFINDEX_INDEV]));
    if (tb[NFULA_IFINDEX_OUTDEV]) p.outdev = ntohl(mnl_attr_get_u32(tb[NFULA_IFINDEX_OUTDEV]));
    if (tb[NFULA_PAYLOAD]) {
        const auto* b = static_cast<const uint8_t*>(mnl_attr_get_payload(tb[NFULA_PAYLOAD]));
        p.packet.assign(b, b + mnl_attr_get_payload_len(tb[NFULA_PAYLOAD]));
    }
    (*static_cast<PacketCallback*>(data)->fn)(p);
    return MNL_CB_OK;
}

}  // namespace

Result<std::unique_ptr<NflogReader>> NflogReader::open(uint16_t group)
{
    mnl_socket* nl = mnl_socket_open(NETLINK_NETFILTER);
    if (nl == nullptr) return Error::kernel(errno, std::string("netlink: ") + strerror(errno));
    if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        int e = errno;
        mnl_socket_close(nl);
        return Error::kernel(e, std::string("netlink: ") + strerror(e));
    }
    std::unique_ptr<NflogReader> r(new NflogReader(nl, group));
    r->buf_.resize(MNL_SOCKET_BUFFER_SIZE > 65536 ? MNL_SOCKET_BUFFER_SIZE : 65536);
    // A bigger receive buffer rides out bursts (ENOBUFS otherwise). Best effort.
    int rcvbuf = 4 << 20;
    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);

    // Kernels before 3.17 want the logger bound to the family; later ones ignore this.
    // IPv6: ipfw ip6 rules log too (ipchains-logd(8) "IPV6").
    for (uint8_t family : {uint8_t{AF_INET}, uint8_t{AF_INET6}})
        r->config(family, 0, [](nlmsghdr* nlh) {
            nfulnl_msg_config_cmd cmd{NFULNL_CFG_CMD_PF_BIND};
            mnl_attr_put(nlh, NFULA_CFG_CMD, sizeof cmd, &cmd);
        });
    auto bound = r->config(AF_UNSPEC, group, [](nlmsghdr* nlh) {
        nfulnl_msg_config_cmd cmd{NFULNL_CFG_CMD_BIND};
        mnl_attr_put(nlh, NFULA_CFG_CMD, sizeof cmd, &cmd);
    });
    if (!bound) {
        int e = bound.error().code;
        return Error::kernel(e, "cannot bind NFLOG group " + std::to_string(group) + ": " +
                                    (e == EBUSY ? "another program (ulogd?) listens to it"
                                                : strerror(e)));
    }
    auto mode = r->config(AF_UNSPEC, group, [](nlmsghdr* nlh) {
        nfulnl_msg_config_mode m{};
        m.copy_range = htonl(0xFFFF);  // each rule's snaplen cuts it shorter
        m.copy_mode = NFULNL_COPY_PACKET;
        mnl_attr_put(nlh, NFULA_CFG_MODE, sizeof m, &m);
        // One packet per message, at once: a log line should not wait for a batch.
        mnl_attr_put_u32(nlh, NFULA_CFG_QTHRESH, htonl(1));
    });
    if (!mode) return mode.error();
    return r;
}

NflogReader::~NflogReader() { mnl_socket_close(nl_); }

Result<void> NflogReader::config(uint8_t family, uint16_t res_id,
                                 const std::function<void(nlmsghdr*)>& fill)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr* nlh = config_header(buf, family, res_id, ++seq_);
    fill(nlh);
    if (mnl_socket_sendto(nl_, nlh, nlh->nlmsg_len) < 0)
        return Error::kernel(errno, std::string("netlink: ") + strerror(errno));
    uint32_t portid = mnl_socket_get_portid(nl_);
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl_, buf, sizeof buf);
        if (n < 0) return Error::kernel(errno, std::string("netlink: ") + strerror(errno));
        int ret = mnl_cb_run(buf, static_cast<size_t>(n), seq_, portid, nullptr, nullptr);
        if (ret < 0) return Error::kernel(errno, std::string("netlink: ") + strerror(errno));
        if (ret == MNL_CB_STOP) return {};
    }
}

Result<void> NflogReader::receive(const std::function<void(const LoggedPacket&)>& on_packet)
{
    ssize_t n = mnl_socket_recvfrom(nl_, buf_.data(), buf_.size());
    if (n < 0) {
        if (errno == EINTR) return {};
        return Error::kernel(errno, std::string("netlink: ") + strerror(errno));
    }
    PacketCallback cb{&on_packet};
    // Packet messages carry sequence 0 and port 0: no sequence or port check.
    if (mnl_cb_run(buf_.data(), static_cast<size_t>(n), 0, 0, packet_cb, &cb) < 0)
        return Error::kernel(errno, std::string("netlink: ") + strerror(errno));
    return {};
}

std::string interface_name(uint32_t index)
{
    char name[IF_NAMESIZE];
    if (index != 0 && if_indextoname(index, name) != nullptr) return name;
    return "?";
}

}  // namespace ipchains::logd
