#include "core/inject_in.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include <arpa/inet.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if_arp.h>
#include <linux/if_tun.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/guard.h"
#include "core/ipv4.h"
#include "core/libc.h"
#include "core/registry.h"

namespace divert::inject_in {
namespace {

constexpr int kMaxTaps = 64;
// Packet sockets: one per (tap, mark); a program uses a handful of marks (its port, the resume
// sites of late write-backs).
constexpr int kMaxSenders = 256;

struct Tap {
    uint32_t target = 0;  // ifindex frames are redirected to
    int fd = -1;          // keeps the tap device alive
    int ifindex = 0;      // the tap's own ifindex
    unsigned mtu = 0;     // the target's MTU
    uint8_t dst[ETH_ALEN] = {};  // the target's MAC: the frame is "for this host" there
};

struct Sender {
    int tap_ifindex = 0;
    uint32_t mark = 0;
    int fd = -1;
};

struct Taps {
    std::mutex mu;  // a leaf lock: nothing else is taken while it is held
    Tap taps[kMaxTaps];
    int count = 0;
    Sender senders[kMaxSenders];
    int nsenders = 0;
};

Taps& taps()
{
    static Taps* t = new Taps;
    return *t;
}

int rtnl_talk(int nl, nlmsghdr* nlh)
{
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (DIVERT_REAL(sendto, nl, nlh, nlh->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
                    sizeof kernel) < 0)
        return errno;
    char buf[8192];
    for (;;) {
        ssize_t n = DIVERT_REAL(recv, nl, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        int left = static_cast<int>(n);
        for (auto* r = reinterpret_cast<nlmsghdr*>(buf); mnl_nlmsg_ok(r, left);
             r = mnl_nlmsg_next(r, &left)) {
            if (r->nlmsg_type == NLMSG_ERROR && r->nlmsg_seq == nlh->nlmsg_seq) {
                const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(r));
                return -e->error;
            }
        }
    }
}

nlmsghdr* tc_header(char* buf, uint16_t type, int ifindex, uint32_t parent, uint32_t info,
                    uint32_t seq)
{
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    nlh->nlmsg_seq = seq;
    auto* tcm = static_cast<tcmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(tcmsg)));
    tcm->tcm_family = AF_UNSPEC;
    tcm->tcm_ifindex = ifindex;
    tcm->tcm_parent = parent;
    tcm->tcm_info = info;
    return nlh;
}

// clsact qdisc on the tap + "u32 match u32 0 0 action mirred ingress redirect dev <target>"
// on its egress: what is sent on the tap arrives at the target's ingress, mark and all.
int install_redirect(int tap_ifindex, uint32_t target)
{
    int nl = DIVERT_REAL(socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (nl < 0) return errno;
    char buf[1024];
    nlmsghdr* q = tc_header(buf, RTM_NEWQDISC, tap_ifindex, TC_H_CLSACT, 0, 1);
    reinterpret_cast<tcmsg*>(mnl_nlmsg_get_payload(q))->tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0);
    mnl_attr_put_strz(q, TCA_KIND, "clsact");
    int err = rtnl_talk(nl, q);
    if (err == 0) {
        nlmsghdr* f = tc_header(buf, RTM_NEWTFILTER, tap_ifindex,
                                TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS),
                                TC_H_MAKE(1u << 16, htons(ETH_P_ALL)), 2);
        mnl_attr_put_strz(f, TCA_KIND, "u32");
        nlattr* opts = mnl_attr_nest_start(f, TCA_OPTIONS);
        alignas(tc_u32_sel) unsigned char sel_buf[sizeof(tc_u32_sel) + sizeof(tc_u32_key)] = {};
        auto* sel = reinterpret_cast<tc_u32_sel*>(sel_buf);
        sel->flags = TC_U32_TERMINAL;
        sel->nkeys = 1;  // one key, mask 0 / value 0: every frame
        mnl_attr_put(f, TCA_U32_SEL, sizeof sel_buf, sel_buf);
        nlattr* acts = mnl_attr_nest_start(f, TCA_U32_ACT);
        nlattr* act = mnl_attr_nest_start(f, 1);
        mnl_attr_put_strz(f, TCA_ACT_KIND, "mirred");
        nlattr* aopts = mnl_attr_nest_start(f, TCA_ACT_OPTIONS);
        tc_mirred m{};
        m.action = TC_ACT_STOLEN;
        m.eaction = TCA_INGRESS_REDIR;
        m.ifindex = target;
        mnl_attr_put(f, TCA_MIRRED_PARMS, sizeof m, &m);
        mnl_attr_nest_end(f, aopts);
        mnl_attr_nest_end(f, act);
        mnl_attr_nest_end(f, acts);
        mnl_attr_nest_end(f, opts);
        err = rtnl_talk(nl, f);
    }
    DIVERT_REAL(close, nl);
    return err;
}

