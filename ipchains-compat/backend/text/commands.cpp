// The text encoder of compile/steps.h: each step of a transaction -> its `nft '...'` lines.
#include <map>
#include <variant>

#include "backend/text/nft_text.h"
#include "backend/text/rule_text.h"

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
    explicit Printer(const ir::Table& t) : table_(table_family(t) + " " + nft_identifier(t.name))
    {
    }

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

// One step -> its lines. Chains, rules, sets and counters are looked up in `after`, the members
// to delete in `before`.
class StepPrinter {
public:
    StepPrinter(Printer& p, const ir::Table* before, const ir::Table& after) : p_(p), after_(after)
    {
        for (const auto& c : after.chains) chains_[c.name] = &c;
        for (const auto& c : after.counters) counters_[c.name] = &c;
        for (const auto& s : after.sets) sets_[s.name] = &s;
        if (before)
            for (const auto& s : before->sets) old_sets_[s.name] = &s;
    }

    void operator()(const compile::AddTable&)
    {
        std::string comment =
            after_.comment.empty() ? "" : " { comment " + quoted(after_.comment) + " ; }";
        p_.command("add table " + p_.table() + comment);
    }
    void operator()(const compile::FlushChain& s)
    {
        p_.command("flush chain " + p_.chain(s.chain));
    }
    void operator()(const compile::DeleteChain& s)
    {
        p_.command("delete chain " + p_.chain(s.chain));
    }
    void operator()(const compile::DeleteSet& s) { p_.command("delete set " + p_.chain(s.set)); }
    void operator()(const compile::DeleteElements& s)
    {
        std::string keys;
        for (size_t i : s.index)
            keys += (keys.empty() ? "" : ", ") + element_key_text(old_sets_.at(s.set)->elements[i]);
        p_.command("delete element " + p_.chain(s.set) + " { " + keys + " }");
    }
    void operator()(const compile::AddSet& s)
    {
        p_.command("add " + set_keyword(*sets_.at(s.set)) + " " + p_.chain(s.set) + " { " +
                   set_spec(*sets_.at(s.set), "; ") + "}");
    }
    void operator()(const compile::AddElements& s) { add_elements(p_, *sets_.at(s.set), s.index); }
    void operator()(const compile::DeleteCounter& s)
    {
        p_.command("delete counter " + p_.table() + " " + nft_identifier(s.counter));
    }
    void operator()(const compile::AddCounter& s)
    {
        const ir::CounterObject* c = counters_.at(s.counter);
        p_.command("add counter " + p_.table() + " " + nft_identifier(s.counter) +
                   " { packets " + std::to_string(c->packets) + " bytes " +
                   std::to_string(c->bytes) + " ; }");
    }
    void operator()(const compile::AddChain& s)
    {
        const ir::Chain* c = chains_.at(s.chain);
        if (c->comment.size() > kMaxComment) p_.note("# " + c->comment);
        p_.command("add chain " + p_.chain(s.chain) + chain_body(*c));
    }
    // `add` of a chain that exists changes what it names and leaves the rest as it is.
    void operator()(const compile::SetPolicy& s)
    {
        p_.command("add chain " + p_.chain(s.chain) + " { " +
                   chain_policy_spec(*chains_.at(s.chain)->base, " ;") + " }");
    }
    void operator()(const compile::AddRule& s)
    {
        add_rule(p_, s.chain, chains_.at(s.chain)->rules.at(s.index));
    }

private:
    Printer& p_;
    const ir::Table& after_;
    std::map<std::string, const ir::Chain*> chains_;
    std::map<std::string, const ir::CounterObject*> counters_;
    std::map<std::string, const ir::Set*> sets_, old_sets_;
};

}  // namespace

std::string steps_as_nft_commands(const std::vector<compile::Step>& steps,
                                  const ir::Table* before, const ir::Table& after)
{
    Printer p(after);
    StepPrinter printer(p, before, after);
    for (const auto& step : steps) std::visit(printer, step);
    return p.take();
}

std::string to_nft_commands(const ir::Table& before, const ir::Table& after)
{
    bool exists = !before.chains.empty() || !before.counters.empty();
    const ir::Table* existing = exists ? &before : nullptr;
    return steps_as_nft_commands(compile::commit_steps(existing, after), existing, after);
}

}  // namespace ipchains::backend::text
