// to_nft_commands: the diff between two tables as `nft '...'` lines, in transaction order.
#include <map>

#include "backend/text/nft_text.h"
#include "backend/text/rule_text.h"
#include "compile/diff.h"

namespace ipchains::backend::text {

namespace {

// One shell word: 'it'\''s'.
std::string shell_quoted(const std::string& s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

class Printer {
public:
    explicit Printer(const ir::Table& t) : table_("ip " + nft_identifier(t.name)) {}

    void command(const std::string& cmd) { out_ += "nft " + shell_quoted(cmd) + "\n"; }
    void note(const std::string& n) { out_ += n + "\n"; }
    const std::string& table() const { return table_; }
    std::string chain(const std::string& name) const
    {
        return table_ + " " + nft_identifier(name);
    }
    std::string take() { return std::move(out_); }

private:
    std::string table_;
    std::string out_;
};

std::string chain_body(const ir::Chain& c)
{
    std::string body;
    if (c.base) body += " " + base_chain_spec(*c.base, " ;");
    if (!c.comment.empty() && c.comment.size() <= kMaxComment)
        body += " comment " + quoted(c.comment) + " ;";
    return body.empty() ? "" : " {" + body + " }";
}

void add_rule(Printer& p, const std::string& chain, const ir::Rule& r)
{
    RuleText rt = rule_text(r);
    for (const auto& n : rt.notes) p.note(n);
    p.command("add rule " + p.chain(chain) + " " + rt.text);
}

// `add element` commands of a few members each, so that a long run stays readable.
void add_elements(Printer& p, const ir::Set& s, const std::vector<size_t>& index)
{
    constexpr size_t kPerCommand = 32;
    for (size_t first = 0; first < index.size(); first += kPerCommand) {
        std::vector<std::string> notes;
        std::string elements;
        for (size_t i = first; i < index.size() && i < first + kPerCommand; ++i)
            elements += (elements.empty() ? "" : ", ") + element_text(s.elements[index[i]], notes);
        for (const auto& n : notes) p.note(n);
        p.command("add element " + p.chain(s.name) + " { " + elements + " }");
    }
}

}  // namespace

std::string to_nft_commands(const ir::Table& before, const ir::Table& after)
{
    Printer p(after);
    std::map<std::string, const ir::Chain*> chains;
    for (const auto& c : after.chains) chains[c.name] = &c;
    std::map<std::string, const ir::CounterObject*> counters;
    for (const auto& c : after.counters) counters[c.name] = &c;

    if (before.chains.empty() && before.counters.empty()) {
        std::string comment = after.comment.empty() ? "" : " { comment " + quoted(after.comment) + " ; }";
        p.command("add table " + p.table() + comment);
    }
    compile::TableDiff d = compile::diff(before, after);
    for (const auto& name : d.flush) p.command("flush chain " + p.chain(name));
    for (const auto& name : d.remove) p.command("delete chain " + p.chain(name));
    for (const auto& name : d.recreate) p.command("delete chain " + p.chain(name));
    std::map<std::string, const ir::Set*> sets, old_sets;
    for (const auto& s : after.sets) sets[s.name] = &s;
    for (const auto& s : before.sets) old_sets[s.name] = &s;
    for (const auto* list : {&d.remove_sets, &d.recreate_sets})
        for (const auto& name : *list) p.command("delete set " + p.chain(name));
    for (const auto& e : d.remove_elements) {
        std::string keys;
        for (size_t i : e.index)
            keys += (keys.empty() ? "" : ", ") + element_key_text(old_sets[e.set]->elements[i]);
        p.command("delete element " + p.chain(e.set) + " { " + keys + " }");
    }
    for (const auto& name : d.create_sets) {
        p.command("add " + set_keyword(*sets[name]) + " " + p.chain(name) + " { " +
                  set_spec(*sets[name], "; ") + "}");
        std::vector<size_t> all(sets[name]->elements.size());
        for (size_t i = 0; i < all.size(); ++i) all[i] = i;
        add_elements(p, *sets[name], all);
    }
    for (const auto& e : d.add_elements) add_elements(p, *sets[e.set], e.index);
    for (const auto& name : d.remove_counters)
        p.command("delete counter " + p.table() + " " + nft_identifier(name));
    for (const auto& name : d.add_counters) {
        const ir::CounterObject* c = counters[name];
        p.command("add counter " + p.table() + " " + nft_identifier(name) + " { packets " +
                  std::to_string(c->packets) + " bytes " + std::to_string(c->bytes) + " ; }");
    }
    for (const auto& name : d.create) {
        const ir::Chain* c = chains[name];
        if (c->comment.size() > kMaxComment) p.note("# " + c->comment);
        p.command("add chain " + p.chain(name) + chain_body(*c));
    }
    for (const auto& name : d.fill)
        for (const auto& r : chains[name]->rules) add_rule(p, name, r);
    for (const auto& a : d.append) {
        const auto& rules = chains[a.chain]->rules;
        for (size_t i = a.first; i < rules.size(); ++i) add_rule(p, a.chain, rules[i]);
    }
    return p.take();
}

}  // namespace ipchains::backend::text
