#include "backend/nft/dump.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <string_view>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>

#include "backend/nft/nftnl_ptr.h"
#include "backend/nft/udata.h"
#include "compile/runs.h"

namespace ipchains::backend::nft {

namespace {

// Older uapi headers stop before them; the values are fixed by the kernel ABI.
constexpr uint16_t kMsgGetRuleReset = 25;
constexpr uint16_t kMsgGetSetElemReset = 33;  // Linux 6.5+

// Runs a dump request and keeps the objects of `table` that `parse` recognises.
template <typename T, typename Parse>
Result<std::vector<T>> collect(Netlink& nl, nlmsghdr* request, const std::string& table,
                               Parse parse)
{
    std::vector<T> objects;
    auto r = nl.query(request, [&](const nlmsghdr* m) {
        T k;
        if (parse(m, table, k)) objects.push_back(std::move(k));
        return MNL_CB_OK;
    });
    if (!r) return r.error();
    return objects;
}


std::string str_or_empty(const char* s)
{
    return s ? std::string(s) : std::string();
}

void add_counters(nftnl_expr* e, uint64_t& packets, uint64_t& bytes)
{
    const char* name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
    if (name && strcmp(name, "counter") == 0) {
        packets += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
        bytes += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
    }
}

// The set named by a run's lookup rule ("ipchains-run:<set>"), "" for any other rule.
std::string run_set_of(const KernelRule& r)
{
    const std::string prefix = compile::kRunRulePrefix;
    if (r.comment.compare(0, prefix.size(), prefix) != 0) return {};
    return r.comment.substr(prefix.size());
}

struct Member {
    size_t order;
    KernelRule rule;
};

// The members of a run: the set's elements as the ipchains rules they stand for, in run
// order (the set itself keeps them in key order). With reset, each element's counter is read
// and zeroed in one step (NFT_MSG_GETSETELEM_RESET).
Result<std::vector<Member>> run_members_once(Netlink& nl, const std::string& table,
                                             const std::string& set, const std::string& chain,
                                             bool reset, uint8_t family)
{
    RequestBuf buf;
    nlmsghdr* nlh = set_elements_request(buf, table, set, reset, family);

    std::vector<Member> members;
    bool malformed = false;
    auto r = nl.query(nlh, [&](const nlmsghdr* m) {
        SetPtr got(nftnl_set_alloc());
        if (nftnl_set_elems_nlmsg_parse(m, got.get()) < 0) return MNL_CB_OK;
        nftnl_set_elems_iter* it = nftnl_set_elems_iter_create(got.get());
        for (nftnl_set_elem* e = nftnl_set_elems_iter_next(it); e;
             e = nftnl_set_elems_iter_next(it)) {
            if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
                (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) & NFT_SET_ELEM_INTERVAL_END))
                continue;  // the end bound of an interval member
            Member member{0, {}};
            member.rule.chain = chain;
            std::string comment;
            if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_USERDATA)) {
                uint32_t len = 0;
                const void* ud = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &len);
                comment = comment_from_udata(ud, len, NFTNL_UDATA_SET_ELEM_COMMENT);
            }
            std::string_view save_line;
            if (!compile::parse_run_member_comment(std::string_view(comment), member.order,
                                                   save_line)) {
                malformed = true;
                continue;
            }
            // The save line is the comment's tail: "#<k> " is cut off in place, not copied.
            comment.erase(0, comment.size() - save_line.size());
            member.rule.comment = std::move(comment);
            nftnl_set_elem_expr_foreach(
                e,
                [](nftnl_expr* x, void* data) -> int {
                    auto* kr = static_cast<KernelRule*>(data);
                    add_counters(x, kr->packets, kr->bytes);
                    return 0;
                },
                &member.rule);
            members.push_back(std::move(member));
        }
        nftnl_set_elems_iter_destroy(it);
        return MNL_CB_OK;
    });
    if (!r) return r.error();
    if (malformed)
        return Error::kernel(EINVAL, "table ip " + table + ": set " + set +
                                         " has an element without its ipchains rule");
    return members;
}

