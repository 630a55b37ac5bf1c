#include "compile/runs.h"

#include <map>
#include <optional>

namespace ipchains::compile {

namespace {

bool contiguous(uint32_t mask)
{
    uint32_t inverse = ~mask;
    return (inverse & (inverse + 1)) == 0;
}

// The member's address and its rule without it (the shape all members share).
struct Member {
    ir::Addr addr;
    ir::Rule shape;
};

std::optional<Member> member(const ir::Rule& r, bool source)
{
    if (r.comment.empty()) return std::nullopt;
    std::optional<Member> m;
    Member out;
    out.shape.statements = r.statements;
    for (const auto& match : r.matches) {
        if (std::holds_alternative<ir::SetLookup>(match)) return std::nullopt;
        const auto* a = std::get_if<ir::Addr>(&match);
        if (a && a->source == source) {
            if (a->negate || !contiguous(a->mask)) return std::nullopt;
            out.addr = *a;
            m.emplace();
            continue;
        }
        out.shape.matches.push_back(match);
    }
    if (!m) return std::nullopt;
    return out;
}

// Address ranges [lo, hi] of the members so far, keyed by lo; they never overlap.
class Occupied {
public:
    bool overlaps(uint32_t lo, uint32_t hi) const
    {
        auto it = ranges_.upper_bound(hi);  // first range starting after hi
        if (it == ranges_.begin()) return false;
        --it;
        return it->second >= lo;
    }
    void add(uint32_t lo, uint32_t hi) { ranges_[lo] = hi; }

private:
    std::map<uint32_t, uint32_t> ranges_;
};

size_t run_length(const std::vector<ir::Rule>& rules, size_t first, bool source)
{
    auto head = member(rules[first], source);
    if (!head) return 0;
    Occupied occupied;
    size_t i = first;
    for (; i < rules.size(); ++i) {
        auto m = i == first ? head : member(rules[i], source);
        if (!m || !(m->shape == head->shape)) break;
        uint32_t lo = m->addr.addr, hi = m->addr.addr | ~m->addr.mask;
        if (occupied.overlaps(lo, hi)) break;
        occupied.add(lo, hi);
    }
    return i - first;
}

}  // namespace

std::vector<Run> find_runs(const std::vector<ir::Rule>& rules)
{
    std::vector<Run> runs;
    for (size_t i = 0; i < rules.size();) {
        size_t by_source = run_length(rules, i, true);
        size_t by_dest = run_length(rules, i, false);
        Run r{i, std::max(by_source, by_dest), by_source >= by_dest};
        if (r.count >= kMinRunLength) {
            runs.push_back(r);
            i += r.count;
        } else {
            ++i;
        }
    }
    return runs;
}

void merge_runs(ir::Chain& chain, std::vector<ir::Set>& sets)
{
    auto runs = find_runs(chain.rules);
    if (runs.empty()) return;
    std::vector<ir::Rule> out;
    size_t next = 0, k = 0;
    for (const auto& run : runs) {
        for (; next < run.first; ++next) out.push_back(std::move(chain.rules[next]));
        ir::Set set;
        set.name = run_set_name(chain.name, ++k);
        set.chain = chain.name;
        ir::Rule lookup;
        for (size_t i = 0; i < run.count; ++i) {
            const ir::Rule& r = chain.rules[run.first + i];
            auto m = member(r, run.source);
            ir::SetElement e{m->addr.addr, m->addr.mask, {}, run_member_comment(i + 1, r.comment)};
            for (const auto& s : r.statements)
                if (const auto* c = std::get_if<ir::Counter>(&s)) e.counter = *c;
            set.interval = set.interval || e.mask != 0xFFFFFFFFu;
            set.elements.push_back(std::move(e));
            if (i == 0) lookup = std::move(m->shape);
        }
        // Each element counts its own rule's packets; a counter on the rule would count them
        // all once more.
        std::vector<ir::Statement> statements;
        for (auto& s : lookup.statements)
            if (!std::holds_alternative<ir::Counter>(s)) statements.push_back(std::move(s));
        lookup.statements = std::move(statements);
        lookup.matches.push_back(ir::SetLookup{run.source, set.name});
        lookup.comment = kRunRulePrefix + set.name;
        out.push_back(std::move(lookup));
        sets.push_back(std::move(set));
        next = run.first + run.count;
    }
    for (; next < chain.rules.size(); ++next) out.push_back(std::move(chain.rules[next]));
    chain.rules = std::move(out);
}

bool may_join_run(const ir::Rule& r)
{
    return member(r, true).has_value() || member(r, false).has_value();
}

bool extends_run(const ir::Rule& member_rule, const ir::Rule& candidate, bool source)
{
    auto a = member(member_rule, source);
    auto b = member(candidate, source);
    return a && b && a->shape == b->shape;
}

ir::Addr run_member_address(const ir::Rule& r, bool source)
{
    auto m = member(r, source);
    return m ? m->addr : ir::Addr{source, 0, 0, false};
}

std::string run_set_name(const std::string& chain, size_t k)
{
    // Spelled so that nft's command line can name it as it is (`nft list set ip ipchains
    // input-run1`, and ipchains-translate prints the same name): `~` and `@` of segment and
    // instance names are not identifier characters there.
    std::string name;
    for (char c : chain) name += c == '~' ? "-" : c == '@' ? "-i" : std::string(1, c);
    return name + "-run" + std::to_string(k);
}

std::string run_member_comment(size_t k, const std::string& save_line)
{
    return "#" + std::to_string(k) + " " + save_line;
}

bool parse_run_member_comment(const std::string& comment, size_t& k, std::string& save_line)
{
    if (comment.size() < 3 || comment[0] != '#') return false;
    size_t space = comment.find(' ');
    if (space == std::string::npos || space == 1) return false;
    size_t value = 0;
    for (size_t i = 1; i < space; ++i) {
        if (comment[i] < '0' || comment[i] > '9' || value > 100000000) return false;
        value = value * 10 + static_cast<size_t>(comment[i] - '0');
    }
    k = value;
    save_line = comment.substr(space + 1);
    return true;
}

}  // namespace ipchains::compile
