#include "backend/iptc/iptc_backend.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <set>

#include "backend/iptc/kernel.h"
#include "backend/iptc/layout.h"
#include "backend/iptc/read_state.h"
#include "compile/compile.h"

namespace ipchains::backend {

namespace {

using iptc::TableHandle;

class IptcBackend : public Backend {
public:
    IptcBackend(std::string table, std::string reason)
        : table_(std::move(table)), prefix_(table_ + "-"), reason_(std::move(reason))
    {
    }

    Result<model::Ruleset> read(bool zero_counters) override
    {
        auto h = TableHandle::open("mangle");
        if (!h) return h.error();
        const auto ours = (*h)->chains(prefix_);
        auto rs = nft::rebuild_model(iptc::kernel_state(ours, prefix_), table_);
        if (!rs || !zero_counters) return rs;
        if (auto z = (*h)->zero(iptc::zeroable(ours, prefix_)); !z) return z.error();
        if (auto c = (*h)->commit(); !c) return c.error();
        return rs;
    }

    Result<void> commit(const model::Ruleset& before, const model::Ruleset& after) override
    {
        // Chains whose rules stay but whose counters the command changed (-Z): unchanged
        // kernel chains keep their own counters unless told otherwise.
        std::set<std::string> recount_owners;
        for (const auto& c : after.chains) {
            const model::Chain* b = before.find(c.name);
            if (b == nullptr || !(b->rules == c.rules)) continue;
            for (size_t i = 0; i < c.rules.size(); ++i)
                if (!(c.rules[i].counters == b->rules[i].counters)) recount_owners.insert(c.name);
        }
        compile::Options opt;
        opt.table_name = table_;
        auto t = compile::compile(after, opt);
        if (!t) return t.error();
        auto layout = iptc::make_layout(*t, prefix_);
        if (!layout) return layout.error();
        // One libiptc commit per table: executors first (layout.h), so a stamp never finds
        // its executor missing.
        for (const auto& ts : layout->tables) {
            auto h = TableHandle::open(ts.table);
            if (!h) return h.error();
            std::set<std::string> recount;
            for (const auto& [legacy, owner] : ts.owner)
                if (recount_owners.count(owner)) recount.insert(legacy);
            auto changed = (*h)->apply(ts, prefix_, recount);
            if (!changed) return changed.error();
            if (*changed)
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

    std::string describe() override
    {
        std::string s = "legacy iptables (libiptc: mangle, filter, nat; chains " + prefix_ +
                        "*); DIVERT via xt NFQUEUE";
        if (!reason_.empty()) s += "; chosen by " + reason_;
        return s;
    }

private:
    std::string table_, prefix_, reason_;
};

}  // namespace

std::unique_ptr<Backend> make_iptc_backend(const std::string& reason)
{
    std::string table = "ipchains";
    if (const char* t = getenv("IPCHAINS_TABLE"); t && *t) table = t;
    return std::unique_ptr<Backend>(new IptcBackend(table, reason));
}

bool iptc_usable(std::string* why)
{
    std::ifstream f("/proc/net/ip_tables_names");
    if (f.good()) return true;
    if (why) *why = "the kernel has no legacy iptables (no /proc/net/ip_tables_names)";
    return false;
}

}  // namespace ipchains::backend