bool numbered_in_full(const std::vector<Member>& members)
{
    std::vector<size_t> numbers;
    numbers.reserve(members.size());
    for (const auto& m : members) numbers.push_back(m.order);
    return compile::run_numbers_complete(numbers);
}

Result<std::vector<KernelRule>> run_members(Netlink& nl, const std::string& table,
                                            const std::string& set, const std::string& chain,
                                            bool reset, uint8_t family)
{
    // A dump across a resize of the set's hash table repeats some members and skips others
    // with no new generation and no NLM_F_DUMP_INTR (compile::run_numbers_complete): the
    // model would get rules twice and lose others, and `before` would no longer be what the
    // kernel holds. Such a dump is read again; numbers that stay wrong are the table's own
    // (one this version did not write), kept as read. A resetting dump cannot be repeated.
    constexpr int kAttempts = 5;
    auto got = run_members_once(nl, table, set, chain, reset, family);
    for (int attempt = 1; got && !reset && !numbered_in_full(*got) && attempt < kAttempts;
         ++attempt)
        got = run_members_once(nl, table, set, chain, reset, family);
    if (!got) return got.error();
    std::vector<Member>& members = *got;
    std::stable_sort(members.begin(), members.end(),
                     [](const Member& a, const Member& b) { return a.order < b.order; });
    std::vector<KernelRule> out;
    out.reserve(members.size());
    for (auto& m : members) out.push_back(std::move(m.rule));
    return out;
}

// Replaces each run's lookup rule by the rules of its members.
Result<std::vector<KernelRule>> expand_runs(Netlink& nl, const std::string& table,
                                            std::vector<KernelRule> rules, bool reset, uint8_t family)
{
    if (std::none_of(rules.begin(), rules.end(),
                     [](const KernelRule& r) { return !run_set_of(r).empty(); }))
        return rules;
    std::vector<KernelRule> out;
    out.reserve(rules.size());
    for (auto& r : rules) {
        std::string set = run_set_of(r);
        if (set.empty()) {
            out.push_back(std::move(r));
            continue;
        }
        auto members = run_members(nl, table, set, r.chain, reset, family);
        if (!members) return members.error();
        out.insert(out.end(), std::make_move_iterator(members->begin()),
                   std::make_move_iterator(members->end()));
    }
    return out;
}

}  // namespace

nlmsghdr* rules_request(RequestBuf& buf, const std::string& table, const std::string& chain,
                        bool reset, uint8_t family)
{
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(
        buf.bytes, reset ? kMsgGetRuleReset : static_cast<uint16_t>(NFT_MSG_GETRULE), family,
        NLM_F_DUMP, 0);
    RulePtr filter(nftnl_rule_alloc());
    nftnl_rule_set_str(filter.get(), NFTNL_RULE_TABLE, table.c_str());
    if (!chain.empty()) nftnl_rule_set_str(filter.get(), NFTNL_RULE_CHAIN, chain.c_str());
    nftnl_rule_nlmsg_build_payload(nlh, filter.get());
    return nlh;
}

nlmsghdr* set_elements_request(RequestBuf& buf, const std::string& table, const std::string& set,
                               bool reset, uint8_t family)
{
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(
        buf.bytes, reset ? kMsgGetSetElemReset : static_cast<uint16_t>(NFT_MSG_GETSETELEM),
        family, NLM_F_DUMP, 0);
    SetPtr filter(nftnl_set_alloc());
    nftnl_set_set_str(filter.get(), NFTNL_SET_TABLE, table.c_str());
    nftnl_set_set_str(filter.get(), NFTNL_SET_NAME, set.c_str());
    nftnl_set_elems_nlmsg_build_payload(nlh, filter.get());
    return nlh;
}

