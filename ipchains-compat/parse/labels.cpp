#include "parse/labels.h"

#include <cctype>

namespace ipchains::parse::detail {

Result<std::string> parse_target(const std::string& s)
{
    if (s.empty() || s[0] == '\0') return Error::usage("Invalid target name (too short)");
    if (s.size() > kMaxLabel)
        return Error::usage("Invalid target name `" + s + "' (" + std::to_string(kMaxLabel) +
                            " chars max)");
    for (char c : s)
        if (std::isspace(static_cast<unsigned char>(c)) || c == '\0')
            return Error::usage("Invalid target name `" + s + "'");
    return s;
}

Result<Interface> parse_interface(const std::string& s, bool kernel_names)
{
    const bool wide_wildcard = kernel_names && s.size() == kIfNameSize + 1 && s.back() == '+';
    if (s.size() > kIfNameSize && !wide_wildcard)
        return Error::usage("interface name `" + s + "' must be shorter than IFNAMSIZ (" +
                            std::to_string(kIfNameSize) + ")");
    Interface i;
    i.name = s.substr(0, s.find('\0'));
    if (i.name.empty()) {
        i.wildcard = true;
    } else if (i.name.back() == '+') {
        i.name.pop_back();
        i.wildcard = true;
    }
    return i;
}

Result<model::Policy> parse_policy(const std::string& chain, const std::string& policy)
{
    if (policy == "MASQ") {
        if (chain != "forward") return Error::usage("`-P MASQ' only valid for `forward' chain.");
        return model::Policy::Masq;
    }
    if (!model::is_builtin_chain_name(chain))
        return Error::usage("Can only set policy in built-in chains.");
    auto p = model::policy_from_name(policy);
    if (!p || *p == model::Policy::Masq)
        return Error::usage("Invalid policy `" + policy + "' for -P");
    return *p;
}

}  // namespace ipchains::parse::detail
