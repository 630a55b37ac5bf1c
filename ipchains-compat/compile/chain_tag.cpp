// Chain comments: how the nft reader tells an ipchains chain segment from a layout chain, and
// which resume site a continuation chain stands for.
#include <cstdlib>
#include <vector>

#include "compile/compile.h"
#include "compile/plan.h"

namespace ipchains::compile {

namespace {

constexpr const char kPrefix[] = "ipchains:";
constexpr const char kContinuationPrefix[] = "ipchains-layout:cont:";

bool parse_int(const std::string& s, int* out)
{
    if (s.empty() || s.size() > 9) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    *out = std::atoi(s.c_str());
    return true;
}

}  // namespace

std::string chain_comment(const ChainTag& tag)
{
    return std::string(kPrefix) + std::to_string(tag.position) + ":" +
           std::to_string(tag.instance) + ":" + std::to_string(tag.segment) + ":" +
           detail::hook_short_name(tag.hook) + ":" +
           (tag.policy ? model::policy_name(*tag.policy) : tag.policy_in_base ? "*" : "-") +
           ":" + tag.name;
}

std::optional<ChainTag> parse_chain_comment(const std::string& comment)
{
    const size_t plen = sizeof(kPrefix) - 1;
    if (comment.compare(0, plen, kPrefix) != 0) return std::nullopt;
    std::vector<std::string> f;
    size_t pos = plen;
    while (f.size() < 5) {
        size_t colon = comment.find(':', pos);
        if (colon == std::string::npos) return std::nullopt;
        f.push_back(comment.substr(pos, colon - pos));
        pos = colon + 1;
    }
    ChainTag tag;
    tag.name = comment.substr(pos);
    if (tag.name.empty()) return std::nullopt;
    if (!parse_int(f[0], &tag.position) || !parse_int(f[1], &tag.instance) ||
        !parse_int(f[2], &tag.segment))
        return std::nullopt;
    if (f[3] == "in")
        tag.hook = ir::Hook::Prerouting;
    else if (f[3] == "fwd")
        tag.hook = ir::Hook::Forward;
    else if (f[3] == "out")
        tag.hook = ir::Hook::Postrouting;
    else
        return std::nullopt;
    if (f[4] == "*") {
        tag.policy_in_base = true;
    } else if (f[4] != "-") {
        tag.policy = model::policy_from_name(f[4]);
        if (!tag.policy) return std::nullopt;
    }
    return tag;
}

std::string continuation_name(uint32_t id)
{
    return "~cont-" + std::to_string(id);
}

std::string continuation_comment(const KeptSite& site)
{
    return std::string(kContinuationPrefix) + std::to_string(site.id) + ":" + site.key;
}

std::optional<KeptSite> parse_continuation_comment(const std::string& comment)
{
    const size_t plen = sizeof(kContinuationPrefix) - 1;
    if (comment.compare(0, plen, kContinuationPrefix) != 0) return std::nullopt;
    size_t colon = comment.find(':', plen);
    if (colon == std::string::npos || colon + 1 == comment.size()) return std::nullopt;
    int id = 0;
    if (!parse_int(comment.substr(plen, colon - plen), &id) || id == 0) return std::nullopt;
    return KeptSite{static_cast<uint32_t>(id), comment.substr(colon + 1)};
}

std::string segment_chain_name(const std::string& name, int instance, int segment)
{
    std::string n = name;
    if (instance > 0) n += "@" + std::to_string(instance);
    if (segment > 0) n += "~" + std::to_string(segment);
    return n;
}

std::string format_chain_name(int format)
{
    return "~format-" + std::to_string(format);
}

std::optional<int> format_of_chain(const std::string& name)
{
    const std::string prefix = "~format-";
    int format = 0;
    if (name.compare(0, prefix.size(), prefix) != 0 ||
        !parse_int(name.substr(prefix.size()), &format))
        return std::nullopt;
    return format;
}

std::string policy_counter_name(const std::string& builtin)
{
    return builtin + "-policy";
}

std::string hook_chain_name(const std::string& builtin)
{
    return std::string("~") + detail::hook_short_name(detail::builtin_hook(builtin)) + "-hook";
}

}  // namespace ipchains::compile