bool chain_from_msg(const nlmsghdr* m, const std::string& table, KernelChain& k)
{
    ChainPtr c(nftnl_chain_alloc());
    if (nftnl_chain_nlmsg_parse(m, c.get()) < 0) return false;
    if (table != str_or_empty(nftnl_chain_get_str(c.get(), NFTNL_CHAIN_TABLE))) return false;
    k.name = str_or_empty(nftnl_chain_get_str(c.get(), NFTNL_CHAIN_NAME));
    k.base = nftnl_chain_is_set(c.get(), NFTNL_CHAIN_HOOKNUM);
    k.drop = k.base && nftnl_chain_is_set(c.get(), NFTNL_CHAIN_POLICY) &&
             nftnl_chain_get_u32(c.get(), NFTNL_CHAIN_POLICY) == NF_DROP;
    k.counts = nftnl_chain_is_set(c.get(), NFTNL_CHAIN_PACKETS);
    if (k.counts) {
        k.packets = nftnl_chain_get_u64(c.get(), NFTNL_CHAIN_PACKETS);
        k.bytes = nftnl_chain_get_u64(c.get(), NFTNL_CHAIN_BYTES);
    }
    k.references = nftnl_chain_is_set(c.get(), NFTNL_CHAIN_USE)
                       ? nftnl_chain_get_u32(c.get(), NFTNL_CHAIN_USE)
                       : 0;
    k.comment.clear();
    if (nftnl_chain_is_set(c.get(), NFTNL_CHAIN_USERDATA)) {
        uint32_t len = 0;
        const void* ud = nftnl_chain_get_data(c.get(), NFTNL_CHAIN_USERDATA, &len);
        k.comment = comment_from_udata(ud, len, NFTNL_UDATA_CHAIN_COMMENT);
    }
    return true;
}

bool rule_from_msg(const nlmsghdr* m, const std::string& table, KernelRule& k)
{
    RulePtr rule(nftnl_rule_alloc());
    if (nftnl_rule_nlmsg_parse(m, rule.get()) < 0) return false;
    if (table != str_or_empty(nftnl_rule_get_str(rule.get(), NFTNL_RULE_TABLE))) return false;
    k.chain = str_or_empty(nftnl_rule_get_str(rule.get(), NFTNL_RULE_CHAIN));
    k.comment.clear();
    k.packets = k.bytes = 0;
    if (nftnl_rule_is_set(rule.get(), NFTNL_RULE_USERDATA)) {
        uint32_t len = 0;
        const void* ud = nftnl_rule_get_data(rule.get(), NFTNL_RULE_USERDATA, &len);
        k.comment = comment_from_udata(ud, len, NFTNL_UDATA_RULE_COMMENT);
    }
    nftnl_expr_foreach(
        rule.get(),
        [](nftnl_expr* e, void* data) -> int {
            auto* kr = static_cast<KernelRule*>(data);
            add_counters(e, kr->packets, kr->bytes);
            return 0;
        },
        &k);
    return true;
}

bool counter_from_msg(const nlmsghdr* m, const std::string& table, KernelCounter& k)
{
    ObjPtr o(nftnl_obj_alloc());
    if (nftnl_obj_nlmsg_parse(m, o.get()) < 0) return false;
    if (table != str_or_empty(nftnl_obj_get_str(o.get(), NFTNL_OBJ_TABLE)) ||
        nftnl_obj_get_u32(o.get(), NFTNL_OBJ_TYPE) != NFT_OBJECT_COUNTER)
        return false;
    k.name = str_or_empty(nftnl_obj_get_str(o.get(), NFTNL_OBJ_NAME));
    k.packets = nftnl_obj_get_u64(o.get(), NFTNL_OBJ_CTR_PKTS);
    k.bytes = nftnl_obj_get_u64(o.get(), NFTNL_OBJ_CTR_BYTES);
    return true;
}

Result<uint32_t> get_generation(Netlink& nl)
{
    RequestBuf buf;
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.bytes, NFT_MSG_GETGEN, AF_UNSPEC, 0, 0);
    uint32_t id = 0;
    auto r = nl.query(nlh, [&](const nlmsghdr* m) {
        std::unique_ptr<nftnl_gen, void (*)(const nftnl_gen*)> g(nftnl_gen_alloc(), nftnl_gen_free);
        if (nftnl_gen_nlmsg_parse(m, g.get()) < 0) return -1;
        id = nftnl_gen_get_u32(g.get(), NFTNL_GEN_ID);
        return MNL_CB_OK;
    });
    if (!r) return r.error();
    return id;
}

