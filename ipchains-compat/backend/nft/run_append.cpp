#include "backend/nft/run_append.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "backend/nft/dump.h"
#include "backend/nft/nftnl_ptr.h"
#include "backend/nft/serialize.h"
#include "backend/nft/udata.h"
#include "compile/compile.h"
#include "compile/runs.h"
#include "parse/parser.h"

namespace ipchains::backend::nft {

namespace {

// The chain's last rule: its comment and, for a lookup, the key fields it loads; the rule
// itself, as the kernel listed it, and the tally the fast path left in it.
struct LastRule {
    std::string comment;
    bool lookup = false;
    bool vmap = false;  // the lookup gives the verdict: a verdict map
    std::vector<ir::SetField> fields;
    RulePtr rule;
    std::optional<RunTally> tally;
};

// The key field an expression loads, as serialize_match.cpp writes a run's lookup.
std::optional<ir::SetField> loaded_field(nftnl_expr* e, const char* name)
{
    using F = ir::SetField;
    const bool payload = strcmp(name, "payload") == 0;
    if (!payload && !(strcmp(name, "meta") == 0 && nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG)))
        return std::nullopt;
    for (F f : {F::SourceAddr, F::DestAddr, F::Proto, F::SourcePort, F::DestPort, F::InIface,
                F::OutIface}) {
        FieldLoad load = field_load(f);
        if (load.meta == payload) continue;
        if (payload ? nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE) == load.base &&
                          nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET) == load.offset
                    : nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY) == load.meta_key)
            return f;
    }
    return std::nullopt;
}

Result<LastRule> last_rule(Netlink& nl, const std::string& table, const std::string& chain)
{
    RequestBuf buf;
    nlmsghdr* nlh = rules_request(buf, table, chain, false, NFPROTO_IPV4);
    LastRule last;
    auto r = nl.query(nlh, [&](const nlmsghdr* m) {
        RulePtr rule(nftnl_rule_alloc());
        if (nftnl_rule_nlmsg_parse(m, rule.get()) < 0) return MNL_CB_OK;
        LastRule l;
        if (nftnl_rule_is_set(rule.get(), NFTNL_RULE_USERDATA)) {
            uint32_t len = 0;
            const void* ud = nftnl_rule_get_data(rule.get(), NFTNL_RULE_USERDATA, &len);
            l.comment = comment_from_udata(ud, len, NFTNL_UDATA_RULE_COMMENT);
            l.tally = run_tally_from_udata(ud, len);
        }
        // The loads right before the lookup are its key, in order; any other expression
        // (a comparison of an earlier match) starts the list anew.
        struct Walk {
            LastRule* l;
            std::vector<ir::SetField> loads;
        } walk{&l, {}};
        nftnl_expr_foreach(
            rule.get(),
            [](nftnl_expr* e, void* data) -> int {
                auto* w = static_cast<Walk*>(data);
                const char* name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
                if (!name) return 0;
                if (strcmp(name, "lookup") == 0) {
                    w->l->lookup = true;
                    w->l->vmap = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG);
                    w->l->fields = w->loads;
                } else if (auto f = loaded_field(e, name)) {
                    w->loads.push_back(*f);
                } else {
                    w->loads.clear();
                }
                return 0;
            },
            &walk);
        l.rule = std::move(rule);
        last = std::move(l);
        return MNL_CB_OK;
    });
    if (!r) return r.error();
    return last;
}

// What the set holds, read straight from the dump (RunElements): a run of thousands of members
// is read on every append, and parsing each element into libnftnl objects cost most of it.
Result<RunElements> members(Netlink& nl, const std::string& table, const std::string& set,
                            const std::vector<ir::SetField>& fields)
{
    RequestBuf buf;
    nlmsghdr* nlh = set_elements_request(buf, table, set, false, NFPROTO_IPV4);
    RunElements out(fields);
    auto r = nl.query(nlh, [&](const nlmsghdr* m) {
        out.add_message(m);
        return MNL_CB_OK;
    });
    if (!r) return r.error();
    return out;
}

// What the append needs to know of the run: its member count, one member's save line (they
// differ only in the key), and whether its set holds ranges.
struct RunView {
    size_t members = 0;
    std::string sample;
    bool interval = false;
    std::optional<RunElements> elements;  // when read from the kernel: for the overlap test
};

