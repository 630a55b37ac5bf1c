#include "backend/nft/run_append.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "backend/nft/nftnl_ptr.h"
#include "backend/nft/serialize.h"
#include "backend/nft/udata.h"
#include "compile/compile.h"
#include "compile/runs.h"
#include "parse/parser.h"

namespace ipchains::backend::nft {

namespace {

struct RequestBuf {
    alignas(nlmsghdr) char bytes[1024];
};

// The chain's last rule: its comment and, for a lookup, which address it looks up.
struct LastRule {
    std::string comment;
    bool lookup = false;
    bool source = true;
};

Result<LastRule> last_rule(Netlink& nl, const std::string& table, const std::string& chain)
{
    RequestBuf buf;
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.bytes, NFT_MSG_GETRULE, NFPROTO_IPV4, NLM_F_DUMP, 0);
    RulePtr filter(nftnl_rule_alloc());
    nftnl_rule_set_str(filter.get(), NFTNL_RULE_TABLE, table.c_str());
    nftnl_rule_set_str(filter.get(), NFTNL_RULE_CHAIN, chain.c_str());
    nftnl_rule_nlmsg_build_payload(nlh, filter.get());
    LastRule last;
    auto r = nl.query(nlh, [&](const nlmsghdr* m) {
        RulePtr rule(nftnl_rule_alloc());
        if (nftnl_rule_nlmsg_parse(m, rule.get()) < 0) return MNL_CB_OK;
        LastRule l;
        if (nftnl_rule_is_set(rule.get(), NFTNL_RULE_USERDATA)) {
            uint32_t len = 0;
            const void* ud = nftnl_rule_get_data(rule.get(), NFTNL_RULE_USERDATA, &len);
            l.comment = comment_from_udata(ud, len, NFTNL_UDATA_RULE_COMMENT);
        }
        struct Walk {
            LastRule* l;
            uint32_t offset = 0;
        } walk{&l};
        nftnl_expr_foreach(
            rule.get(),
            [](nftnl_expr* e, void* data) -> int {
                auto* w = static_cast<Walk*>(data);
                const char* name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
                if (!name) return 0;
                if (strcmp(name, "payload") == 0)
                    w->offset = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
                if (strcmp(name, "lookup") == 0) {
                    w->l->lookup = true;
                    w->l->source = w->offset == 12;  // ip saddr; 16 is ip daddr
                }
                return 0;
            },
            &walk);
        last = l;
        return MNL_CB_OK;
    });
    if (!r) return r.error();
    return last;
}

// What the set holds: the address ranges of its members, the highest member number and one
// member's save line.
struct Members {
    std::map<uint32_t, uint32_t> ranges;  // first -> last address
    size_t count = 0;
    size_t highest = 0;
    std::string sample;
    bool interval = false;
};

Result<Members> members(Netlink& nl, const std::string& table, const std::string& set)
{
    RequestBuf buf;
    nlmsghdr* nlh =
        nftnl_nlmsg_build_hdr(buf.bytes, NFT_MSG_GETSETELEM, NFPROTO_IPV4, NLM_F_DUMP, 0);
    SetPtr filter(nftnl_set_alloc());
    nftnl_set_set_str(filter.get(), NFTNL_SET_TABLE, table.c_str());
    nftnl_set_set_str(filter.get(), NFTNL_SET_NAME, set.c_str());
    nftnl_set_elems_nlmsg_build_payload(nlh, filter.get());
    Members out;
    std::vector<std::pair<uint32_t, bool>> keys;  // key, is an interval end
    auto r = nl.query(nlh, [&](const nlmsghdr* m) {
        SetPtr got(nftnl_set_alloc());
        if (nftnl_set_elems_nlmsg_parse(m, got.get()) < 0) return MNL_CB_OK;
        nftnl_set_elems_iter* it = nftnl_set_elems_iter_create(got.get());
        for (nftnl_set_elem* e = nftnl_set_elems_iter_next(it); e;
             e = nftnl_set_elems_iter_next(it)) {
            uint32_t len = 0;
            const void* k = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
            uint32_t key = 0;
            if (k && len == 4) memcpy(&key, k, 4);
            bool end = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
                       (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) &
                        NFT_SET_ELEM_INTERVAL_END);
            keys.emplace_back(ntohl(key), end);
            if (end) {
                out.interval = true;
                continue;
            }
            ++out.count;
            if (!nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_USERDATA)) continue;
            const void* ud = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &len);
            std::string comment = comment_from_udata(ud, len, NFTNL_UDATA_SET_ELEM_COMMENT);
            size_t n = 0;
            std::string line;
            if (!compile::parse_run_member_comment(comment, n, line)) continue;
            if (n > out.highest) out.highest = n;
            if (out.sample.empty()) out.sample = line;
        }
        nftnl_set_elems_iter_destroy(it);
        return MNL_CB_OK;
    });
    if (!r) return r.error();
    // A member is a start key, up to the next end key (or to the top); a host set has starts only.
    std::sort(keys.begin(), keys.end());
    for (size_t i = 0; i < keys.size(); ++i) {
        if (keys[i].second) continue;
        uint32_t last = keys[i].first;
        if (out.interval) {
            last = 0xFFFFFFFFu;
            if (i + 1 < keys.size() && keys[i + 1].second) last = keys[i + 1].first - 1;
        }
        out.ranges[keys[i].first] = last;
    }
    return out;
}

bool overlaps(const std::map<uint32_t, uint32_t>& ranges, uint32_t lo, uint32_t hi)
{
    auto it = ranges.upper_bound(hi);
    if (it == ranges.begin()) return false;
    --it;
    return it->second >= lo;
}

}  // namespace

Result<bool> append_to_run(Netlink& nl, const std::string& table, const std::string& chain,
                           ir::Hook hook, const ir::Rule& rule, Batch& batch)
{
    auto last = last_rule(nl, table, chain);
    if (!last) return last.error();
    const std::string prefix = compile::kRunRulePrefix;
    if (!last->lookup || last->comment.compare(0, prefix.size(), prefix) != 0) return false;
    std::string set = last->comment.substr(prefix.size());

    auto m = members(nl, table, set);
    if (!m) return m.error();
    // Numbers 1..count in the kernel: anything else is not a table this version wrote.
    if (m->sample.empty() || m->highest != m->count) return false;
    parse::ParseOptions popt;
    popt.restore_line = true;
    popt.resolve_names = false;
    popt.forward_warning = 0;
    auto cmd = parse::parse_command(parse::split_words(m->sample), popt);
    if (!cmd || cmd->rules.size() != 1) return false;
    ir::Rule member = compile::compile_rule(cmd->chain, cmd->rules[0], hook);
    if (!compile::extends_run(member, rule, last->source)) return false;
    ir::Addr a = compile::run_member_address(rule, last->source);
    if (a.mask != 0xFFFFFFFFu && !m->interval) return false;  // a host set cannot take a network
    uint32_t lo = a.addr, hi = a.addr | ~a.mask;
    if (overlaps(m->ranges, lo, hi)) return false;

    ir::Set s;
    s.name = set;
    s.chain = chain;
    s.interval = m->interval;
    s.elements.push_back(
        ir::SetElement{a.addr, a.mask, {}, compile::run_member_comment(m->count + 1, rule.comment)});
    for (const auto& o : make_set_elements(table, s, {0}, ElementContent::Counts))
        batch.add_elements(o.get(), set);
    return true;
}

}  // namespace ipchains::backend::nft
