#include "backend/iptc/kernel.h"

#include <cerrno>
#include <map>
#include <set>

#include <libiptc/libiptc.h>

namespace ipchains::backend::iptc {

namespace {

bool starts_with(const std::string& s, const std::string& p)
{
    return s.compare(0, p.size(), p) == 0;
}

bool same_rules(const std::vector<LegacyRule>& a, const std::vector<LegacyRule>& b, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (identity(a[i]) != identity(b[i])) return false;
    return true;
}

}  // namespace

Error iptc_error(int err, const std::string& table, const std::string& what)
{
    if (err == EPERM || err == EACCES)
        return Error::kernel(err, "Permission denied (you must be root)");
    std::string text = err ? iptc_strerror(err) : "libiptc version mismatch";
    return Error::kernel(err ? err : EINVAL, text + " (legacy table " + table + ": " + what + ")");
}

Result<std::unique_ptr<TableHandle>> TableHandle::open(const std::string& table)
{
    xtc_handle* h = iptc_init(table.c_str());
    if (h == nullptr) return iptc_error(errno, table, "read");
    return std::unique_ptr<TableHandle>(new TableHandle(table, h));
}

TableHandle::~TableHandle()
{
    if (h_) iptc_free(h_);
}

Error TableHandle::failure(const std::string& what) const
{
    return iptc_error(errno, table_, what);
}

std::vector<LegacyRule> TableHandle::rules_of(const std::string& chain)
{
    std::vector<LegacyRule> out;
    for (const ipt_entry* e = iptc_first_rule(chain.c_str(), h_); e; e = iptc_next_rule(e, h_))
        out.push_back(parse_entry(e, iptc_get_target(e, h_)));
    return out;
}

std::vector<LegacyChain> TableHandle::chains(const std::string& prefix)
{
    std::vector<std::string> names;
    for (const char* c = iptc_first_chain(h_); c; c = iptc_next_chain(h_))
        if (!iptc_builtin(c, h_) && starts_with(c, prefix)) names.push_back(c);
    std::vector<LegacyChain> out;
    for (const auto& n : names) out.push_back({n, rules_of(n)});
    return out;
}

bool TableHandle::has_chain(const std::string& name)
{
    return iptc_is_chain(name.c_str(), h_) != 0;
}

size_t TableHandle::foreign_rules(const std::string& prefix)
{
    std::vector<std::string> names;
    for (const char* c = iptc_first_chain(h_); c; c = iptc_next_chain(h_)) names.push_back(c);
    size_t n = 0;
    for (const auto& c : names) {
        const bool builtin = iptc_builtin(c.c_str(), h_);
        if (!builtin && starts_with(c, prefix)) continue;
        if (!builtin) ++n;  // a foreign user chain counts even when empty
        for (const auto& r : rules_of(c))
            if (!(builtin && r.standard && starts_with(r.label, prefix))) ++n;
    }
    return n;
}

Result<bool> TableHandle::apply(const TableState& want, const std::string& prefix,
                                const std::set<std::string>& recount_owners,
                                const std::map<std::string, std::string>& owner_now)
{
    bool changed = false;
    std::map<std::string, std::vector<LegacyRule>> have;
    for (auto& c : chains(prefix)) have[c.name] = std::move(c.rules);

    // 0. `want` gives a rule's totals to its primary copy only (layout.cpp), while a chain that
    //    stays or only grows keeps its own share: so when any legacy chain of an ipchains
    //    chain is created, refilled or removed, all of them are recounted (docs/design.md
    //    "Counters of a chain with copies").
    std::set<std::string> wanted_names, owners_to_recount = recount_owners;
    for (const auto& c : want.chains) wanted_names.insert(c.name);
    for (const auto& [name, rules] : have) {
        auto owner = owner_now.find(name);
        if (!wanted_names.count(name) && owner != owner_now.end())
            owners_to_recount.insert(owner->second);
    }
    for (const auto& c : want.chains) {
        auto old = have.find(c.name);
        const bool grows = old != have.end() && old->second.size() <= c.rules.size() &&
                           same_rules(old->second, c.rules, old->second.size());
        auto owner = want.owner.find(c.name);
        if (!grows && owner != want.owner.end()) owners_to_recount.insert(owner->second);
    }
    std::set<std::string> recount;
    for (const auto& [legacy, owner] : want.owner)
        if (owners_to_recount.count(owner)) recount.insert(legacy);

    // 1. Every wanted chain exists before any rule jumps to it.
    for (const auto& c : want.chains) {
        if (have.count(c.name)) continue;
        if (!iptc_create_chain(c.name.c_str(), h_)) return failure("create chain " + c.name);
        have[c.name];
        changed = true;
    }

    // 2. Contents: untouched when equal, appended when extended, else refilled.
    for (const auto& c : want.chains) {
        const auto& old = have[c.name];
        size_t keep = 0;
        if (old.size() <= c.rules.size() && same_rules(old, c.rules, old.size())) {
            keep = old.size();
            if (recount.count(c.name) && keep > 0) {
                // Zeroed first: libiptc then keeps what arrives until the commit.
                if (!iptc_zero_entries(c.name.c_str(), h_)) return failure("zero " + c.name);
                for (size_t i = 0; i < keep; ++i) {
                    if (!c.rules[i].packets && !c.rules[i].bytes) continue;
                    xt_counters ctr{c.rules[i].packets, c.rules[i].bytes};
                    if (!iptc_set_counter(c.name.c_str(), static_cast<unsigned>(i + 1), &ctr, h_))
                        return failure("set counters in " + c.name);
                }
                changed = true;
            }
        } else {
            if (!iptc_flush_entries(c.name.c_str(), h_)) return failure("flush " + c.name);
            changed = true;
        }
        for (size_t i = keep; i < c.rules.size(); ++i) {
            const auto entry = build_entry(c.rules[i]);
            if (!iptc_append_entry(c.name.c_str(), reinterpret_cast<const ipt_entry*>(entry.data()),
                                   h_))
                return failure("append to " + c.name);
            if (c.rules[i].packets || c.rules[i].bytes) {
                xt_counters ctr{c.rules[i].packets, c.rules[i].bytes};
                if (!iptc_set_counter(c.name.c_str(), static_cast<unsigned>(i + 1), &ctr, h_))
                    return failure("set counters in " + c.name);
            }
            changed = true;
        }
    }

    // 3. Our jump rules at the top of built-in chains; foreign rules keep their order.
    std::vector<std::string> builtins;
    for (const char* c = iptc_first_chain(h_); c; c = iptc_next_chain(h_))
        if (iptc_builtin(c, h_)) builtins.push_back(c);
    for (const auto& b : builtins) {
        std::vector<LegacyRule> wanted;
        for (const auto& [name, rules] : want.hooks)
            if (name == b) wanted = rules;
        const auto rules = rules_of(b);
        std::vector<size_t> ours;
        for (size_t i = 0; i < rules.size(); ++i)
            if (rules[i].standard && starts_with(rules[i].label, prefix)) ours.push_back(i);
        bool in_place = ours.size() == wanted.size();
        for (size_t i = 0; in_place && i < ours.size(); ++i)
            in_place = ours[i] == i && identity(rules[i]) == identity(wanted[i]);
        if (in_place) continue;
        for (auto it = ours.rbegin(); it != ours.rend(); ++it)
            if (!iptc_delete_num_entry(b.c_str(), static_cast<unsigned>(*it), h_))
                return failure("delete from " + b);
        for (size_t i = 0; i < wanted.size(); ++i) {
            const auto entry = build_entry(wanted[i]);
            if (!iptc_insert_entry(b.c_str(), reinterpret_cast<const ipt_entry*>(entry.data()),
                                   static_cast<unsigned>(i), h_))
                return failure("insert into " + b);
        }
        changed = true;
    }

    // 4. Chains we no longer need: emptied first, since they may jump to one another.
    std::vector<std::string> gone;
    for (const auto& [name, rules] : have)
        if (!wanted_names.count(name)) gone.push_back(name);
    for (const auto& n : gone)
        if (!iptc_flush_entries(n.c_str(), h_)) return failure("flush " + n);
    for (const auto& n : gone)
        if (!iptc_delete_chain(n.c_str(), h_)) return failure("delete chain " + n);
    if (!gone.empty()) changed = true;
    return changed;
}

Result<void> TableHandle::zero(const std::vector<std::string>& chains)
{
    for (const auto& c : chains)
        if (!iptc_zero_entries(c.c_str(), h_)) return failure("zero " + c);
    return {};
}

Result<void> TableHandle::commit()
{
    if (iptc_commit(h_)) return {};
    // The kernel's one concurrency check: the table no longer has the number of entries it
    // had when we snapshot it. Nothing was replaced; the command can run again.
    if (errno == EAGAIN)
        return Error::kernel(ERESTART, "the ruleset changed while this command ran (another "
                                       "program updated legacy table " + table_ + ")");
    return failure("commit");
}

}  // namespace ipchains::backend::iptc
