#include "compile/runs.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace ipchains::compile {

namespace {

using Fields = std::vector<ir::SetField>;

bool contiguous(uint32_t mask)
{
    uint32_t inverse = ~mask;
    return (inverse & (inverse + 1)) == 0;
}

bool depends_on_protocol(const ir::Rule& r)
{
    for (const auto& m : r.matches)
        if (std::holds_alternative<ir::Port>(m) || std::holds_alternative<ir::Icmp>(m) ||
            std::holds_alternative<ir::Syn>(m))
            return true;
    return false;
}

// The key field a match would fill, if it is a match of such a field at all.
std::optional<ir::SetField> field_of(const ir::Match& m)
{
    using F = ir::SetField;
    if (const auto* a = std::get_if<ir::Addr>(&m)) return a->source ? F::SourceAddr : F::DestAddr;
    if (const auto* p = std::get_if<ir::Port>(&m)) return p->source ? F::SourcePort : F::DestPort;
    if (const auto* i = std::get_if<ir::IfName>(&m)) return i->input ? F::InIface : F::OutIface;
    if (std::holds_alternative<ir::Proto>(m)) return F::Proto;
    return std::nullopt;
}

// The match as a member key field; nullopt when the match cannot be one (`!`, a mask that is
// no prefix, a `+` wildcard, a protocol that other matches depend on).
std::optional<ir::SetKey> key_of(const ir::Rule& r, const ir::Match& m)
{
    ir::SetKey k;
    if (const auto* a = std::get_if<ir::Addr>(&m)) {
        if (a->negate || !contiguous(a->mask)) return std::nullopt;
        k.lo = a->addr & a->mask;
        k.hi = a->addr | ~a->mask;
    } else if (const auto* p = std::get_if<ir::Port>(&m)) {
        if (p->negate) return std::nullopt;
        k.lo = p->lo;
        k.hi = p->hi;
    } else if (const auto* i = std::get_if<ir::IfName>(&m)) {
        // A wildcard (`ppp+`) is the range of names starting with it; `+` alone, every
        // interface, would overlap any other member.
        if (i->negate || i->name.empty()) return std::nullopt;
        k.name = i->name;
        k.prefix = i->prefix;
    } else if (const auto* p = std::get_if<ir::Proto>(&m)) {
        if (p->negate || depends_on_protocol(r)) return std::nullopt;
        k.lo = k.hi = p->proto;
    } else {
        return std::nullopt;
    }
    return k;
}

// The member's key and its rule without the key's matches (the shape all members share); in a
// verdict map also without its verdict, which the element carries.
struct Member {
    std::vector<ir::SetKey> key;
    ir::Rule shape;
    std::optional<ir::Verdict> verdict;
};

// A verdict map's member: a rule whose only statements are its counter and accept or drop.
// Anything else it does would run before the map's lookup, for members and others alike.
bool take_verdict(std::vector<ir::Statement>& statements, std::optional<ir::Verdict>& verdict)
{
    std::vector<ir::Statement> rest;
    for (auto& s : statements) {
        if (const auto* v = std::get_if<ir::Verdict>(&s);
            v && (v->kind == ir::Verdict::Accept || v->kind == ir::Verdict::Drop) && !verdict) {
            verdict = *v;
            continue;
        }
        if (!std::holds_alternative<ir::Counter>(s)) return false;
        rest.push_back(s);
    }
    statements = std::move(rest);
    return verdict.has_value();
}

std::optional<Member> member(const ir::Rule& r, const Fields& fields, bool vmap)
{
    if (r.comment.empty()) return std::nullopt;
    Member out;
    out.key.resize(fields.size());
    std::vector<bool> found(fields.size(), false);
    for (const auto& match : r.matches) {
        if (std::holds_alternative<ir::SetLookup>(match)) return std::nullopt;
        auto f = field_of(match);
        auto at = f ? std::find(fields.begin(), fields.end(), *f) : fields.end();
        if (at == fields.end()) {
            out.shape.matches.push_back(match);
            continue;
        }
        size_t i = static_cast<size_t>(at - fields.begin());
        auto k = key_of(r, match);
        if (!k || found[i]) return std::nullopt;
        k->field = *f;
        out.key[i] = std::move(*k);
        found[i] = true;
    }
    for (bool f : found)
        if (!f) return std::nullopt;
    // Copied only now: find_runs asks every rule about every key, most of which it lacks.
    out.shape.statements = r.statements;
    if (vmap && !take_verdict(out.shape.statements, out.verdict)) return std::nullopt;
    return out;
}

// Ranges [lo, hi] of one field, keyed by lo; they never overlap.
class Ranges {
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

bool starts_with(const std::string& s, const std::string& prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

// Whether two interface keys can match one name.
bool names_overlap(const ir::SetKey& a, const ir::SetKey& b)
{
    if (a.prefix && starts_with(b.name, a.name)) return true;
    if (b.prefix && starts_with(a.name, b.name)) return true;
    return a.name == b.name;
}

bool is_name_field(ir::SetField f)
{
    return f == ir::SetField::InIface || f == ir::SetField::OutIface;
}

// The keys of a run's members so far. Two-field keys are grouped by their first field, so
// that a blocklist of hosts costs a lookup, not a scan, per member. That field is an address
// prefix (run_keys()), and two prefixes overlap only when one holds the other: the groups a
// key's prefix holds start inside it, and a group holding it is the one of its width at the
// key's address, so no wide member makes later keys scan the groups below them.
class Occupied {
public:
    bool overlaps(const std::vector<ir::SetKey>& k) const
    {
        if (k.size() == 1 && is_name_field(k[0].field)) {
            // Exact names by lookup; the few wildcards by a scan.
            if (!k[0].prefix && names_.count(k[0].name)) return true;
            for (const auto& p : prefixes_)
                if (names_overlap(p, k[0])) return true;
            if (!k[0].prefix) return false;
            auto it = names_.lower_bound(k[0].name);
            return it != names_.end() && starts_with(*it, k[0].name);
        }
        if (k.size() == 1) return ranges_.overlaps(k[0].lo, k[0].hi);
        for (auto it = groups_.lower_bound({k[0].lo, 0});
             it != groups_.end() && it->first.first <= k[0].hi; ++it)
            if (it->second.overlaps(k[1].lo, k[1].hi)) return true;
        for (uint32_t width : widths_) {
            if (width <= k[0].hi - k[0].lo) continue;  // starts inside k[0]: seen above
            const uint32_t lo = k[0].lo & ~width;
            auto it = groups_.find({lo, lo | width});
            if (it != groups_.end() && it->second.overlaps(k[1].lo, k[1].hi)) return true;
        }
        return false;
    }
    void add(const std::vector<ir::SetKey>& k)
    {
        if (k.size() == 1 && is_name_field(k[0].field)) {
            if (k[0].prefix)
                prefixes_.push_back(k[0]);
            else
                names_.insert(k[0].name);
            return;
        }
        if (k.size() == 1) {
            ranges_.add(k[0].lo, k[0].hi);
            return;
        }
        groups_[{k[0].lo, k[0].hi}].add(k[1].lo, k[1].hi);
        widths_.insert(k[0].hi - k[0].lo);
    }

private:
    std::set<std::string> names_;      // exact interface names
    std::vector<ir::SetKey> prefixes_;  // interface wildcards
    Ranges ranges_;
    std::map<std::pair<uint32_t, uint32_t>, Ranges> groups_;
    std::set<uint32_t> widths_;  // hi - lo of the groups' prefixes: at most 32
};

size_t run_length(const std::vector<ir::Rule>& rules, size_t first, const Fields& fields,
                  bool vmap)
{
    auto head = member(rules[first], fields, vmap);
    if (!head) return 0;
    Occupied occupied;
    size_t i = first;
    for (; i < rules.size(); ++i) {
        auto m = i == first ? head : member(rules[i], fields, vmap);
        if (!m || !(m->shape == head->shape) || occupied.overlaps(m->key)) break;
        occupied.add(m->key);
    }
    return i - first;
}

// Whether a verdict map on `fields` from `first` can be longer than the set run of
// `set_length` rules there. A map's member is a set's member with its verdict set apart, so
// the map holds the same rules as the set run and goes on only where the set run stopped at a
// rule that differs from them in its verdict alone.
bool map_may_be_longer(const std::vector<ir::Rule>& rules, size_t first, size_t set_length,
                       const Fields& fields)
{
    const size_t next = first + set_length;
    if (set_length == 0 || next >= rules.size()) return false;
    auto head = member(rules[first], fields, true);
    if (!head) return false;
    auto after = member(rules[next], fields, true);
    return after && after->shape == head->shape;
}

std::string field_name(ir::SetField f)
{
    switch (f) {
    case ir::SetField::SourceAddr: return "saddr";
    case ir::SetField::DestAddr: return "daddr";
    case ir::SetField::SourcePort: return "sport";
    case ir::SetField::DestPort: return "dport";
    case ir::SetField::InIface: return "iif";
    case ir::SetField::OutIface: return "oif";
    case ir::SetField::Proto: return "proto";
    }
    return {};
}

}  // namespace

const std::vector<std::vector<ir::SetField>>& run_keys()
{
    using F = ir::SetField;
    static const std::vector<Fields> keys = {
        {F::SourceAddr}, {F::DestAddr},  {F::DestPort},
        {F::SourcePort}, {F::InIface},   {F::OutIface},
        {F::Proto},      {F::SourceAddr, F::DestPort},
        {F::DestAddr, F::DestPort},      {F::SourceAddr, F::DestAddr},
    };
    return keys;
}

std::vector<Run> find_runs(const std::vector<ir::Rule>& rules)
{
    std::vector<Run> runs;
    const auto& keys = run_keys();
    std::vector<size_t> set_length(keys.size());
    for (size_t i = 0; i < rules.size();) {
        Run best{i, 0, {}, false};
        for (size_t k = 0; k < keys.size(); ++k) {
            set_length[k] = run_length(rules, i, keys[k], false);
            if (set_length[k] > best.count) best = Run{i, set_length[k], keys[k], false};
        }
        // A verdict map only where it is longer: a set of one target reads more plainly.
        for (size_t k = 0; k < keys.size(); ++k) {
            if (!map_may_be_longer(rules, i, set_length[k], keys[k])) continue;
            size_t n = run_length(rules, i, keys[k], true);
            if (n > best.count) best = Run{i, n, keys[k], true};
        }
        if (best.count >= kMinRunLength) {
            runs.push_back(best);
            i += best.count;
        } else {
            ++i;
        }
    }
    return runs;
}

bool needs_interval(const std::vector<ir::SetField>& fields, const std::vector<ir::SetKey>& key)
{
    if (fields.size() > 1) return true;  // concatenations are always pipapo sets
    for (const auto& k : key)
        if (k.lo != k.hi || k.prefix) return true;
    return false;
}

uint32_t run_set_size(size_t elements)
{
    uint32_t size = kMinRunSetSize;
    // Beyond 2^31 members the count no longer fits a size; the kernel's own limits end any such
    // set long before.
    while (size / 2 < elements && size < (1u << 31)) size *= 2;
    return size;
}

uint32_t run_set_size(const ir::Set& s, size_t elements)
{
    return s.interval || s.fields.size() != 1 ? 0 : run_set_size(elements);
}

void merge_runs(ir::Chain& chain, std::vector<ir::Set>& sets)
{
    auto runs = find_runs(chain.rules);
    if (runs.empty()) return;
    // The rules outside runs and one lookup rule per run.
    size_t merged = 0;
    for (const auto& run : runs) merged += run.count;
    std::vector<ir::Rule> out;
    out.reserve(chain.rules.size() - merged + runs.size());
    size_t next = 0;
    // Numbered per key: a run of another key inserted above leaves a set's name alone.
    std::map<std::pair<Fields, bool>, size_t> k;
    for (const auto& run : runs) {
        for (; next < run.first; ++next) out.push_back(std::move(chain.rules[next]));
        ir::Set set;
        set.name = run_set_name(chain.name, run.fields, run.vmap, ++k[{run.fields, run.vmap}]);
        set.chain = chain.name;
        set.fields = run.fields;
        set.map = run.vmap;
        set.elements.reserve(run.count);
        ir::Rule lookup;
        for (size_t i = 0; i < run.count; ++i) {
            ir::Rule& r = chain.rules[run.first + i];
            auto m = member(r, run.fields, run.vmap);
            ir::SetElement e{std::move(m->key), {}, {}, std::move(m->verdict)};
            for (const auto& s : r.statements)
                if (const auto* c = std::get_if<ir::Counter>(&s)) e.counter = *c;
            // The member rule ends here: its save line becomes the element's comment and the
            // rest of it is freed at once, for the next elements to reuse (a big run is most
            // of a chain, and a commit compiles two tables).
            e.comment = run_member_comment(i + 1, std::move(r.comment));
            r = ir::Rule{};
            set.interval = set.interval || needs_interval(run.fields, e.key);
            set.elements.push_back(std::move(e));
            if (i == 0) lookup = std::move(m->shape);
        }
        set.size = run_set_size(set, set.elements.size());
        // Each element counts its own rule's packets; a counter on the rule would count them
        // all once more.
        std::vector<ir::Statement> statements;
        for (auto& s : lookup.statements)
            if (!std::holds_alternative<ir::Counter>(s)) statements.push_back(std::move(s));
        lookup.statements = std::move(statements);
        lookup.matches.push_back(ir::SetLookup{run.fields, set.name, run.vmap});
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
    // A verdict map's member is a set's member with one more condition (take_verdict), so
    // the set's test alone decides.
    for (const auto& fields : run_keys())
        if (member(r, fields, false)) return true;
    return false;
}

std::optional<ir::SetElement> run_member(const ir::Rule& member_rule, const ir::Rule& candidate,
                                         const std::vector<ir::SetField>& fields, bool vmap)
{
    auto a = member(member_rule, fields, vmap);
    auto b = member(candidate, fields, vmap);
    if (!a || !b || !(a->shape == b->shape)) return std::nullopt;
    ir::SetElement e;
    e.key = b->key;
    e.verdict = b->verdict;
    return e;
}

bool keys_overlap(const std::vector<ir::SetKey>& a, const std::vector<ir::SetKey>& b)
{
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (is_name_field(a[i].field) ? !names_overlap(a[i], b[i])
                                      : a[i].hi < b[i].lo || b[i].hi < a[i].lo)
            return false;
    }
    return true;
}

std::string run_set_name(const std::string& chain, const std::vector<ir::SetField>& fields,
                         bool vmap, size_t k)
{
    // Spelled so that nft's command line can name it as it is (`nft list set ip ipchains
    // input-saddr-1`, and ipchains-translate prints the same name): `~` and `@` of segment
    // and instance names are not identifier characters there. User chain names hold neither,
    // but may hold `-`: doubled, it keeps `a-1` (a user chain) apart from `a~1` (a segment of
    // a). Read from its end, a name gives back number, key and chain: a key that ends another
    // (`dport`, `saddr-dport`) is left by a single `-` before a field name, which a spelled
    // chain never holds (its single `-` stands before a digit or the `i<digit>` of an
    // instance). Field names are joined by `-` too: `_` is no character an nft identifier
    // keeps as it is in ipchains-translate's output.
    std::string name;
    for (char c : chain)
        name += c == '-' ? "--" : c == '~' ? "-" : c == '@' ? "-i" : std::string(1, c);
    std::string key;
    for (ir::SetField f : fields) key += (key.empty() ? "" : "-") + field_name(f);
    return name + "-" + key + (vmap ? "-vmap-" : "-") + std::to_string(k);
}

bool run_numbers_complete(const std::vector<size_t>& numbers)
{
    std::vector<bool> seen(numbers.size() + 1, false);
    for (size_t n : numbers) {
        if (n == 0 || n > numbers.size() || seen[n]) return false;
        seen[n] = true;
    }
    return true;
}

std::string run_member_comment(size_t k, std::string save_line)
{
    // A save line's block mostly has room for the few characters put before it.
    save_line.insert(0, "#" + std::to_string(k) + " ");
    return save_line;
}

bool parse_run_member_comment(std::string_view comment, size_t& k, std::string_view& save_line)
{
    if (comment.size() < 3 || comment[0] != '#') return false;
    size_t space = comment.find(' ');
    if (space == std::string_view::npos || space == 1) return false;
    size_t value = 0;
    for (size_t i = 1; i < space; ++i) {
        if (comment[i] < '0' || comment[i] > '9' || value > 100000000) return false;
        value = value * 10 + static_cast<size_t>(comment[i] - '0');
    }
    k = value;
    save_line = comment.substr(space + 1);
    return true;
}

bool parse_run_member_comment(const std::string& comment, size_t& k, std::string& save_line)
{
    std::string_view line;
    if (!parse_run_member_comment(std::string_view(comment), k, line)) return false;
    save_line.assign(line.data(), line.size());
    return true;
}

}  // namespace ipchains::compile