Result<std::optional<std::string>> get_table(Netlink& nl, const std::string& table, uint8_t family)
{
    RequestBuf buf;
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.bytes, NFT_MSG_GETTABLE, family, 0, 0);
    TablePtr t(nftnl_table_alloc());
    nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, table.c_str());
    nftnl_table_nlmsg_build_payload(nlh, t.get());

    std::optional<std::string> comment;
    auto r = nl.query(nlh, [&](const nlmsghdr* m) {
        TablePtr got(nftnl_table_alloc());
        if (nftnl_table_nlmsg_parse(m, got.get()) < 0) return -1;
        std::string c;
        if (nftnl_table_is_set(got.get(), NFTNL_TABLE_USERDATA)) {
            uint32_t len = 0;
            const void* ud = nftnl_table_get_data(got.get(), NFTNL_TABLE_USERDATA, &len);
            c = comment_from_udata(ud, len, NFTNL_UDATA_TABLE_COMMENT);
        }
        comment = c;
        return MNL_CB_OK;
    });
    if (!r) {
        if (r.error().code == ENOENT) return std::optional<std::string>();
        return r.error();
    }
    if (!comment) comment = std::string();
    return comment;
}

Result<std::vector<KernelChain>> dump_chains(Netlink& nl, const std::string& table, uint8_t family)
{
    RequestBuf buf;
    nlmsghdr* nlh =
        nftnl_nlmsg_build_hdr(buf.bytes, NFT_MSG_GETCHAIN, family, NLM_F_DUMP, 0);
    // Not every kernel filters chain dumps by this table attribute (rule and object dumps
    // do), so the callback checks the table as well.
    ChainPtr filter(nftnl_chain_alloc());
    nftnl_chain_set_str(filter.get(), NFTNL_CHAIN_TABLE, table.c_str());
    nftnl_chain_nlmsg_build_payload(nlh, filter.get());

    return collect<KernelChain>(nl, nlh, table, chain_from_msg);
}

Result<std::vector<KernelRule>> dump_rules(Netlink& nl, const std::string& table, bool reset,
                                          uint8_t family)
{
    RequestBuf buf;
    nlmsghdr* nlh = rules_request(buf, table, "", reset, family);

    auto rules = collect<KernelRule>(nl, nlh, table, rule_from_msg);
    if (!rules) return rules.error();
    return expand_runs(nl, table, std::move(*rules), reset, family);
}

Result<bool> chain_has_rules(Netlink& nl, const std::string& table, const std::string& chain)
{
    RequestBuf buf;
    nlmsghdr* nlh = rules_request(buf, table, chain, false, NFPROTO_IPV4);
    bool any = false;
    auto r = nl.query(nlh, [&](const nlmsghdr*) {
        any = true;
        return MNL_CB_OK;
    });
    if (!r) return r.error();
    return any;
}

Result<void> reset_rule_counters(Netlink& nl, const std::string& table, const std::string& chain,
                                 uint8_t family)
{
    RequestBuf buf;
    nlmsghdr* nlh = rules_request(buf, table, chain, true, family);
    auto rules = collect<KernelRule>(nl, nlh, table, rule_from_msg);
    if (!rules) return rules.error();
    // The rules of a run count in its set's elements.
    auto members = expand_runs(nl, table, std::move(*rules), true, family);
    if (!members) return members.error();
    return {};
}

bool reset_unsupported(const Error& e)
{
    return e.code == EINVAL || e.code == EOPNOTSUPP;
}

Result<bool> probe_counter_reset(Netlink& nl, const std::string& table)
{
    // No chain or set of ours has a space in its name.
    const std::string none = "~reset probe";
    const auto ignore = [](const nlmsghdr*) { return MNL_CB_OK; };
    RequestBuf rules_buf;
    RequestBuf elems_buf;
    for (nlmsghdr* nlh : {rules_request(rules_buf, table, none, true, NFPROTO_IPV4),
                          set_elements_request(elems_buf, table, none, true, NFPROTO_IPV4)}) {
        auto r = nl.query(nlh, ignore);
        if (r || r.error().code == ENOENT) continue;
        if (reset_unsupported(r.error())) return false;
        return r.error();
    }
    return true;
}

