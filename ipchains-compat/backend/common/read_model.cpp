#include "backend/common/read_model.h"

#include <algorithm>
#include <cerrno>
#include <map>
#include <unordered_map>

#include "compile/compile.h"
#include "parse/parser.h"

namespace ipchains::backend::common {

namespace {

struct ChainParts {
    compile::ChainTag first;                          // the tag that introduced the chain
    std::map<int, std::map<int, std::string>> segs;   // instance -> segment -> nft chain
};

Error bad_table(const std::string& table, const std::string& what)
{
    Error e = Error::kernel(EINVAL, "table ip " + table + ": " + what);
    e.exit_status = 3;
    return e;
}

}  // namespace

Result<model::Ruleset> rebuild_model(const KernelState& k, const std::string& table)
{
    if (!k.table_exists) return model::Ruleset::initial();

    model::Ruleset rs;
    std::map<std::string, ChainParts> parts;
    for (const auto& kc : k.chains) {
        if (kc.name == compile::kPassthroughChain) {
            rs.divert_passthrough = true;
            continue;
        }
        if (auto site = compile::parse_continuation_comment(kc.comment)) {
            rs.resume_sites[site->key] = site->id;
            continue;
        }
        auto tag = compile::parse_chain_comment(kc.comment);
        if (!tag) continue;  // layout chain
        if (auto format = compile::format_of_chain(tag->name)) {
            if (*format > compile::kTableFormat)
                return bad_table(table, "written by a newer ipchains-divert (table format " +
                                            std::to_string(*format) + ", this version reads " +
                                            std::to_string(compile::kTableFormat) + ")");
            continue;
        }
        auto [it, fresh] = parts.try_emplace(tag->name);
        if (fresh) it->second.first = *tag;
        it->second.segs[tag->instance][tag->segment] = kc.name;
    }

    // Rules arrive grouped by chain, each chain's rules in order.
    std::unordered_map<std::string, std::vector<const KernelRule*>> carriers;
    for (const auto& kr : k.rules)
        if (!kr.comment.empty()) carriers[kr.chain].push_back(&kr);
    auto for_each_carrier = [&](const std::map<int, std::string>& segs, auto&& fn) {
        for (const auto& [seg, nft_name] : segs) {
            auto c = carriers.find(nft_name);
            if (c == carriers.end()) continue;
            for (const KernelRule* kr : c->second) fn(*kr);
        }
    };
    auto carrier_count = [&](const std::map<int, std::string>& segs) {
        size_t n = 0;
        for (const auto& [seg, nft_name] : segs)
            if (auto c = carriers.find(nft_name); c != carriers.end()) n += c->second.size();
        return n;
    };

    std::vector<const ChainParts*> order;
    for (const auto& [name, p] : parts) order.push_back(&p);
    std::stable_sort(order.begin(), order.end(), [](const ChainParts* a, const ChainParts* b) {
        return a->first.position < b->first.position;
    });

    std::unordered_map<std::string, const KernelCounter*> counters;
    for (const auto& c : k.counters) counters[c.name] = &c;
    std::unordered_map<std::string, const KernelChain*> hook_chains, base_chains;
    for (const auto& c : k.chains) {
        if (c.counts) hook_chains[c.name] = &c;
        if (c.base) base_chains[c.name] = &c;
    }
    // A policy the tag leaves to the base chain: that of the built-in chain itself when it is
    // its hook's base chain, else that of its hook chain (docs/design.md "Chain layout").
    auto policy_of_base = [&](const std::string& builtin) {
        for (const std::string& base : {builtin, compile::hook_chain_name(builtin)})
            if (auto b = base_chains.find(base); b != base_chains.end())
                return b->second->drop ? model::Policy::Deny : model::Policy::Accept;
        return model::Policy::Accept;
    };

    parse::ParseOptions popt;
    popt.restore_line = true;
    popt.resolve_names = false;
    popt.forward_warning = 0;
    for (const ChainParts* p : order) {
        model::Chain chain;
        chain.name = p->first.name;
        chain.policy = p->first.policy_in_base ? policy_of_base(chain.name) : p->first.policy;
        auto primary = p->segs.find(0);
        if (primary != p->segs.end()) {
            // Each carrier holds the save line of one rule.
            chain.rules.reserve(carrier_count(primary->second));
            Error failed;
            bool ok = true;
            for_each_carrier(primary->second, [&](const KernelRule& kr) {
                if (!ok) return;
                auto cmd = parse::parse_command(parse::split_words(kr.comment), popt);
                if (!cmd) {
                    failed = bad_table(table, "cannot read rule `" + kr.comment + "': " +
                                                  cmd.error().message);
                    ok = false;
                    return;
                }
                for (auto& r : cmd->rules) chain.rules.push_back(std::move(r));
            });
            if (!ok) return failed;
        }
        for (const auto& [instance, segs] : p->segs) {
            size_t index = 0;
            for_each_carrier(segs, [&](const KernelRule& kr) {
                if (index < chain.rules.size()) {
                    chain.rules[index].counters.packets += kr.packets;
                    chain.rules[index].counters.bytes += kr.bytes;
                }
                ++index;
            });
        }
        if (chain.builtin()) {
            // In a base chain's own counters or in the counter object, whichever the layout
            // put it in (compile::Options::base_chain_policy); a commit that moves it from one
            // place to another removes the first in the same transaction, so the sum is the
            // count.
            auto c = counters.find(compile::policy_counter_name(chain.name));
            if (c != counters.end())
                chain.policy_counters = model::Counters{c->second->packets, c->second->bytes};
            // The base chain is its hook chain, or the built-in chain itself when nothing of
            // the layout comes before it (docs/design.md "Chain layout").
            for (const std::string& base : {compile::hook_chain_name(chain.name), chain.name}) {
                auto h = hook_chains.find(base);
                if (h == hook_chains.end()) continue;
                chain.policy_counters.packets += h->second->packets;
                chain.policy_counters.bytes += h->second->bytes;
            }
        }
        rs.chains.push_back(std::move(chain));
    }

    // The built-in chains always exist and come first, in 2.2's order.
    std::vector<model::Chain> ordered;
    for (const char* b : {"input", "forward", "output"}) {
        auto it = std::find_if(rs.chains.begin(), rs.chains.end(),
                               [b](const model::Chain& c) { return c.name == b; });
        if (it == rs.chains.end()) {
            model::Chain c;
            c.name = b;
            c.policy = model::Policy::Accept;
            ordered.push_back(std::move(c));
        } else {
            if (!it->policy) it->policy = model::Policy::Accept;
            ordered.push_back(std::move(*it));
            rs.chains.erase(it);
        }
    }
    for (auto& c : rs.chains) {
        c.policy.reset();  // only the built-ins carry one
        ordered.push_back(std::move(c));
    }
    rs.chains = std::move(ordered);
    return rs;
}

}  // namespace ipchains::backend::common
