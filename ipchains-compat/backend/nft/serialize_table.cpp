#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/udata.h>

#include "backend/nft/serialize.h"
#include "backend/nft/udata.h"

namespace ipchains::backend::nft {

namespace {
uint32_t hooknum(ir::Hook h)
{
    switch (h) {
    case ir::Hook::Prerouting: return NF_INET_PRE_ROUTING;
    case ir::Hook::Input: return NF_INET_LOCAL_IN;
    case ir::Hook::Forward: return NF_INET_FORWARD;
    case ir::Hook::Output: return NF_INET_LOCAL_OUT;
    case ir::Hook::Postrouting: return NF_INET_POST_ROUTING;
    }
    return NF_INET_PRE_ROUTING;
}

uint32_t policy_verdict(bool drop)
{
    return drop ? NF_DROP : NF_ACCEPT;
}
}  // namespace

TablePtr make_table(const std::string& table, const std::string& comment)
{
    TablePtr t(nftnl_table_alloc());
    nftnl_table_set_u32(t.get(), NFTNL_TABLE_FAMILY, NFPROTO_IPV4);
    nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, table.c_str());
    if (!comment.empty()) {
        std::string ud = comment_udata(NFTNL_UDATA_TABLE_COMMENT, comment);
        nftnl_table_set_data(t.get(), NFTNL_TABLE_USERDATA, ud.data(),
                             static_cast<uint32_t>(ud.size()));
    }
    return t;
}

ChainPtr make_chain_ref(const std::string& table, const std::string& chain)
{
    ChainPtr c(nftnl_chain_alloc());
    nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_FAMILY, NFPROTO_IPV4);
    nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TABLE, table.c_str());
    nftnl_chain_set_str(c.get(), NFTNL_CHAIN_NAME, chain.c_str());
    return c;
}

ChainPtr make_chain(const std::string& table, const ir::Chain& ic)
{
    ChainPtr c = make_chain_ref(table, ic.name);
    if (ic.base) {
        nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_HOOKNUM, hooknum(ic.base->hook));
        nftnl_chain_set_s32(c.get(), NFTNL_CHAIN_PRIO, ic.base->priority);
        nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TYPE,
                            ic.base->type == ir::ChainType::Nat ? "nat" : "filter");
        nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_POLICY, policy_verdict(ic.base->drop));
    }
    if (!ic.comment.empty()) {
        std::string ud = comment_udata(NFTNL_UDATA_CHAIN_COMMENT, ic.comment);
        nftnl_chain_set_data(c.get(), NFTNL_CHAIN_USERDATA, ud.data(),
                             static_cast<uint32_t>(ud.size()));
    }
    return c;
}

ChainPtr make_chain_counters(const std::string& table, const ir::Chain& ic)
{
    ChainPtr c = make_chain_ref(table, ic.name);
    nftnl_chain_set_u64(c.get(), NFTNL_CHAIN_PACKETS, ic.base->counters->packets);
    nftnl_chain_set_u64(c.get(), NFTNL_CHAIN_BYTES, ic.base->counters->bytes);
    return c;
}

ChainPtr make_chain_policy(const std::string& table, const std::string& chain, bool drop)
{
    ChainPtr c = make_chain_ref(table, chain);
    nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_POLICY, policy_verdict(drop));
    return c;
}

ObjPtr make_counter_object(const std::string& table, const ir::CounterObject& o)
{
    ObjPtr obj(nftnl_obj_alloc());
    nftnl_obj_set_u32(obj.get(), NFTNL_OBJ_FAMILY, NFPROTO_IPV4);
    nftnl_obj_set_str(obj.get(), NFTNL_OBJ_TABLE, table.c_str());
    nftnl_obj_set_str(obj.get(), NFTNL_OBJ_NAME, o.name.c_str());
    nftnl_obj_set_u32(obj.get(), NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
    nftnl_obj_set_u64(obj.get(), NFTNL_OBJ_CTR_PKTS, o.packets);
    nftnl_obj_set_u64(obj.get(), NFTNL_OBJ_CTR_BYTES, o.bytes);
    return obj;
}

}  // namespace ipchains::backend::nft
