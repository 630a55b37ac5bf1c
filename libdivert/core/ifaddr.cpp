#include "core/ifaddr.h"

#include <cerrno>
#include <ctime>
#include <mutex>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include "core/guard.h"
#include "core/libc.h"

namespace divert::ifaddr {
namespace {

constexpr int kMaxEntries = 256;

struct Entry {
    uint32_t ifindex;
    in_addr_t addr;
};

struct Cache {
    std::mutex mu;
    Entry entries[kMaxEntries];
    int count = 0;
    timespec loaded{};
    bool valid = false;
};

Cache& cache()
{
    static Cache* c = new Cache;
    return *c;
}

double age(const timespec& t)
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<double>(now.tv_sec - t.tv_sec) + (now.tv_nsec - t.tv_nsec) / 1e9;
}

int add_entry(const nlmsghdr* nlh, void* data)
{
    auto* c = static_cast<Cache*>(data);
    const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
    if (ifa->ifa_family != AF_INET || c->count >= kMaxEntries) return MNL_CB_OK;
    struct Found {
        const nlattr* local = nullptr;
        const nlattr* address = nullptr;
    } found;
    mnl_attr_parse(nlh, sizeof(*ifa), [](const nlattr* attr, void* d) {
        auto* f = static_cast<Found*>(d);
        if (mnl_attr_get_payload_len(attr) < 4) return MNL_CB_OK;
        if (mnl_attr_get_type(attr) == IFA_LOCAL) f->local = attr;
        if (mnl_attr_get_type(attr) == IFA_ADDRESS) f->address = attr;
        return MNL_CB_OK;
    }, &found);
    const nlattr* a = found.local ? found.local : found.address;
    if (a == nullptr) return MNL_CB_OK;
    c->entries[c->count++] = Entry{ifa->ifa_index, mnl_attr_get_u32(a)};
    return MNL_CB_OK;
}

// Caller holds c.mu. Our own dump socket, closed before returning: no fd stays open.
void reload(Cache& c)
{
    Guard g;
    c.count = 0;
    clock_gettime(CLOCK_MONOTONIC, &c.loaded);
    c.valid = true;
    int fd = DIVERT_REAL(socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return;
    char buf[8192];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_GETADDR;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = 1;
    auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = AF_INET;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (DIVERT_REAL(sendto, fd, buf, nlh->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
                    sizeof kernel) >= 0) {
        for (;;) {
            ssize_t n = DIVERT_REAL(recv, fd, buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            int rc = mnl_cb_run(buf, static_cast<size_t>(n), 1, 0, add_entry, &c);
            if (rc <= MNL_CB_STOP) break;
        }
    }
    DIVERT_REAL(close, fd);
}

template <typename Pred>
const Entry* lookup(Cache& c, Pred pred)
{
    for (int i = 0; i < c.count; ++i)
        if (pred(c.entries[i])) return &c.entries[i];
    return nullptr;
}

template <typename Pred>
bool find(Pred pred, Entry& out)
{
    Cache& c = cache();
    std::lock_guard<std::mutex> lk(c.mu);
    const bool stale = !c.valid || age(c.loaded) > 1.0;
    if (stale) reload(c);
    const Entry* e = lookup(c, pred);
    if (e == nullptr && !stale && age(c.loaded) > 0.01) {  // a miss: addresses may have changed
        reload(c);
        e = lookup(c, pred);
    }
    if (e == nullptr) return false;
    out = *e;
    return true;
}

}  // namespace

in_addr_t first_address(uint32_t ifindex)
{
    Entry e{};
    if (ifindex == 0) return INADDR_ANY;
    return find([&](const Entry& x) { return x.ifindex == ifindex; }, e) ? e.addr : INADDR_ANY;
}

uint32_t owner_of(in_addr_t addr)
{
    Entry e{};
    return find([&](const Entry& x) { return x.addr == addr; }, e) ? e.ifindex : 0;
}

void invalidate()
{
    Cache& c = cache();
    std::lock_guard<std::mutex> lk(c.mu);
    c.valid = false;
}

void lock_for_fork() { cache().mu.lock(); }
void unlock_after_fork() { cache().mu.unlock(); }

}  // namespace divert::ifaddr
