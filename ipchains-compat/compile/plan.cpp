// make_plan: instances, segments, DIVERT sites and REDIRECT ids of a ruleset.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <utility>

#include "compile/compile.h"
#include "compile/plan.h"
#include "format/format.h"

namespace ipchains::compile::detail {

namespace {

constexpr size_t kMaxIds = (kIdMask >> kIdShift);  // 4095: id 0 means "none"
constexpr size_t kMaxInstances = 65536;

// Chains from which a DIVERT rule can be reached (directly or through jumps).
std::set<std::string> divert_reaching(const model::Ruleset& rs)
{
    std::set<std::string> reach;
    for (const auto& c : rs.chains)
        for (const auto& r : c.rules)
            if (model::sends_to_divert_socket(r.target)) reach.insert(c.name);
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto& c : rs.chains) {
            if (reach.count(c.name)) continue;
            for (const auto& r : c.rules) {
                if (r.target == model::TargetKind::Chain && reach.count(r.target_chain)) {
                    reach.insert(c.name);
                    changed = true;
                    break;
                }
            }
        }
    }
    return reach;
}

// How many rules before rules[i] are equal to it: two equal rules in one chain are told apart
// by their order.
size_t equal_before(const std::vector<model::Rule>& rules, size_t i)
{
    size_t n = 0;
    for (size_t j = 0; j < i; ++j)
        if (rules[j] == rules[i]) ++n;
    return n;
}

