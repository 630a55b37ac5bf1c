// ir::Set (a rule run, compile/runs.h) -> libnftnl set and element objects.
#include <arpa/inet.h>

#include <cstdio>
#include <functional>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "backend/nft/serialize.h"
#include "backend/nft/udata.h"

namespace ipchains::backend::nft {

namespace {

// nft's datatype number for ipv4_addr, so that `nft list` prints the keys as addresses.
constexpr uint32_t kTypeIpv4Addr = 7;
// Elements per message: a key, a counter and a comment of up to 256 bytes each stay within a
// batch message (batch.cpp kMaxMsg) and a netlink nest (64 KiB).
constexpr size_t kElementsPerMessage = 32;

SetPtr set_ref(const std::string& table, const std::string& name)
{
    SetPtr s(nftnl_set_alloc());
    nftnl_set_set_u32(s.get(), NFTNL_SET_FAMILY, NFPROTO_IPV4);
    nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, table.c_str());
    nftnl_set_set_str(s.get(), NFTNL_SET_NAME, name.c_str());
    return s;
}

nftnl_set_elem* key_element(uint32_t addr)
{
    nftnl_set_elem* e = nftnl_set_elem_alloc();
    uint32_t key = htonl(addr);
    nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &key, sizeof key);
    return e;
}

}  // namespace

SetPtr make_set(const std::string& table, const ir::Set& is)
{
    SetPtr s = set_ref(table, is.name);
    // The kernel wants an id for references within the batch; ours go by name, so any id
    // unique among the batch's new sets does.
    nftnl_set_set_u32(s.get(), NFTNL_SET_ID,
                      static_cast<uint32_t>(std::hash<std::string>{}(is.name)));
    nftnl_set_set_u32(s.get(), NFTNL_SET_KEY_TYPE, kTypeIpv4Addr);
    nftnl_set_set_u32(s.get(), NFTNL_SET_KEY_LEN, 4);
    uint32_t flags = is.interval ? NFT_SET_INTERVAL : 0;
    nftnl_set_set_u32(s.get(), NFTNL_SET_FLAGS, flags);
    // Every element gets a counter: the counter of the ipchains rule it stands for.
    nftnl_expr* counter = nftnl_expr_alloc("counter");
    nftnl_set_add_expr(s.get(), counter);
    return s;
}

std::vector<SetPtr> make_set_elements(const std::string& table, const ir::Set& is,
                                      const std::vector<size_t>& index,
                                      ElementContent content)
{
    std::vector<SetPtr> out;
    size_t in_message = kElementsPerMessage;
    for (size_t i : index) {
        const ir::SetElement& m = is.elements[i];
        if (in_message + 2 > kElementsPerMessage) {
            out.push_back(set_ref(table, is.name));
            in_message = 0;
        }
        nftnl_set* s = out.back().get();
        nftnl_set_elem* e = key_element(m.addr);
        if (content != ElementContent::KeysOnly) {
            bool counts = content == ElementContent::Counts;
            nftnl_expr* counter = nftnl_expr_alloc("counter");
            nftnl_expr_set_u64(counter, NFTNL_EXPR_CTR_PACKETS, counts ? m.counter.packets : 0);
            nftnl_expr_set_u64(counter, NFTNL_EXPR_CTR_BYTES, counts ? m.counter.bytes : 0);
            nftnl_set_elem_add_expr(e, counter);
            std::string ud = comment_udata(NFTNL_UDATA_SET_ELEM_COMMENT, m.comment);
            nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, ud.data(),
                               static_cast<uint32_t>(ud.size()));
        }
        nftnl_set_elem_add(s, e);
        ++in_message;
        uint32_t last = m.addr | ~m.mask;
        if (is.interval && last != 0xFFFFFFFFu) {
            nftnl_set_elem* end = key_element(last + 1);
            nftnl_set_elem_set_u32(end, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
            nftnl_set_elem_add(s, end);
            ++in_message;
        }
    }
    return out;
}

std::vector<SetPtr> make_all_set_elements(const std::string& table, const ir::Set& s,
                                          ElementContent content)
{
    std::vector<size_t> all(s.elements.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    return make_set_elements(table, s, all, content);
}

}  // namespace ipchains::backend::nft
