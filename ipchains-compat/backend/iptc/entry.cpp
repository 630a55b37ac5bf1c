#include "backend/iptc/entry.h"

#include <cstring>

#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_comment.h>

namespace ipchains::backend::iptc {

namespace {

size_t padded(size_t header, size_t len)
{
    return XT_ALIGN(header + len);
}

void put_extension_header(uint8_t* at, uint16_t size, const Extension& x)
{
    // xt_entry_match and xt_entry_target share this user-side layout: size, name, revision.
    auto* m = reinterpret_cast<xt_entry_match*>(at);
    m->u.user.match_size = size;
    std::strncpy(m->u.user.name, x.name.c_str(), sizeof(m->u.user.name) - 1);
    m->u.user.revision = x.revision;
}

std::string hex(const void* p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(n * 2);
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) {
        s.push_back(digits[b[i] >> 4]);
        s.push_back(digits[b[i] & 15]);
    }
    return s;
}

void append_extension_identity(std::string& out, const Extension& x, size_t header)
{
    std::vector<uint8_t> data = x.data;
    data.resize(padded(header, x.data.size()) - header, 0);
    out += x.name;
    out += '/';
    out += std::to_string(x.revision);
    out += ':';
    out += hex(data.data(), data.size());
    out += ';';
}

}  // namespace

std::vector<uint8_t> build_entry(const LegacyRule& r)
{
    size_t size = XT_ALIGN(sizeof(ipt_entry));
    for (const auto& m : r.matches) size += padded(sizeof(xt_entry_match), m.data.size());
    const size_t target_size =
        r.standard ? XT_ALIGN(sizeof(xt_standard_target))
                   : padded(sizeof(xt_entry_target), r.target.data.size());
    std::vector<uint8_t> buf(size + target_size, 0);

    auto* e = reinterpret_cast<ipt_entry*>(buf.data());
    e->ip = r.ip;
    e->target_offset = static_cast<uint16_t>(size);
    e->next_offset = static_cast<uint16_t>(size + target_size);
    e->counters.pcnt = r.packets;
    e->counters.bcnt = r.bytes;

    size_t at = XT_ALIGN(sizeof(ipt_entry));
    for (const auto& m : r.matches) {
        const size_t msize = padded(sizeof(xt_entry_match), m.data.size());
        put_extension_header(buf.data() + at, static_cast<uint16_t>(msize), m);
        if (!m.data.empty())
            std::memcpy(buf.data() + at + sizeof(xt_entry_match), m.data.data(), m.data.size());
        at += msize;
    }
    if (r.standard) {
        Extension label{r.label, 0, {}};
        put_extension_header(buf.data() + at, static_cast<uint16_t>(target_size), label);
    } else {
        put_extension_header(buf.data() + at, static_cast<uint16_t>(target_size), r.target);
        if (!r.target.data.empty())
            std::memcpy(buf.data() + at + sizeof(xt_entry_target), r.target.data.data(),
                        r.target.data.size());
    }
    return buf;
}

LegacyRule parse_entry(const ipt_entry* e, const char* target_label)
{
    LegacyRule r;
    r.ip = e->ip;
    r.packets = e->counters.pcnt;
    r.bytes = e->counters.bcnt;
    const auto* base = reinterpret_cast<const uint8_t*>(e);
    for (size_t at = sizeof(ipt_entry); at < e->target_offset;) {
        const auto* m = reinterpret_cast<const xt_entry_match*>(base + at);
        if (m->u.match_size < sizeof(xt_entry_match)) break;  // corrupt: stop, never loop
        Extension x;
        x.name = std::string(m->u.user.name, strnlen(m->u.user.name, sizeof(m->u.user.name)));
        x.revision = m->u.user.revision;
        x.data.assign(base + at + sizeof(xt_entry_match), base + at + m->u.match_size);
        r.matches.push_back(std::move(x));
        at += m->u.match_size;
    }
    const auto* t = reinterpret_cast<const xt_entry_target*>(base + e->target_offset);
    const std::string label = target_label ? target_label : "";
    const std::string tname(t->u.user.name, strnlen(t->u.user.name, sizeof(t->u.user.name)));
    // libiptc hands standard targets back with an empty name; our own unsent entries carry
    // the verdict label there.
    if (tname.empty() || tname == IPTC_LABEL_ACCEPT || tname == IPTC_LABEL_DROP ||
        tname == IPTC_LABEL_QUEUE || tname == IPTC_LABEL_RETURN) {
        r.standard = true;
        r.label = label;
    } else {
        r.standard = false;
        r.target.name = tname;
        r.target.revision = t->u.user.revision;
        r.target.data.assign(base + e->target_offset + sizeof(xt_entry_target),
                             base + e->target_offset + t->u.target_size);
    }
    return r;
}

std::string identity(const LegacyRule& r)
{
    std::string s = hex(&r.ip, sizeof(r.ip));
    s += '|';
    for (const auto& m : r.matches) append_extension_identity(s, m, sizeof(xt_entry_match));
    s += '|';
    if (r.standard) {
        s += "=" + r.label;
    } else {
        append_extension_identity(s, r.target, sizeof(xt_entry_target));
    }
    return s;
}

std::string comment_of(const LegacyRule& r, const std::string& prefix)
{
    for (const auto& m : r.matches) {
        if (m.name != "comment" || m.data.empty()) continue;
        const char* text = reinterpret_cast<const char*>(m.data.data());
        std::string c(text, strnlen(text, m.data.size()));
        if (c.compare(0, prefix.size(), prefix) == 0) return c;
    }
    return {};
}

}  // namespace ipchains::backend::iptc
