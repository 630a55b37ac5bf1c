#include "backend/iptc/read_state.h"

#include <map>

#include "backend/iptc/translate.h"
#include "compile/compile.h"

namespace ipchains::backend::iptc {

namespace {

bool has_counter_mark(const LegacyChain& c)
{
    for (const auto& r : c.rules)
        if (!comment_of(r, kCounterComment).empty()) return true;
    return false;
}

}  // namespace

std::string carrier_comment(const LegacyRule& r)
{
    std::string line;
    bool in_line = false;
    for (const auto& m : r.matches) {
        if (m.name != "comment") continue;
        LegacyRule one;
        one.matches.push_back(m);
        const std::string text = comment_of(one);
        if (!in_line && text.compare(0, 3, "-A ") == 0) {
            line = text;
            in_line = true;
        } else if (in_line && text.compare(0, 1, kMoreComment) == 0) {
            line += text.substr(1);
        } else {
            in_line = false;
        }
    }
    return line;
}

common::KernelState kernel_state(const std::vector<LegacyChain>& ours, const std::string& prefix)
{
    common::KernelState k;
    std::map<std::string, const LegacyChain*> by_name;
    for (const auto& c : ours) by_name[c.name] = &c;

    auto meta = by_name.find(prefix + kMetaChain);
    if (meta == by_name.end()) return k;  // never committed: a fresh 2.2 boot
    k.table_exists = true;

    if (by_name.count(prefix + compile::kPassthroughChain))
        k.chains.push_back({compile::kPassthroughChain, "", false});

    for (const auto& marker : meta->second->rules) {
        const std::string comment = comment_of(marker);
        if (auto site = compile::parse_continuation_comment(comment)) {
            k.chains.push_back({compile::continuation_name(site->id), comment, false});
            continue;
        }
        auto tag = compile::parse_chain_comment(comment);
        if (!tag) continue;
        const std::string ir = compile::segment_chain_name(tag->name, tag->instance, tag->segment);
        k.chains.push_back({ir, comment, false});

        auto main = by_name.find(prefix + ir);
        if (main == by_name.end()) continue;
        std::vector<common::KernelRule> carriers;
        for (const auto& r : main->second->rules) {
            std::string line = carrier_comment(r);
            if (!line.empty()) carriers.push_back({ir, line, r.packets, r.bytes});
        }
        for (const char* copy : {kCopyForward, kCopyPostrouting}) {
            auto c = by_name.find(prefix + ir + copy);
            if (c == by_name.end()) continue;
            size_t i = 0;
            for (const auto& r : c->second->rules) {
                if (carrier_comment(r).empty()) continue;
                if (i < carriers.size()) {
                    carriers[i].packets += r.packets;
                    carriers[i].bytes += r.bytes;
                }
                ++i;
            }
        }
        for (auto& c : carriers) k.rules.push_back(std::move(c));
    }

    std::map<std::string, common::KernelCounter> counters;
    for (const auto& c : ours)
        for (const auto& r : c.rules) {
            std::string mark = comment_of(r, kCounterComment);
            if (mark.empty()) continue;
            auto& kc = counters[mark.substr(std::string(kCounterComment).size())];
            kc.name = mark.substr(std::string(kCounterComment).size());
            kc.packets += r.packets;
            kc.bytes += r.bytes;
        }
    for (auto& [name, kc] : counters) k.counters.push_back(kc);
    return k;
}

std::map<std::string, std::string> chain_owners(const std::vector<common::KernelChain>& chains,
                                                const std::string& prefix)
{
    std::map<std::string, std::string> owner;
    for (const auto& c : chains) {
        auto tag = compile::parse_chain_comment(c.comment);
        if (!tag) continue;
        for (const char* copy : {"", kCopyForward, kCopyPostrouting})
            owner[prefix + c.name + copy] = tag->name;
    }
    return owner;
}

std::vector<std::string> zeroable(const std::vector<LegacyChain>& ours, const std::string& prefix)
{
    std::vector<std::string> out;
    for (const auto& c : ours)
        if (c.name != prefix + kMetaChain && !has_counter_mark(c)) out.push_back(c.name);
    return out;
}

}  // namespace ipchains::backend::iptc
