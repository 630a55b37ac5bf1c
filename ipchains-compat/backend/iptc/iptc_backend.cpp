#include "backend/iptc/iptc_backend.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "backend/common/read_model.h"
#include "backend/iptc/kernel.h"
#include "backend/iptc/layout.h"
#include "backend/iptc/read_state.h"
#include "backend/iptc/xtables_lock.h"
#include "compile/compile.h"
#include "model/prefix6.h"

namespace ipchains::backend {

namespace {

using iptc::TableHandle;

class IptcBackend : public Backend {
public:
    IptcBackend(std::string table, std::string reason)
        : table_(std::move(table)), prefix_(table_ + "-"), reason_(std::move(reason))
    {
    }

    Result<Snapshot> read(bool zero_counters) override
    {
        // Reading and zeroing is one commit: nobody may replace mangle in between.
        std::optional<iptc::XtablesLock> lock;
        if (zero_counters) {
            auto l = iptc::XtablesLock::acquire();
            if (!l) return l.error();
            lock.emplace(std::move(*l));
        }
        auto h = TableHandle::open("mangle");
        if (!h) return h.error();
        const auto ours = (*h)->chains(prefix_);
        const common::KernelState k = iptc::kernel_state(ours, prefix_);
        auto rs = common::rebuild_model(k, table_);
        if (!rs) return rs.error();
        Snapshot snap;
        snap.ruleset = std::move(*rs);
        snap.table_exists = k.table_exists;
        snap.generation = fingerprint(ours);
        snap.chains = k.chains;
        if (!zero_counters) return snap;
        if (auto z = (*h)->zero(iptc::zeroable(ours, prefix_)); !z) return z.error();
        if (auto c = (*h)->commit(); !c) return c.error();
        return snap;
    }

    Result<void> commit(const Snapshot& before, const model::Change& change) override
    {
        // No ip6tables here (docs/ipfw.md "IPv6"): refused before anything is sent.
        if (model::has_ip6_rules(change.after))
            return Error::kernel(EAFNOSUPPORT, "IPv6 (ip6) rules need the nft backend; the "
                                               "legacy backend has no ip6tables support");
        compile::Options opt;
        opt.table_name = table_;
        auto t = compile::compile(change.after, opt);
        if (!t) return t.error();
        auto layout = iptc::make_layout(*t, prefix_);
        if (!layout) return layout.error();
        // Which ipchains chain each of our legacy chains carries now. TableHandle::apply
        // recounts every chain of an ipchains chain one of whose legacy chains comes, goes or is
        // rebuilt (docs/design.md "Counters of a chain with copies"); here that also happens
        // when the IR only grows, as when a first REJECT turns a copy's ACCEPT into a goto.
        // Tagged chains are all in mangle, and the staleness check below holds it as read.
        const auto owner_now = iptc::chain_owners(before.chains, prefix_);
        // Unchanged kernel chains keep their own counters unless -Z reset them.
        std::set<std::string> recount = change.zeroed;
        recount.insert(change.recounted.begin(), change.recounted.end());
        // The model came from our mangle chains: if they are no longer what the read saw,
        // another program committed in between and `after` would undo its change. (libiptc
        // itself only notices a changed entry count between its own snapshot and commit.)
        // Under the lock from the staleness check to the last commit: libiptc commits in two
        // steps (replace, then add the counters counted meanwhile), and a replace by someone
        // else between them fails ours half-way (EINVAL) after it went in.
        auto lock = iptc::XtablesLock::acquire();
        if (!lock) return lock.error();
        std::unique_ptr<TableHandle> mangle;
        if (before.generation) {
            auto h = TableHandle::open("mangle");
            if (!h) return h.error();
            mangle = std::move(*h);
            const bool stale = fingerprint(mangle->chains(prefix_)) != *before.generation;
            if (stale)
                return Error::kernel(ERESTART, "the ruleset changed while this command ran "
                                               "(another program updated legacy table mangle)");
        }
        // One libiptc commit per table: executors first (layout.h), so a stamp never finds
        // its executor missing.
        for (const auto& ts : layout->tables) {
            // Opening a table instantiates it in the namespace: a nat table would register
            // NAT hooks for nothing (docs/differences.md 1.1). One that exists may still hold
            // our chains from when the ruleset had MASQ or REDIRECT: those go.
            if (ts.chains.empty() && ts.hooks.empty() && !table_instantiated(ts.table)) continue;
            std::unique_ptr<TableHandle> opened;
            if (ts.table == "mangle" && mangle) {
                opened = std::move(mangle);
            } else {
                auto o = TableHandle::open(ts.table);
                if (!o) return o.error();
                opened = std::move(*o);
            }
            auto* h = &opened;
            auto changed = (*h)->apply(ts, prefix_, recount, owner_now);
            if (!changed) return changed.error();
            if (!*changed) continue;
            if (auto c = (*h)->commit(); !c) return c.error();
        }
        return {};
    }

    // libiptc reads and rewrites the whole table on every commit, so appending without
    // reading saves nothing: the slow path is as fast here.
    Result<bool> append_fast(const std::string&, const std::vector<model::Rule>&) override
    {
        return false;
    }
    Result<bool> policy_fast(const std::string&, model::Policy) override { return false; }

    std::string describe() override
    {
        std::string s = "legacy iptables (libiptc: mangle, filter, nat; chains " + prefix_ +
                        "*); DIVERT via xt NFQUEUE";
        if (!reason_.empty()) s += "; chosen by " + reason_;
        return s;
    }

private:
    // /proc/net/ip_tables_names lists the tables this network namespace has instantiated.
    static bool table_instantiated(const std::string& table)
    {
        std::ifstream f("/proc/net/ip_tables_names");
        std::string line;
        while (std::getline(f, line))
            if (line == table) return true;
        return false;
    }

    // Our mangle chains without counters, hashed: what commit compares with the snapshot's.
    static uint64_t fingerprint(const std::vector<iptc::LegacyChain>& chains)
    {
        std::string all;
        for (const auto& c : chains) {
            all += c.name + "\n";
            for (const auto& r : c.rules) all += iptc::identity(r) + "\n";
        }
        return std::hash<std::string>{}(all);
    }

    std::string table_, prefix_, reason_;
};

}  // namespace

std::unique_ptr<Backend> make_iptc_backend(const std::string& reason)
{
    std::string table = "ipchains";
    if (const char* t = getenv("IPCHAINS_DIVERT_TABLE"); t && *t) table = t;
    return std::unique_ptr<Backend>(new IptcBackend(table, reason));
}

bool iptc_usable(std::string* why)
{
    std::ifstream f("/proc/net/ip_tables_names");
    if (f.good()) return true;
    if (why) *why = "the kernel has no legacy iptables (no /proc/net/ip_tables_names)";
    return false;
}

LegacyPresence probe_legacy(const std::string& table_name)
{
    LegacyPresence p;
    std::ifstream f("/proc/net/ip_tables_names");
    p.available = f.good();
    const std::string prefix = table_name + "-";
    for (std::string t; std::getline(f, t);) {
        if (t.empty()) continue;
        auto h = TableHandle::open(t);
        if (!h) continue;
        if (t == "mangle" && (*h)->has_chain(prefix + iptc::kMetaChain)) p.has_ours = true;
        p.foreign += (*h)->foreign_rules(prefix);
    }
    return p;
}

}  // namespace ipchains::backend