// A site's key: every rule on its call path, from the built-in chain down to the DIVERT rule,
// as its save line and its rank among equal rules of its chain, hashed (FNV-1a, 64 bits).
// Positions are left out, so rules added or deleted elsewhere leave the key as it was.
std::string site_key(const Plan& plan, int instance, size_t rule)
{
    uint64_t h = 14695981039346656037ull;
    auto mix = [&h](const std::string& text) {
        for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
    };
    std::vector<std::pair<const Instance*, size_t>> path;
    for (int n = instance; n >= 0; n = plan.instances[n].parent) {
        path.emplace_back(&plan.instances[n], rule);
        rule = plan.instances[n].parent_rule;
    }
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
        const auto& rules = it->first->chain->rules;
        mix(format::save_line(it->first->chain->name, rules[it->second]));
        mix("#" + std::to_string(equal_before(rules, it->second)) + "\n");
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

class Builder {
public:
    Builder(const model::Ruleset& rs, SiteRange range)
        : rs_(rs), reach_(divert_reaching(rs)), range_(range)
    {
    }

    Result<Plan> run()
    {
        for (const char* b : {"input", "forward", "output"}) {
            const model::Chain* c = rs_.find(b);
            if (c == nullptr) continue;
            if (int err = build(c, builtin_hook(b), b, -1, 0, true); err < 0)
                return fail(-err);
        }
        // Unreached user chains still live in the kernel (their rules must be listable), as
        // input-side instances that nothing jumps to.
        for (const auto& c : rs_.chains) {
            if (instance_count_[c.name] != 0) continue;
            if (int err = build(&c, ir::Hook::Prerouting, "", -1, 0, false); err < 0)
                return fail(-err);
        }
        cut_segments();
        if (plan_.redirect_ports.size() > kMaxIds || !number_sites()) return fail(ENOSPC);
        return std::move(plan_);
    }

private:
    Error fail(int err) const
    {
        if (err == ENOSPC && range_.limit < kMaxIds)
            return Error::kernel(err, "too many DIVERT paths for the chain layout with IPv6 "
                                      "rules (at most " + std::to_string(range_.limit) + ")");
        if (err == ENOSPC)
            return Error::kernel(err, "too many DIVERT paths or REDIRECT ports for the chain "
                                      "layout (at most 4095 each)");
        return Error::kernel(err, std::strerror(err));
    }

    // Gives every site its id: the one the kernel's table gave its key, else the lowest id no
    // site and no remembered key holds (a remembered id is taken again only when the range
    // has no other). False when the range is too small.
    bool number_sites()
    {
        if (plan_.sites.size() > range_.limit - range_.base) return false;
        const auto& kept = rs_.resume_sites;
        std::set<uint32_t> taken, remembered;
        for (const auto& [key, id] : kept)
            if (id > range_.base && id <= range_.limit) remembered.insert(id);
        for (auto& s : plan_.sites) {
            auto it = kept.find(s.key);
            if (it == kept.end() || !remembered.count(it->second) ||
                !taken.insert(it->second).second)
                continue;
            s.id = it->second;
        }
        // Two cursors over the range: ids nobody had, then (the range used up) any not taken.
        // The size check above leaves the second one an id.
        auto lowest = [&](uint32_t& cursor, bool spare_remembered) {
            while (cursor <= range_.limit &&
                   (taken.count(cursor) || (spare_remembered && remembered.count(cursor))))
                ++cursor;
            return cursor;
        };
        uint32_t unused = range_.base + 1, any = range_.base + 1;
        for (auto& s : plan_.sites) {
            if (s.id != 0) continue;
            s.id = lowest(unused, true);
            if (s.id > range_.limit) s.id = lowest(any, false);
            taken.insert(s.id);
        }
        for (const auto& s : plan_.sites) plan_.instances[s.instance].site[s.rule] = s.id;
        return true;
    }

    int position_of(const model::Chain* c) const
    {
        return static_cast<int>(c - rs_.chains.data());
    }

    // Returns the new instance's index, or -errno.
    int build(const model::Chain* c, ir::Hook hook, const std::string& root, int parent,
              size_t parent_rule, bool reached)
    {
        if (plan_.instances.size() >= kMaxInstances) return -ENOSPC;
        int idx = static_cast<int>(plan_.instances.size());
        Instance inst;
        inst.chain = c;
        inst.position = position_of(c);
        inst.index = instance_count_[c->name]++;
        inst.hook = hook;
        inst.root = root;
        inst.parent = parent;
        inst.parent_rule = parent_rule;
        inst.callee.assign(c->rules.size(), -1);
        plan_.instances.push_back(std::move(inst));
        if (!reach_.count(c->name)) shared_[{c->name, hook}] = idx;

        on_path_.insert(c->name);
        for (size_t i = 0; i < c->rules.size(); ++i) {
            const model::Rule& r = c->rules[i];
            if (r.target != model::TargetKind::Chain) continue;
            const model::Chain* callee = rs_.find(r.target_chain);
            if (callee == nullptr || callee->builtin()) continue;
            if (on_path_.count(callee->name)) {
                // A loop: refused when a packet could run into it; otherwise the edge is
                // compiled without its jump (it can never run, and nft cannot hold a loop).
                if (reached) return -ELOOP;
                continue;
            }
            auto shared = shared_.find({callee->name, hook});
            if (shared != shared_.end()) {
                plan_.instances[idx].callee[i] = shared->second;
                continue;
            }
            int child = build(callee, hook, root, idx, i, reached);
            if (child < 0) return child;
            plan_.instances[idx].callee[i] = child;
        }
        on_path_.erase(c->name);
        return idx;
    }

    void cut_segments()
    {
        for (size_t n = 0; n < plan_.instances.size(); ++n) {
            Instance& inst = plan_.instances[n];
            const auto& rules = inst.chain->rules;
            inst.segment.assign(rules.size(), 0);
            inst.site.assign(rules.size(), 0);
            int seg = 0;
            for (size_t i = 0; i < rules.size(); ++i) {
                const model::Rule& r = rules[i];
                inst.segment[i] = seg;
                bool resume = false;
                if (model::sends_to_divert_socket(r.target)) {
                    resume = true;
                    plan_.sites.push_back({0, static_cast<int>(n), i,
                                           site_key(plan_, static_cast<int>(n), i)});
                } else if (inst.callee[i] >= 0) {
                    resume = reach_.count(r.target_chain) != 0;
                } else if (r.target == model::TargetKind::Redirect &&
                           inst.hook == ir::Hook::Prerouting &&
                           !plan_.redirect_ids.count(r.redirect_port)) {
                    plan_.redirect_ports.push_back(r.redirect_port);
                    plan_.redirect_ids[r.redirect_port] =
                        static_cast<uint32_t>(plan_.redirect_ports.size());
                }
                if (resume) ++seg;
            }
            inst.segments = seg + 1;
        }
    }

    const model::Ruleset& rs_;
    std::set<std::string> reach_;
    SiteRange range_;
    Plan plan_;
    std::map<std::string, int> instance_count_;
    std::map<std::pair<std::string, ir::Hook>, int> shared_;
    std::set<std::string> on_path_;
};

}  // namespace

std::string Instance::segment_name(int k) const
{
    return segment_chain_name(chain->name, index, k);
}

ir::Hook builtin_hook(const std::string& builtin)
{
    if (builtin == "forward") return ir::Hook::Forward;
    if (builtin == "output") return ir::Hook::Postrouting;
    return ir::Hook::Prerouting;
}

const char* hook_short_name(ir::Hook h)
{
    switch (h) {
    case ir::Hook::Forward: return "fwd";
    case ir::Hook::Postrouting:
    case ir::Hook::Output: return "out";
    default: return "in";
    }
}

SiteRange site_range(bool ip6, bool has_ip6_rules)
{
    if (ip6) return {kSite6Base, kMaxIds};
    return {0, has_ip6_rules ? kSite6Base : static_cast<uint32_t>(kMaxIds)};
}

Result<Plan> make_plan(const model::Ruleset& rs, SiteRange range)
{
    return Builder(rs, range).run();
}

}  // namespace ipchains::compile::detail
