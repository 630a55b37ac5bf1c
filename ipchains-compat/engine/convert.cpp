#include "engine/convert.h"

#include <cerrno>
#include <map>
#include <string>

#include "compile/compile.h"

namespace ipchains::engine {

namespace {

bool ports_allowed(const model::Rule& r)
{
    if (r.invflags & model::kInvProto) return false;
    return r.proto == 6 || r.proto == 17 || r.proto == 1;
}

}  // namespace

int convert_rule(const model::Ruleset& rs, model::Rule& r)
{
    if (r.flags & ~model::kFlagMask) return EINVAL;
    if ((!r.sport.any() || !r.dport.any()) && !ports_allowed(r)) return EINVAL;

    // Special names win over chain names (2.2 find_special before find_label).
    if (r.target == model::TargetKind::Chain) {
        model::TargetKind k = model::target_kind_from_label(r.target_chain);
        if (k != model::TargetKind::Chain) {
            r.target = k;
            r.target_chain.clear();
        }
    }
    if (r.target == model::TargetKind::Chain) {
        const model::Chain* c = rs.find(r.target_chain);
        if (c == nullptr || c->builtin()) return ENOENT;
    } else {
        r.target_chain.clear();
    }
    // [DECISION] docs/reference/firewall-api.md section 9: nothing can bind usefully to divert
    // port 0.
    if (model::sends_to_divert_socket(r.target) && r.redirect_port == 0) return EINVAL;
    // docs/design.md "Mark bits": only the low 16 bits are the user's; an absolute mark
    // that does not fit would overwrite the layout's stamps.
    if ((r.flags & model::kFlagMarkAbs) && (r.mark & ~compile::kUserMarkMask) != 0) return EINVAL;

    if (r.iface.empty()) r.flags |= model::kFlagWildIf;
    return 0;
}

bool has_reachable_loop(const model::Ruleset& rs)
{
    // Colour DFS over the jump graph: 1 = on the current path, 2 = finished without a loop.
    std::map<std::string, int> colour;
    struct Frame {
        const model::Chain* chain;
        size_t next;
    };
    for (const char* root : {"input", "forward", "output"}) {
        const model::Chain* start = rs.find(root);
        if (start == nullptr || colour[root] == 2) continue;
        std::vector<Frame> stack{{start, 0}};
        colour[root] = 1;
        while (!stack.empty()) {
            Frame& f = stack.back();
            if (f.next == f.chain->rules.size()) {
                colour[f.chain->name] = 2;
                stack.pop_back();
                continue;
            }
            const model::Rule& r = f.chain->rules[f.next++];
            if (r.target != model::TargetKind::Chain) continue;
            int& c = colour[r.target_chain];
            if (c == 1) return true;
            if (c == 2) continue;
            const model::Chain* callee = rs.find(r.target_chain);
            if (callee == nullptr) continue;
            c = 1;
            stack.push_back({callee, 0});
        }
    }
    return false;
}

}  // namespace ipchains::engine