void write_proc(const char* path, const char* value)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    (void)!DIVERT_REAL(write, fd, value, std::strlen(value));
    DIVERT_REAL(close, fd);
}

int create_tap(uint32_t target, Tap& out)
{
    Guard g;
    char target_name[IF_NAMESIZE];
    if (if_indextoname(target, target_name) == nullptr) return EADDRNOTAVAIL;
    int ctl = DIVERT_REAL(socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (ctl < 0) return errno;
    ifreq ifr{};
    std::snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", target_name);
    if (ioctl(ctl, SIOCGIFMTU, &ifr) < 0) {
        const int err = errno;
        DIVERT_REAL(close, ctl);
        return err;
    }
    out.mtu = static_cast<unsigned>(ifr.ifr_mtu);
    // An interface without a MAC (tun, ppp) gets zeros; mirred strips the header for it.
    if (ioctl(ctl, SIOCGIFHWADDR, &ifr) == 0 && ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER)
        std::memcpy(out.dst, ifr.ifr_hwaddr.sa_data, ETH_ALEN);

    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        const int err = errno;
        DIVERT_REAL(close, ctl);
        return err;
    }
    ifreq t{};
    t.ifr_flags = IFF_TAP | IFF_NO_PI;
    std::snprintf(t.ifr_name, sizeof t.ifr_name, "dvin%%d");
    int err = 0;
    if (ioctl(fd, TUNSETIFF, &t) < 0) err = errno;
    if (err == 0) {
        // The tap only carries frames in; keep the stack from chattering on it.
        char path[96];
        std::snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6", t.ifr_name);
        write_proc(path, "1");
        ifreq r{};
        std::memcpy(r.ifr_name, t.ifr_name, sizeof r.ifr_name);
        r.ifr_mtu = 65535;
        ioctl(ctl, SIOCSIFMTU, &r);  // a smaller tap MTU would not matter for writes
        r.ifr_flags = IFF_UP | IFF_NOARP;
        if (ioctl(ctl, SIOCSIFFLAGS, &r) < 0) err = errno;
        out.ifindex = static_cast<int>(if_nametoindex(t.ifr_name));
        if (err == 0) err = out.ifindex > 0 ? install_redirect(out.ifindex, target) : ENODEV;
    }
    DIVERT_REAL(close, ctl);
    if (err != 0) {
        DIVERT_REAL(close, fd);
        return err == EPERM ? EPERM : ENETUNREACH;
    }
    out.fd = fd;
    out.target = target;
    return 0;
}

// The tap for target, created on first use. 0 or an errno.
int tap_for(uint32_t target, Tap& tap)
{
    Taps& all = taps();
    {
        std::lock_guard<std::mutex> lk(all.mu);
        for (int i = 0; i < all.count; ++i)
            if (all.taps[i].target == target) {
                tap = all.taps[i];
                return 0;
            }
    }
    Tap fresh;
    if (int err = create_tap(target, fresh)) return err;
    bool keep = false, found = false;
    {
        std::lock_guard<std::mutex> lk(all.mu);
        for (int i = 0; i < all.count && !found; ++i)
            if (all.taps[i].target == target) {  // another thread was quicker
                tap = all.taps[i];
                found = true;
            }
        if (!found && all.count < kMaxTaps) {
            all.taps[all.count++] = fresh;
            tap = fresh;
            keep = true;
        }
    }
    if (keep) {
        if (registry::add_internal(fresh.fd)) return 0;
        // Unregistered, the program could close it; give the slot up rather than keep it.
        {
            std::lock_guard<std::mutex> lk(all.mu);
            for (int i = 0; i < all.count; ++i)
                if (all.taps[i].fd == fresh.fd) all.taps[i] = all.taps[--all.count];
        }
        DIVERT_REAL(close, fresh.fd);
        return ENOMEM;
    }
    DIVERT_REAL(close, fresh.fd);  // the tap device goes with its descriptor
    return found ? 0 : ENOBUFS;
}

