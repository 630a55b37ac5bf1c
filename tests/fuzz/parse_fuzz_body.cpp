#include "parse_fuzz_body.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "format/format.h"
#include "format/names.h"
#include "parse/parser.h"

namespace ipchains::fuzz {

namespace {

// No lookups at all: a listing without -n must not reach a resolver from a fuzzer.
class NoNames : public format::NameLookup {
public:
    std::optional<std::string> host(uint32_t) override { return std::nullopt; }
    std::optional<std::string> network(uint32_t) override { return std::nullopt; }
    std::optional<std::string> service(uint16_t, const char*) override { return std::nullopt; }
    std::optional<std::string> protocol(uint16_t) override { return std::nullopt; }
};

[[noreturn]] void fail(const char* what, const std::string& detail)
{
    std::fprintf(stderr, "property violated: %s: %s\n", what, detail.c_str());
    std::abort();
}

bool has_blank(const std::string& s)
{
    for (char c : s)
        if (std::isspace(static_cast<unsigned char>(c))) return true;
    return false;
}

// Names that the blank-separated save syntax cannot carry: blanks, an empty chain, and an
// interface literally called "!" (it would read as the inversion).
bool representable(const std::string& chain, const model::Rule& r)
{
    return !chain.empty() && !has_blank(chain) && !has_blank(r.iface) && r.iface != "!" &&
           !has_blank(r.target_chain);
}

void check_rules(const model::Command& c)
{
    NoNames names;
    model::Ruleset rs = model::Ruleset::initial();
    model::Chain user;
    user.name = c.chain.empty() ? "x" : c.chain;
    for (const auto& r : c.rules) {
        (void)format::rule_echo(r);
        user.rules.push_back(r);
        if (!representable(c.chain, r)) continue;
        const std::string line = format::save_line(c.chain, r);
        parse::ParseOptions o;
        o.restore_line = true;
        o.resolve_names = false;
        auto back = parse::parse_command(parse::split_words(line), o);
        if (!back.ok()) fail("save_line does not parse", line + " -> " + back.error().message);
        if (back->rules.size() != 1 || !(back->rules[0] == r))
            fail("save_line changes the rule", line);
    }
    if (!model::is_builtin_chain_name(user.name)) rs.chains.push_back(user);
    for (int v = 0; v < 2; ++v)
        for (int n = 0; n < 2; ++n) {
            model::Options opt;
            opt.verbose = v;
            opt.numeric = n;
            opt.line_numbers = v;
            (void)format::list(rs, "", opt, names);
        }
    (void)format::save(rs, "");
}

}  // namespace

std::vector<std::string> input_words(const uint8_t* data, std::size_t size)
{
    std::vector<std::string> words;
    if (size == 0) return words;
    std::string cur;
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == '\n') {
            words.push_back(cur);
            cur.clear();
        } else {
            cur += static_cast<char>(data[i]);
        }
    }
    if (!cur.empty()) words.push_back(cur);  // a final newline ends the last word
    return words;
}

void check_input(const std::vector<std::string>& words)
{
    for (int restore = 0; restore < 2; ++restore) {
        parse::ParseOptions o;
        o.restore_line = restore;
        o.resolve_names = false;
        o.forward_warning = 0;
        auto c = parse::parse_command(words, o);
        if (!c.ok()) {
            if (c.error().message.empty()) fail("empty error message", "");
            continue;
        }
        check_rules(*c);
    }
}

}  // namespace ipchains::fuzz
