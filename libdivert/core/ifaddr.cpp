#include "core/ifaddr.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <net/if.h>
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

struct Link {
    uint32_t ifindex;
    char name[IFNAMSIZ];
};

struct Cache {
    std::mutex mu;
    Entry entries[kMaxEntries];
    int count = 0;
    Link links[kMaxEntries];
    int link_count = 0;
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

int add_link(const nlmsghdr* nlh, void* data)
{
    auto* c = static_cast<Cache*>(data);
    const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
    if (c->link_count >= kMaxEntries) return MNL_CB_OK;
    Link l{static_cast<uint32_t>(ifi->ifi_index), {}};
    mnl_attr_parse(nlh, sizeof(*ifi), [](const nlattr* attr, void* d) {
        auto* link = static_cast<Link*>(d);
        if (mnl_attr_get_type(attr) != IFLA_IFNAME) return MNL_CB_OK;
        const size_t n = strnlen(static_cast<const char*>(mnl_attr_get_payload(attr)),
                                 mnl_attr_get_payload_len(attr));
        std::memcpy(link->name, mnl_attr_get_payload(attr), std::min<size_t>(n, IFNAMSIZ - 1));
        return MNL_CB_OK;
    }, &l);
    if (l.name[0] != 0) c->links[c->link_count++] = l;
    return MNL_CB_OK;
}

// One rtnetlink dump (RTM_GETADDR or RTM_GETLINK) through fd into the cache.
void dump(int fd, Cache& c, uint16_t type, mnl_cb_t cb)
{
    char buf[16384];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = type;
    if (type == RTM_GETADDR) {
        auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
        ifa->ifa_family = AF_INET;
    } else {
        auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
        ifi->ifi_family = AF_UNSPEC;
    }
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (DIVERT_REAL(sendto, fd, buf, nlh->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
                    sizeof kernel) < 0)
        return;
    for (;;) {
        ssize_t n = DIVERT_REAL(recv, fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        int rc = mnl_cb_run(buf, static_cast<size_t>(n), type, 0, cb, &c);
        if (rc <= MNL_CB_STOP) break;
    }
}

// Caller holds c.mu. Our own dump socket, closed before returning: no fd stays open.
void reload(Cache& c)
{
    Guard g;
    c.count = 0;
    c.link_count = 0;
    clock_gettime(CLOCK_MONOTONIC, &c.loaded);
    c.valid = true;
    int fd = DIVERT_REAL(socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return;
    dump(fd, c, RTM_GETADDR, add_entry);
    dump(fd, c, RTM_GETLINK, add_link);
    DIVERT_REAL(close, fd);
}

template <typename Pred>
const Entry* lookup(Cache& c, Pred pred)
{
    for (int i = 0; i < c.count; ++i)
        if (pred(c.entries[i])) return &c.entries[i];
    return nullptr;
}

// Looks up with `find(c)` (a pointer into the cache or null) and copies the hit to out.
template <typename T, typename Find>
bool cached(Find find, T& out)
{
    Cache& c = cache();
    std::lock_guard<std::mutex> lk(c.mu);
    const bool stale = !c.valid || age(c.loaded) > 1.0;
    if (stale) reload(c);
    const T* e = find(c);
    if (e == nullptr && !stale && age(c.loaded) > 0.01) {  // a miss: interfaces may have changed
        reload(c);
        e = find(c);
    }
    if (e == nullptr) return false;
    out = *e;
    return true;
}

template <typename Pred>
bool find(Pred pred, Entry& out)
{
    return cached([&](Cache& c) { return lookup(c, pred); }, out);
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

bool name_of(uint32_t ifindex, char* out, size_t size)
{
    std::memset(out, 0, size);
    Link l{};
    if (ifindex == 0 || size == 0 ||
        !cached([&](Cache& c) -> const Link* {
            for (int i = 0; i < c.link_count; ++i)
                if (c.links[i].ifindex == ifindex) return &c.links[i];
            return nullptr;
        }, l))
        return false;
    std::memcpy(out, l.name, std::min(size - 1, strnlen(l.name, sizeof l.name)));
    return true;
}

uint32_t index_of(const char* name, size_t len)
{
    const size_t n = strnlen(name, len);
    if (n == 0) return 0;
    Link l{};
    const bool found = cached([&](Cache& c) -> const Link* {
        const Link* prefixed = nullptr;
        int prefix_hits = 0;
        for (int i = 0; i < c.link_count; ++i) {
            const Link& k = c.links[i];
            if (std::strncmp(k.name, name, n) != 0) continue;
            if (k.name[n] == 0) return &k;
            prefixed = &k;
            ++prefix_hits;
        }
        // A name cut to fit (n == len - 1) stands for the one interface it starts.
        return n + 1 == len && prefix_hits == 1 ? prefixed : nullptr;
    }, l);
    return found ? l.ifindex : 0;
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
