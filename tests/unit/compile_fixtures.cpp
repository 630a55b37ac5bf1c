#include "compile_fixtures.h"

#include <map>
#include <set>
#include <stdexcept>

#include "engine/engine.h"
#include "model/prefix6.h"

namespace fx {

model::Rule rule(model::TargetKind t)
{
    model::Rule r;
    r.target = t;
    r.flags = model::kFlagWildIf;
    return r;
}

model::Rule jump(const std::string& chain)
{
    model::Rule r = rule(model::TargetKind::Chain);
    r.target_chain = chain;
    return r;
}

model::Rule divert(uint16_t port)
{
    model::Rule r = rule(model::TargetKind::Divert);
    r.redirect_port = port;
    return r;
}

model::Rule with_proto(model::Rule r, uint16_t proto)
{
    r.proto = proto;
    return r;
}

model::Rule udp_deny(uint16_t lo, uint16_t hi, uint32_t src, uint32_t mask)
{
    model::Rule r = rule(model::TargetKind::Deny);
    r.proto = 17;
    r.dport = {lo, hi};
    r.src = src;
    r.src_mask = mask;
    return r;
}

model::Ruleset ruleset(const std::vector<std::string>& user_chains)
{
    model::Ruleset rs = model::Ruleset::initial();
    for (const auto& n : user_chains) {
        model::Command c;
        c.op = model::Op::NewChain;
        c.chain = n;
        auto ok = engine::apply(rs, c);
        if (!ok) throw std::runtime_error("-N " + n + ": " + ok.error().message);
    }
    return rs;
}

void append(model::Ruleset& rs, const std::string& chain, const model::Rule& r)
{
    model::Command c;
    c.op = model::Op::Append;
    c.chain = chain;
    c.rules = {r};
    auto ok = engine::apply(rs, c);
    if (!ok) throw std::runtime_error("-A " + chain + ": " + ok.error().message);
}

ir::Table compiled(const model::Ruleset& rs)
{
    auto t = compile::compile(rs);
    if (!t) throw std::runtime_error("compile: " + t.error().message);
    return *t;
}

ir::Table compiled6(const model::Ruleset& rs)
{
    compile::Options opt;
    opt.ip6 = true;
    auto t = compile::compile(rs, opt);
    if (!t) throw std::runtime_error("compile ip6: " + t.error().message);
    return *t;
}

model::Rule ip6_divert(uint16_t number, uint16_t port, const std::string& dst6)
{
    model::Rule r = divert(port);
    r.ip6 = true;
    r.number = number;
    auto p = model::parse_prefix6(dst6);
    if (!p) throw std::runtime_error("not an IPv6 prefix: " + dst6);
    r.dst6 = *p;
    return r;
}

const ir::Chain* find(const ir::Table& t, const std::string& name)
{
    for (const auto& c : t.chains)
        if (c.name == name) return &c;
    return nullptr;
}

std::map<std::string, uint32_t> resume_sites(const ir::Table& t)
{
    std::map<std::string, uint32_t> out;
    for (const auto& c : t.chains)
        if (auto site = compile::parse_continuation_comment(c.comment)) out[site->key] = site->id;
    return out;
}

bool ordered(const ir::Table& t)
{
    std::set<std::string> seen;
    for (const auto& c : t.chains) {
        for (const auto& r : c.rules)
            for (const auto& s : r.statements)
                if (const auto* v = std::get_if<ir::Verdict>(&s))
                    if (!v->chain.empty() && !seen.count(v->chain)) return false;
        seen.insert(c.name);
    }
    return true;
}

std::vector<std::string> chain_names(const ir::Table& t)
{
    std::vector<std::string> out;
    for (const auto& c : t.chains) out.push_back(c.name);
    return out;
}

std::vector<std::string> verdicts(const ir::Chain& c)
{
    std::vector<std::string> out;
    for (const auto& r : c.rules) {
        for (const auto& s : r.statements) {
            const auto* v = std::get_if<ir::Verdict>(&s);
            if (v == nullptr) continue;
            static const char* const kNames[] = {"accept", "drop", "return", "jump", "goto"};
            std::string text = kNames[v->kind];
            if (!v->chain.empty()) text += " " + v->chain;
            out.push_back(text);
        }
    }
    return out;
}

model::Ruleset rich_ruleset()
{
    model::Ruleset rs = ruleset({"ppp-in", "log", "acct"});
    model::Rule r = with_proto(divert(1234), 1);
    append(rs, "input", r);

    r = with_proto(rule(model::TargetKind::Deny), 6);
    r.src = 0xC0A80100;
    r.src_mask = 0xFFFFFF00;
    r.dport = {80, 80};
    r.flags |= model::kFlagSyn | model::kFlagLog;
    append(rs, "input", r);

    r = with_proto(rule(model::TargetKind::Redirect), 6);
    r.dst = 0x0A000001;
    r.dst_mask = 0xFFFFFFFF;
    r.dport = {80, 80};
    r.redirect_port = 8080;
    append(rs, "input", r);

    r = jump("ppp-in");
    r.iface = "ppp";
    append(rs, "input", r);

    r = rule();
    r.src = 0x0A010101;
    r.src_mask = 0xFFFFFFFF;
    append(rs, "input", r);

    r = with_proto(rule(model::TargetKind::Accept), 17);
    r.src = 0x7F000000;
    r.src_mask = 0xFF000000;
    r.invflags = model::kInvSrcIp | model::kInvDstPort;
    r.dport = {1024, 65535};
    r.mark = 5;
    r.flags |= model::kFlagMarkAbs;
    r.tos_and = 0x01;
    r.tos_xor = 0x10;
    append(rs, "input", r);

    r = with_proto(rule(model::TargetKind::Accept), 17);
    r.src = 0xCB1D1001;
    r.src_mask = 0xFFFFFFFF;
    r.sport = {53, 53};
    r.iface = "ppp0";
    r.flags = model::kFlagNetlink;
    r.output_size = 128;
    append(rs, "ppp-in", r);
    append(rs, "ppp-in", with_proto(divert(4321), 6));
    r = rule(model::TargetKind::Return);
    r.flags |= model::kFlagFrag;
    append(rs, "ppp-in", r);

    r = rule(model::TargetKind::Reject);
    r.flags |= model::kFlagLog;
    append(rs, "log", r);

    r = with_proto(rule(model::TargetKind::Accept), 1);
    r.sport = {8, 8};
    r.dport = {0, 0};
    append(rs, "acct", r);
    r = rule();
    r.mark = 0xFFFFFFFF;  // -m -1: relative
    append(rs, "acct", r);

    append(rs, "forward", jump("ppp-in"));
    append(rs, "forward", jump("acct"));
    r = rule(model::TargetKind::Masq);
    r.src = 0xC0A80000;
    r.src_mask = 0xFFFF0000;
    r.iface = "eth";
    r.invflags = model::kInvVia;
    append(rs, "forward", r);
    append(rs, "output", jump("log"));
    append(rs, "output", jump("ppp-in"));
    rs.find("forward")->policy = model::Policy::Deny;
    rs.find("output")->policy = model::Policy::Reject;
    rs.find("input")->policy_counters = {1234567, 987654321};
    return rs;
}

}  // namespace fx