namespace {

// A set's size as the kernel reports it, which it does only when the set was given one: 0
// then, as ir::Set::size has it for a set without.
uint32_t reported_size(const nftnl_set* s)
{
    return nftnl_set_is_set(s, NFTNL_SET_DESC_SIZE) ? nftnl_set_get_u32(s, NFTNL_SET_DESC_SIZE)
                                                    : 0;
}

}  // namespace

Result<std::vector<std::string>> dump_set_names(Netlink& nl, const std::string& table,
                                                uint8_t family,
                                                std::map<std::string, uint32_t>* sizes)
{
    RequestBuf buf;
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.bytes, NFT_MSG_GETSET, family, NLM_F_DUMP, 0);
    SetPtr filter(nftnl_set_alloc());
    nftnl_set_set_str(filter.get(), NFTNL_SET_TABLE, table.c_str());
    nftnl_set_nlmsg_build_payload(nlh, filter.get());
    std::vector<std::string> names;
    auto r = nl.query(nlh, [&](const nlmsghdr* m) {
        SetPtr s(nftnl_set_alloc());
        if (nftnl_set_nlmsg_parse(m, s.get()) < 0) return MNL_CB_OK;
        if (table != str_or_empty(nftnl_set_get_str(s.get(), NFTNL_SET_TABLE))) return MNL_CB_OK;
        names.push_back(str_or_empty(nftnl_set_get_str(s.get(), NFTNL_SET_NAME)));
        if (sizes) (*sizes)[names.back()] = reported_size(s.get());
        return MNL_CB_OK;
    });
    if (!r) return r.error();
    return names;
}

Result<uint32_t> get_set_size(Netlink& nl, const std::string& table, const std::string& set,
                              uint8_t family)
{
    RequestBuf buf;
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.bytes, NFT_MSG_GETSET, family, 0, 0);
    SetPtr filter(nftnl_set_alloc());
    nftnl_set_set_str(filter.get(), NFTNL_SET_TABLE, table.c_str());
    nftnl_set_set_str(filter.get(), NFTNL_SET_NAME, set.c_str());
    nftnl_set_nlmsg_build_payload(nlh, filter.get());
    uint32_t size = 0;
    auto r = nl.query(nlh, [&](const nlmsghdr* m) {
        SetPtr s(nftnl_set_alloc());
        if (nftnl_set_nlmsg_parse(m, s.get()) < 0) return -1;
        size = reported_size(s.get());
        return MNL_CB_OK;
    });
    if (!r) return r.error();
    return size;
}

Result<bool> has_element(Netlink& nl, const nftnl_set* element, uint8_t family)
{
    RequestBuf buf;
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.bytes, NFT_MSG_GETSETELEM, family, 0, 0);
    nftnl_set_elems_nlmsg_build_payload(nlh, const_cast<nftnl_set*>(element));
    auto r = nl.query(nlh, [](const nlmsghdr*) { return MNL_CB_OK; });
    if (!r && r.error().code == ENOENT) return false;
    if (!r) return r.error();
    return true;
}

Result<std::vector<KernelCounter>> dump_counters(Netlink& nl, const std::string& table,
                                                uint8_t family)
{
    RequestBuf buf;
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.bytes, NFT_MSG_GETOBJ, family, NLM_F_DUMP, 0);
    ObjPtr filter(nftnl_obj_alloc());
    nftnl_obj_set_str(filter.get(), NFTNL_OBJ_TABLE, table.c_str());
    nftnl_obj_set_u32(filter.get(), NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
    nftnl_obj_nlmsg_build_payload(nlh, filter.get());

    return collect<KernelCounter>(nl, nlh, table, counter_from_msg);
}

}  // namespace ipchains::backend::nft
