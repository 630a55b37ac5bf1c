// A pair of hand-built tables whose diff has every kind of step (compile/steps.h), shared by
// the step list test (compile_steps_test.cpp) and the encoders test (steps_encoders_test.cpp).
#pragma once

#include <string>
#include <variant>

#include "compile/steps.h"
#include "ir/ir.h"

namespace fx {

using namespace ipchains;

inline ir::Rule verdict(ir::Verdict::Kind kind, const std::string& chain = "")
{
    ir::Rule r;
    r.statements.push_back(ir::Counter{});
    r.statements.push_back(ir::Verdict{kind, chain});
    return r;
}

inline ir::Rule lookup(const std::string& set, ir::Verdict::Kind kind)
{
    ir::Rule r = verdict(kind);
    r.matches.push_back(ir::SetLookup{{ir::SetField::SourceAddr}, set});
    r.comment = "ipchains-run:" + set;
    return r;
}

inline ir::SetElement host(uint32_t last_byte)
{
    uint32_t addr = 0xC0000200u + last_byte;  // 192.0.2.x
    return ir::SetElement{{ir::SetKey{ir::SetField::SourceAddr, addr, addr, ""}}, {},
                          "#" + std::to_string(last_byte)};
}

inline ir::Chain chain(const std::string& name, std::vector<ir::Rule> rules,
                       const std::string& comment = "")
{
    ir::Chain c;
    c.name = name;
    c.rules = std::move(rules);
    c.comment = comment.empty() ? "test:" + name : comment;
    return c;
}

// before -> after: `base` (a base chain) refilled, `old` removed with its set `gone-set`,
// `kept` appended to while its set `kept-set` loses 192.0.2.1 and gains 192.0.2.3, `moved`
// recreated (comment), `fresh` new with its set `new-set`, counter `old-c` replaced by `new-c`.
struct StepTables {
    ir::Table before, after;
};

inline StepTables step_tables()
{
    using V = ir::Verdict;
    StepTables t;
    t.before.name = t.after.name = "t";
    t.before.comment = t.after.comment = "test table";
    t.before.counters = {{"old-c", 1, 2}};
    t.after.counters = {{"new-c", 3, 4}};
    t.before.sets = {{"gone-set", "old", false, {host(9)}},
                     {"kept-set", "kept", false, {host(1), host(2)}}};
    t.after.sets = {{"kept-set", "kept", false, {host(2), host(3)}},
                    {"new-set", "fresh", false, {host(5), host(6)}}};
    ir::Chain base = chain("base", {verdict(V::Jump, "old")});
    base.base = ir::BaseChain{ir::Hook::Input, 0};
    ir::Chain base_after = chain("base", {verdict(V::Accept)});
    base_after.base = base.base;
    base_after.base->drop = true;  // -P: the policy changes in place
    t.before.chains = {base, chain("old", {lookup("gone-set", V::Accept)}),
                       chain("kept", {lookup("kept-set", V::Drop)}),
                       chain("moved", {verdict(V::Drop)}, "comment x")};
    t.after.chains = {base_after, chain("kept", {lookup("kept-set", V::Drop), verdict(V::Accept)}),
                      chain("moved", {verdict(V::Drop)}, "comment y"),
                      chain("fresh", {lookup("new-set", V::Accept)})};
    return t;
}

// "add rule kept 1": one line per step, for readable failures.
inline std::string describe(const compile::Step& step)
{
    struct Describe {
        std::string operator()(const compile::AddTable&) { return "add table"; }
        std::string operator()(const compile::FlushChain& s) { return "flush chain " + s.chain; }
        std::string operator()(const compile::DeleteChain& s) { return "delete chain " + s.chain; }
        std::string operator()(const compile::DeleteSet& s) { return "delete set " + s.set; }
        std::string operator()(const compile::DeleteElements& s)
        {
            return "delete elements " + s.set + indices(s.index);
        }
        std::string operator()(const compile::AddSet& s) { return "add set " + s.set; }
        std::string operator()(const compile::AddElements& s)
        {
            return "add elements " + s.set + indices(s.index);
        }
        std::string operator()(const compile::DeleteCounter& s)
        {
            return "delete counter " + s.counter;
        }
        std::string operator()(const compile::AddCounter& s) { return "add counter " + s.counter; }
        std::string operator()(const compile::AddChain& s) { return "add chain " + s.chain; }
        std::string operator()(const compile::SetPolicy& s) { return "set policy " + s.chain; }
        std::string operator()(const compile::AddRule& s)
        {
            return "add rule " + s.chain + " " + std::to_string(s.index);
        }
        static std::string indices(const std::vector<size_t>& index)
        {
            std::string out;
            for (size_t i : index) out += " " + std::to_string(i);
            return out;
        }
    };
    return std::visit(Describe{}, step);
}

inline std::vector<std::string> describe(const std::vector<compile::Step>& steps)
{
    std::vector<std::string> out;
    for (const auto& s : steps) out.push_back(describe(s));
    return out;
}

}  // namespace fx