// The run as the tally in its lookup rule tells it, when no transaction has been committed
// since the fast path wrote it (its generation is still the kernel's): then the set holds
// exactly what it did, and the dump of every member is not needed.
std::optional<RunView> view_from_tally(const LastRule& last, uint32_t generation)
{
    if (!last.tally || last.tally->generation != generation || last.tally->members == 0)
        return std::nullopt;
    RunView v;
    v.members = last.tally->members;
    v.sample = last.tally->sample;
    return v;
}

Result<std::optional<RunView>> view_from_kernel(Netlink& nl, const std::string& table,
                                                const std::string& set, const LastRule& last)
{
    auto m = members(nl, table, set, last.fields);
    if (!m) return m.error();
    // Numbers 1..count, each once: anything else is not a table this version wrote, or a dump
    // that saw the set's hash table resized (compile::run_numbers_complete); the full commit
    // reads again.
    if (!m->keys_valid() || m->sample().empty() || !m->numbers_complete())
        return std::optional<RunView>();
    RunView v;
    v.members = m->members();
    v.sample = m->sample();
    v.interval = m->interval();
    v.elements = std::move(*m);
    return std::optional<RunView>(std::move(v));
}

// Gives the lookup rule, as the kernel listed it, the tally of the run after this append in
// its userdata: it then takes the place of the listed rule in the same transaction. False
// when the tally does not fit (the rule keeps none and the next append reads the members).
bool put_tally(LastRule& last, const RunTally& tally)
{
    if (!put_run_tally(last.rule.get(), last.comment, tally)) return false;
    nftnl_rule_unset(last.rule.get(), NFTNL_RULE_POSITION);
    return true;
}

}  // namespace

Result<bool> append_to_run(Netlink& nl, const std::string& table, const std::string& chain,
                           ir::Hook hook, const ir::Rule& rule, uint32_t generation, Batch& batch)
{
    auto last = last_rule(nl, table, chain);
    if (!last) return last.error();
    const std::string prefix = compile::kRunRulePrefix;
    if (!last->lookup || last->fields.empty() ||
        last->comment.compare(0, prefix.size(), prefix) != 0)
        return false;
    std::string set = last->comment.substr(prefix.size());

    std::optional<RunView> view = view_from_tally(*last, generation);
    if (!view) {
        auto read = view_from_kernel(nl, table, set, *last);
        if (!read) return read.error();
        if (!*read) return false;
        view = std::move(*read);
    }
    parse::ParseOptions popt;
    popt.restore_line = true;
    popt.resolve_names = false;
    popt.forward_warning = 0;
    auto cmd = parse::parse_command(parse::split_words(view->sample), popt);
    if (!cmd || cmd->rules.size() != 1) return false;
    ir::Rule member = compile::compile_rule(cmd->chain, cmd->rules[0], hook);
    auto element = compile::run_member(member, rule, last->fields, last->vmap);
    if (!element) return false;
    // A host set cannot take a range.
    if (compile::needs_interval(last->fields, element->key) && !view->interval) return false;

    ir::Set s;
    s.name = set;
    s.chain = chain;
    s.interval = view->interval;
    s.fields = last->fields;
    s.map = last->vmap;
    s.elements.push_back(*element);
    if (view->elements) {
        if (view->elements->overlaps(element->key)) return false;
    } else {
        // A tally is only written for a set of single values (below): there a key overlaps a
        // member only by being one.
        auto probe = make_set_elements(table, s, {0}, ElementContent::KeysOnly);
        auto found = has_element(nl, probe.at(0).get());
        if (!found) return found.error();
        if (*found) return false;
    }
    // The set as the full commit would compile it with this member: its size must be the
    // kernel's, or the kernel refuses the element beyond it (a hash set that outgrows its
    // size is rebuilt bigger, compile::run_set_size). Read from the kernel, not inferred from
    // the count: a set an older version or another tool created may have any size or none.
    const size_t members = view->members + 1;
    const uint32_t want = compile::run_set_size(s, members);
    auto size = get_set_size(nl, table, set);
    if (!size) return size.error();
    if (*size != want) return false;
    s.elements.back().comment = compile::run_member_comment(members, rule.comment);
    for (const auto& o : make_set_elements(table, s, {0}, ElementContent::Counts))
        batch.add_elements(o.get(), set);
    // The batch runs only at `generation` (Batch's genid): when it commits, the kernel's
    // generation becomes the next one, and the tally is true for exactly that generation.
    if (!view->interval) {
        RunTally tally{generation_after_commit(generation), static_cast<uint32_t>(members),
                       rule.comment};
        if (put_tally(*last, tally)) batch.replace_rule(last->rule.get(), chain);
    }
    return true;
}

}  // namespace ipchains::backend::nft