// The packet socket that sends on tap_ifindex with `mark`, created on first use; -1/errno.
// *one_off: the table was full (a process that injected from hundreds of ports), so the
// socket is the caller's to close after this one send.
int sender_for(int tap_ifindex, uint32_t mark, bool* one_off)
{
    Taps& all = taps();
    {
        std::lock_guard<std::mutex> lk(all.mu);
        for (int i = 0; i < all.nsenders; ++i)
            if (all.senders[i].tap_ifindex == tap_ifindex && all.senders[i].mark == mark)
                return all.senders[i].fd;
    }
    // Protocol 0: the socket only sends, so the kernel queues it none of the tap's traffic.
    int fd = DIVERT_REAL(socket, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (DIVERT_REAL(setsockopt, fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) {
        const int err = errno;
        DIVERT_REAL(close, fd);
        errno = err;
        return -1;
    }
    int winner = -1;
    bool keep = false;
    {
        std::lock_guard<std::mutex> lk(all.mu);
        for (int i = 0; i < all.nsenders && winner < 0; ++i)
            if (all.senders[i].tap_ifindex == tap_ifindex && all.senders[i].mark == mark)
                winner = all.senders[i].fd;
        if (winner < 0 && all.nsenders < kMaxSenders) {
            all.senders[all.nsenders++] = Sender{tap_ifindex, mark, fd};
            keep = true;
        }
    }
    if (keep && registry::add_internal(fd)) return fd;
    if (keep) {
        {
            std::lock_guard<std::mutex> lk(all.mu);
            for (int i = 0; i < all.nsenders; ++i)
                if (all.senders[i].fd == fd) all.senders[i] = all.senders[--all.nsenders];
        }
        DIVERT_REAL(close, fd);
        errno = ENOMEM;
        return -1;
    }
    if (winner < 0) {
        *one_off = true;
        return fd;
    }
    DIVERT_REAL(close, fd);
    return winner;
}

}  // namespace

int send(uint32_t ifindex, uint32_t mark, const uint8_t* pkt, size_t len, uint16_t next_id)
{
    Tap tap;
    if (int err = tap_for(ifindex, tap)) return err;
    if (len > tap.mtu) return EMSGSIZE;
    bool one_off = false;
    const int out = sender_for(tap.ifindex, mark, &one_off);
    if (out < 0) return errno;

    ethhdr eth{};
    std::memcpy(eth.h_dest, tap.dst, ETH_ALEN);
    eth.h_source[0] = 0x02;  // locally administered, never a real station's
    // IPv6 comes fixed by the caller (ipv6::fix_packet); IPv4's header is fixed here.
    const bool v6 = (pkt[0] >> 4) == 6;
    eth.h_proto = htons(v6 ? ETH_P_IPV6 : ETH_P_IP);
    const size_t ihl = v6 ? 0 : (pkt[0] & 0x0f) * 4u;
    uint8_t ip[60];
    std::memcpy(ip, pkt, ihl);
    if (!v6) ipv4::fix_header(ip, len, next_id);
    iovec iov[3] = {{&eth, sizeof eth}, {ip, ihl}, {const_cast<uint8_t*>(pkt) + ihl, len - ihl}};
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = tap.ifindex;
    to.sll_protocol = eth.h_proto;
    msghdr msg{};
    msg.msg_name = &to;
    msg.msg_namelen = sizeof to;
    msg.msg_iov = iov;
    msg.msg_iovlen = 3;
    int err;
    do {
        err = DIVERT_REAL(sendmsg, out, &msg, 0) < 0 ? errno : 0;
    } while (err == EINTR);
    if (one_off) DIVERT_REAL(close, out);
    return err;
}

void lock_for_fork() { taps().mu.lock(); }
void unlock_after_fork() { taps().mu.unlock(); }

}  // namespace divert::inject_in
