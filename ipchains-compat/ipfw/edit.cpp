#include "ipfw/edit.h"

#include <cerrno>

#include "engine/engine.h"

namespace ipchains::ipfw {

namespace {

std::vector<const char*> chains_of(Direction d)
{
    if (d == Direction::In) return {"input"};
    if (d == Direction::Out) return {"output"};
    return {"input", "output"};
}

Error unavailable(int err, const std::string& msg)
{
    Error e = Error::kernel(err, msg);
    e.exit_status = kExitUnavailable;
    return e;
}

// Before the first rule with a larger number; rules without a number stay behind the numbered
// rule they follow (docs/ipfw.md "Rule numbers").
size_t position_for(const model::Chain& c, uint16_t number)
{
    for (size_t i = 0; i < c.rules.size(); ++i)
        if (c.rules[i].number > number) return i;
    return c.rules.size();
}

// Every model command an ipfw command becomes is recorded, so the commit can be computed from
// the same commands by engine::make_change (docs/design.md "Snapshot, change, commit").
thread_local std::vector<model::Command>* recorder = nullptr;

Result<void> run(model::Ruleset& rs, const model::Command& c)
{
    auto r = engine::apply(rs, c);
    if (!r) return unavailable(r.error().code, r.error().message);
    if (recorder) recorder->push_back(c);
    return {};
}

Result<void> add(model::Ruleset& rs, const Command& cmd, uint16_t number)
{
    model::Rule rule = cmd.rule;
    rule.number = number;
    for (const char* name : chains_of(cmd.direction)) {
        const model::Chain* chain = rs.find(name);
        model::Command c;
        c.chain = name;
        c.rules = {rule};
        const size_t pos = position_for(*chain, number);
        c.op = pos == chain->rules.size() ? model::Op::Append : model::Op::Insert;
        c.rulenum = static_cast<uint32_t>(pos + 1);
        if (auto r = run(rs, c); !r) return r;
    }
    return {};
}

// Runs `op` on each rule numbered `number` in input and output, from the last rule back so that
// a deletion does not move the rules still to visit; false when no rule has the number.
Result<bool> on_numbered(model::Ruleset& rs, uint16_t number, model::Op op)
{
    bool found = false;
    for (const char* name : chains_of(Direction::Both)) {
        for (size_t i = rs.find(name)->rules.size(); i-- > 0;) {
            if (rs.find(name)->rules[i].number != number) continue;
            found = true;
            model::Command c;
            c.op = op;
            c.chain = name;
            c.rulenum = static_cast<uint32_t>(i + 1);
            if (auto r = run(rs, c); !r) return r.error();
        }
    }
    return found;
}

Result<void> remove(model::Ruleset& rs, uint16_t number)
{
    auto found = on_numbered(rs, number, model::Op::DeleteNum);
    if (!found) return found.error();
    if (!*found) return unavailable(ENOENT, "rule " + std::to_string(number) + " does not exist");
    return {};
}

// FreeBSD's kernel answers EINVAL for a number no rule has, and ipfw(8) reports it as
// "rule N: setsockopt(IP_FW_ZERO): Invalid argument" with EX_UNAVAILABLE.
Result<void> zero_number(model::Ruleset& rs, uint16_t number)
{
    auto found = on_numbered(rs, number, model::Op::Zero);
    if (!found) return found.error();
    if (!*found)
        return unavailable(EINVAL, "rule " + std::to_string(number) +
                                       ": setsockopt(IP_FW_ZERO): Invalid argument");
    return {};
}

Result<void> each_chain(model::Ruleset& rs, model::Op op)
{
    for (const char* name : chains_of(Direction::Both)) {
        model::Command c;
        c.op = op;
        c.chain = name;
        if (auto r = run(rs, c); !r) return r;
    }
    return {};
}

}  // namespace

Result<uint16_t> number_for_add(const model::Ruleset& rs, const Command& cmd)
{
    if (!cmd.numbers.empty()) return cmd.numbers.front();
    uint32_t last = 0;
    for (const char* name : chains_of(Direction::Both))
        for (const auto& r : rs.find(name)->rules) last = std::max<uint32_t>(last, r.number);
    if (last + kAutoStep > 65534) {  // 65535 is the default rule (docs/ipfw.md "Listing")
        Error e = Error::usage("no rule number left after " + std::to_string(last) +
                               ": give one to `add'");
        e.exit_status = kExitUsage;
        return e;
    }
    return static_cast<uint16_t>(last + kAutoStep);
}

Result<void> apply(model::Ruleset& rs, const Command& cmd, uint16_t number,
                   std::vector<model::Command>* ran)
{
    struct Recording {
        explicit Recording(std::vector<model::Command>* to) { recorder = to; }
        ~Recording() { recorder = nullptr; }
    } recording(ran);
    model::Ruleset work = rs;
    Result<void> r;
    switch (cmd.verb) {
    case Verb::Add: r = add(work, cmd, number); break;
    case Verb::Delete:
        for (uint16_t n : cmd.numbers)
            if (r = remove(work, n); !r) break;
        break;
    case Verb::Flush: r = each_chain(work, model::Op::Flush); break;
    case Verb::Zero:
        if (cmd.numbers.empty()) {
            r = each_chain(work, model::Op::Zero);
            break;
        }
        for (uint16_t n : cmd.numbers)
            if (r = zero_number(work, n); !r) break;
        break;
    case Verb::Show:
    case Verb::List: break;
    }
    if (!r) return r;
    rs = std::move(work);
    return {};
}

}  // namespace ipchains::ipfw
