#include "backend/nft/batch.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <new>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

namespace ipchains::backend::nft {

namespace {
// libnftnl writes attributes without bounds checks, so every message gets this much room.
// The largest message we build (a rule with every match, statement and a 256-byte comment)
// stays well below it.
constexpr size_t kMaxMsg = 16 * 1024;
}  // namespace

std::string describe(const Origin& o)
{
    const char* what = "";
    switch (o.action) {
    // The kernel reports a failed commit phase against the BEGIN message.
    case Action::Begin: return "committing the transaction";
    case Action::End: return "committing the transaction";
    case Action::AddTable: what = "creating table"; break;
    case Action::DeleteTable: what = "deleting table"; break;
    case Action::AddCounter: what = "creating counter"; break;
    case Action::DeleteCounter: what = "deleting counter"; break;
    case Action::AddChain: what = "creating chain"; break;
    case Action::CountChain: what = "setting the policy counters of chain"; break;
    case Action::SetChainPolicy: what = "setting the policy of chain"; break;
    case Action::FlushChain: what = "flushing chain"; break;
    case Action::DeleteChain: what = "deleting chain"; break;
    case Action::AddRule: what = "adding a rule to chain"; break;
    case Action::ReplaceRule: what = "replacing a rule of chain"; break;
    case Action::AddSet: what = "creating set"; break;
    case Action::DeleteSet: what = "deleting set"; break;
    case Action::AddElements: what = "adding elements to set"; break;
    case Action::DeleteElements: what = "deleting elements of set"; break;
    }
    return std::string(what) + " `" + o.object + "'";
}

Batch::Batch(uint32_t first_seq, uint32_t genid)
    : first_seq_(first_seq), genid_(genid), family_(NFPROTO_IPV4)
{
    origins_.reserve(64);
    nlmsghdr* begin = nftnl_batch_begin(reserve(), first_seq_);
    if (genid != 0) mnl_attr_put_u32(begin, NFNL_BATCH_GENID, htonl(genid));
    origins_.push_back(Origin{Action::Begin, {}});
    len_ += NLMSG_ALIGN(begin->nlmsg_len);
}

Batch::~Batch()
{
    free(buf_);
}

char* Batch::reserve()
{
    if (cap_ - len_ < kMaxMsg) {
        size_t cap = cap_ == 0 ? 64 * 1024 : cap_ * 2;
        while (cap - len_ < kMaxMsg) cap *= 2;
        void* p = realloc(buf_, cap);
        if (!p) throw std::bad_alloc();
        buf_ = static_cast<char*>(p);
        cap_ = cap;
    }
    return buf_ + len_;
}

nlmsghdr* Batch::header(uint16_t type, uint16_t flags, Action a, const std::string& object)
{
    uint32_t seq = first_seq_ + static_cast<uint32_t>(origins_.size());
    origins_.push_back(Origin{a, object});
    last_msg_ = len_;
    return nftnl_nlmsg_build_hdr(reserve(), type, family_, flags, seq);
}

void Batch::commit(nlmsghdr* nlh)
{
    len_ += NLMSG_ALIGN(nlh->nlmsg_len);
}

void Batch::add_table(const nftnl_table* t, const std::string& name)
{
    nlmsghdr* nlh = header(NFT_MSG_NEWTABLE, NLM_F_CREATE, Action::AddTable, name);
    nftnl_table_nlmsg_build_payload(nlh, t);
    commit(nlh);
}

void Batch::delete_table(const nftnl_table* t, const std::string& name)
{
    nlmsghdr* nlh = header(NFT_MSG_DELTABLE, 0, Action::DeleteTable, name);
    nftnl_table_nlmsg_build_payload(nlh, t);
    commit(nlh);
}

void Batch::add_counter(const nftnl_obj* o, const std::string& name)
{
    nlmsghdr* nlh = header(NFT_MSG_NEWOBJ, NLM_F_CREATE | NLM_F_EXCL, Action::AddCounter, name);
    nftnl_obj_nlmsg_build_payload(nlh, o);
    commit(nlh);
}

void Batch::delete_counter(const nftnl_obj* o, const std::string& name)
{
    nlmsghdr* nlh = header(NFT_MSG_DELOBJ, 0, Action::DeleteCounter, name);
    nftnl_obj_nlmsg_build_payload(nlh, o);
    commit(nlh);
}

void Batch::add_chain(const nftnl_chain* c, const std::string& name)
{
    nlmsghdr* nlh = header(NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL, Action::AddChain, name);
    nftnl_chain_nlmsg_build_payload(nlh, c);
    commit(nlh);
}

// NEWCHAIN for a chain that exists, without NLM_F_EXCL, is an update of what it carries.
void Batch::update_chain(const nftnl_chain* c, Action action, const std::string& name)
{
    nlmsghdr* nlh = header(NFT_MSG_NEWCHAIN, 0, action, name);
    nftnl_chain_nlmsg_build_payload(nlh, c);
    commit(nlh);
}

void Batch::count_chain(const nftnl_chain* c, const std::string& name)
{
    update_chain(c, Action::CountChain, name);
}

void Batch::set_chain_policy(const nftnl_chain* c, const std::string& name)
{
    update_chain(c, Action::SetChainPolicy, name);
}

void Batch::flush_chain(const nftnl_rule* r, const std::string& name)
{
    // DELRULE naming only table and chain removes every rule of the chain (without the chain
    // attribute it would empty the whole table).
    nlmsghdr* nlh = header(NFT_MSG_DELRULE, 0, Action::FlushChain, name);
    nftnl_rule_nlmsg_build_payload(nlh, const_cast<nftnl_rule*>(r));
    commit(nlh);
}

void Batch::delete_chain(const nftnl_chain* c, const std::string& name)
{
    nlmsghdr* nlh = header(NFT_MSG_DELCHAIN, 0, Action::DeleteChain, name);
    nftnl_chain_nlmsg_build_payload(nlh, c);
    commit(nlh);
}

void Batch::add_rule(const nftnl_rule* r, const std::string& chain)
{
    nlmsghdr* nlh =
        header(NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, Action::AddRule, chain);
    nftnl_rule_nlmsg_build_payload(nlh, const_cast<nftnl_rule*>(r));
    commit(nlh);
}

void Batch::replace_rule(const nftnl_rule* r, const std::string& chain)
{
    nlmsghdr* nlh = header(NFT_MSG_NEWRULE, NLM_F_REPLACE, Action::ReplaceRule, chain);
    nftnl_rule_nlmsg_build_payload(nlh, const_cast<nftnl_rule*>(r));
    commit(nlh);
}

void Batch::add_set(const nftnl_set* s, const std::string& name)
{
    nlmsghdr* nlh = header(NFT_MSG_NEWSET, NLM_F_CREATE | NLM_F_EXCL, Action::AddSet, name);
    nftnl_set_nlmsg_build_payload(nlh, const_cast<nftnl_set*>(s));
    commit(nlh);
}

void Batch::delete_set(const nftnl_set* s, const std::string& name)
{
    nlmsghdr* nlh = header(NFT_MSG_DELSET, 0, Action::DeleteSet, name);
    nftnl_set_nlmsg_build_payload(nlh, const_cast<nftnl_set*>(s));
    commit(nlh);
}

void Batch::add_elements(const nftnl_set* s, const std::string& name)
{
    // EXCL: an element that exists is an error, never silently kept with its old comment.
    nlmsghdr* nlh =
        header(NFT_MSG_NEWSETELEM, NLM_F_CREATE | NLM_F_EXCL, Action::AddElements, name);
    nftnl_set_elems_nlmsg_build_payload(nlh, const_cast<nftnl_set*>(s));
    commit(nlh);
}

void Batch::delete_elements(const nftnl_set* s, const std::string& name)
{
    nlmsghdr* nlh = header(NFT_MSG_DELSETELEM, 0, Action::DeleteElements, name);
    nftnl_set_elems_nlmsg_build_payload(nlh, const_cast<nftnl_set*>(s));
    commit(nlh);
}

size_t Batch::close()
{
    if (closed_) return origins_.size() - 2;
    closed_ = true;
    size_t real = origins_.size() - 1;
    if (real > 0) {
        auto* last = reinterpret_cast<nlmsghdr*>(buf_ + last_msg_);
        last->nlmsg_flags |= NLM_F_ACK;
        ack_seq_ = last->nlmsg_seq;
    }
    uint32_t seq = first_seq_ + static_cast<uint32_t>(origins_.size());
    origins_.push_back(Origin{Action::End, {}});
    nlmsghdr* end = nftnl_batch_end(reserve(), seq);
    len_ += NLMSG_ALIGN(end->nlmsg_len);
    return real;
}

const Origin* Batch::origin(uint32_t seq) const
{
    uint32_t i = seq - first_seq_;
    return i < origins_.size() ? &origins_[i] : nullptr;
}

}  // namespace ipchains::backend::nft
