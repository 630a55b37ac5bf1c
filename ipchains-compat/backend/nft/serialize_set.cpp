// ir::Set (a rule run, compile/runs.h) -> libnftnl set and element objects, and the kernel's
// element keys back (for the append fast path).
#include <arpa/inet.h>
#include <net/if.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string_view>
#include <utility>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "backend/nft/serialize.h"
#include "backend/nft/udata.h"
#include "compile/runs.h"

namespace ipchains::backend::nft {

namespace {

// nft's datatype numbers, so that `nft list` prints the keys as addresses, services,
// protocols and names; a concatenation's type is its fields' numbers, 6 bits each, the first
// field highest (as nft composes it).
constexpr uint32_t kTypeIpv4Addr = 7, kTypeInetProto = 12, kTypeInetService = 13,
                   kTypeIfname = 41;
constexpr uint32_t kConcatTypeBits = 6;
// Elements per message: a key, a counter and a comment of up to 256 bytes each stay within a
// batch message (batch.cpp kMaxMsg) and a netlink nest (64 KiB).
constexpr size_t kElementsPerMessage = 32;

SetPtr set_ref(const std::string& table, const std::string& name)
{
    SetPtr s(nftnl_set_alloc());
    nftnl_set_set_u32(s.get(), NFTNL_SET_FAMILY, NFPROTO_IPV4);
    nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, table.c_str());
    nftnl_set_set_str(s.get(), NFTNL_SET_NAME, name.c_str());
    return s;
}

uint32_t field_type(ir::SetField f)
{
    switch (f) {
    case ir::SetField::SourceAddr:
    case ir::SetField::DestAddr: return kTypeIpv4Addr;
    case ir::SetField::SourcePort:
    case ir::SetField::DestPort: return kTypeInetService;
    case ir::SetField::Proto: return kTypeInetProto;
    case ir::SetField::InIface:
    case ir::SetField::OutIface: return kTypeIfname;
    }
    return 0;
}

// The field's own length: what the kernel loads (payload or meta) and a one-field key holds.
uint32_t field_bytes(ir::SetField f)
{
    switch (f) {
    case ir::SetField::SourceAddr:
    case ir::SetField::DestAddr: return 4;
    case ir::SetField::SourcePort:
    case ir::SetField::DestPort: return 2;
    case ir::SetField::Proto: return 1;
    case ir::SetField::InIface:
    case ir::SetField::OutIface: return IFNAMSIZ;
    }
    return 0;
}

// The largest value of a number field: an interval reaching it has no end bound.
uint32_t field_max(ir::SetField f)
{
    uint32_t bytes = field_bytes(f);
    return bytes >= 4 ? 0xFFFFFFFFu : (1u << (8 * bytes)) - 1;
}

bool is_name(ir::SetField f)
{
    return f == ir::SetField::InIface || f == ir::SetField::OutIface;
}

uint32_t key_length(const std::vector<ir::SetField>& fields)
{
    if (fields.size() == 1) return field_bytes(fields[0]);
    uint32_t len = 0;
    for (auto f : fields) len += set_field_length(f);
    return len;
}

// A key's bytes: each field in network order (names NUL-padded), padded to 4 bytes in a
// concatenation. `hi` picks each range's last value instead of its first.
std::string key_bytes(const std::vector<ir::SetField>& fields, const std::vector<ir::SetKey>& key,
                      bool hi, uint32_t add = 0)
{
    std::string out;
    for (size_t i = 0; i < fields.size(); ++i) {
        ir::SetField f = fields[i];
        uint32_t bytes = field_bytes(f);
        std::string field(fields.size() == 1 ? bytes : set_field_length(f), '\0');
        if (is_name(f)) {
            memcpy(&field[0], key[i].name.data(), std::min<size_t>(key[i].name.size(), bytes - 1));
        } else {
            uint32_t v = (hi ? key[i].hi : key[i].lo) + add;
            for (uint32_t b = 0; b < bytes; ++b)
                field[b] = static_cast<char>(v >> (8 * (bytes - 1 - b)));
        }
        out += field;
    }
    return out;
}

// The end bound of an exact interface name in an interval set, the first name after it: its
// NUL padding with the last byte 1. Into `end`, IFNAMSIZ bytes.
void exact_name_end(const std::string& name, char* end)
{
    memset(end, 0, IFNAMSIZ);
    memcpy(end, name.data(), std::min<size_t>(name.size(), IFNAMSIZ - 1));
    end[IFNAMSIZ - 1] = 1;
}

// The end bound of an interface member in an interval set, the first name after it: an exact
// name's (exact_name_end), a wildcard's name with its last character the next one ("ppp" ->
// "ppq"). Empty when no name comes after (a wildcard of 0xff bytes).
std::string name_end(const ir::SetKey& k)
{
    std::string end(IFNAMSIZ, '\0');
    if (!k.prefix) {
        exact_name_end(k.name, &end[0]);
        return end;
    }
    memcpy(&end[0], k.name.data(), std::min<size_t>(k.name.size(), IFNAMSIZ - 1));
    for (size_t i = std::min<size_t>(k.name.size(), IFNAMSIZ - 1); i-- > 0;) {
        if (static_cast<uint8_t>(end[i]) != 0xFF) {
            end[i] = static_cast<char>(static_cast<uint8_t>(end[i]) + 1);
            return end;
        }
        end[i] = '\0';
    }
    return {};
}

nftnl_set_elem* key_element(const std::string& key)
{
    nftnl_set_elem* e = nftnl_set_elem_alloc();
    nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key.data(), static_cast<uint32_t>(key.size()));
    return e;
}

}  // namespace

uint32_t set_field_length(ir::SetField f)
{
    return (field_bytes(f) + 3) / 4 * 4;
}

SetPtr make_set(const std::string& table, const ir::Set& is)
{
    SetPtr s = set_ref(table, is.name);
    // The kernel wants an id for references within the batch; ours go by name, so any id
    // unique among the batch's new sets does.
    nftnl_set_set_u32(s.get(), NFTNL_SET_ID,
                      static_cast<uint32_t>(std::hash<std::string>{}(is.name)));
    uint32_t type = 0;
    for (auto f : is.fields) type = type << kConcatTypeBits | field_type(f);
    nftnl_set_set_u32(s.get(), NFTNL_SET_KEY_TYPE, type);
    nftnl_set_set_u32(s.get(), NFTNL_SET_KEY_LEN, key_length(is.fields));
    uint32_t flags = is.interval ? NFT_SET_INTERVAL : 0;
    if (is.map) {
        // A verdict map: the kernel sizes the data itself (struct nft_verdict).
        flags |= NFT_SET_MAP;
        nftnl_set_set_u32(s.get(), NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
    }
    if (is.fields.size() > 1) {
        // A concatenation with ranges is a pipapo set: the kernel needs each field's length.
        flags |= NFT_SET_CONCAT;
        uint8_t lengths[NFT_REG32_COUNT] = {};
        for (size_t i = 0; i < is.fields.size() && i < NFT_REG32_COUNT; ++i)
            lengths[i] = static_cast<uint8_t>(field_bytes(is.fields[i]));
        nftnl_set_set_data(s.get(), NFTNL_SET_DESC_CONCAT, lengths, sizeof lengths);
    }
    nftnl_set_set_u32(s.get(), NFTNL_SET_FLAGS, flags);
    // A hash set's size makes the kernel pick its fixed-size hash, as for `nft -o`'s sets
    // (docs/nftables-mapping.md "Rule runs"); interval sets and concatenations have none.
    if (is.size) nftnl_set_set_u32(s.get(), NFTNL_SET_DESC_SIZE, is.size);
    if (is.fields.size() == 1 && is_name(is.fields[0])) {
        // nft reads keys as big-endian unless the set says otherwise; names are strings in
        // host order (nft's BYTEORDER_HOST_ENDIAN, 1), or `nft list` prints them mangled.
        const uint32_t host_endian = 1;
        std::string ud(2, '\0');
        ud[0] = static_cast<char>(NFTNL_UDATA_SET_KEYBYTEORDER);
        ud[1] = static_cast<char>(sizeof host_endian);
        ud.append(reinterpret_cast<const char*>(&host_endian), sizeof host_endian);
        nftnl_set_set_data(s.get(), NFTNL_SET_USERDATA, ud.data(),
                           static_cast<uint32_t>(ud.size()));
    }
    // Every element gets a counter: the counter of the ipchains rule it stands for.
    nftnl_expr* counter = nftnl_expr_alloc("counter");
    nftnl_set_add_expr(s.get(), counter);
    return s;
}

std::vector<SetPtr> make_set_elements(const std::string& table, const ir::Set& is,
                                      const std::vector<size_t>& index,
                                      ElementContent content)
{
    std::vector<SetPtr> out;
    size_t in_message = kElementsPerMessage;
    bool concat = is.fields.size() > 1;
    for (size_t i : index) {
        const ir::SetElement& m = is.elements[i];
        if (in_message + 2 > kElementsPerMessage) {
            out.push_back(set_ref(table, is.name));
            in_message = 0;
        }
        nftnl_set* s = out.back().get();
        nftnl_set_elem* e = key_element(key_bytes(is.fields, m.key, false));
        // A concatenation's member is one element from its first key to its last.
        if (concat) {
            std::string end = key_bytes(is.fields, m.key, true);
            nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY_END, end.data(),
                               static_cast<uint32_t>(end.size()));
        }
        if (content != ElementContent::KeysOnly) {
            bool counts = content == ElementContent::Counts;
            nftnl_expr* counter = nftnl_expr_alloc("counter");
            nftnl_expr_set_u64(counter, NFTNL_EXPR_CTR_PACKETS, counts ? m.counter.packets : 0);
            nftnl_expr_set_u64(counter, NFTNL_EXPR_CTR_BYTES, counts ? m.counter.bytes : 0);
            nftnl_set_elem_add_expr(e, counter);
            std::string ud = comment_udata(NFTNL_UDATA_SET_ELEM_COMMENT, m.comment);
            nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, ud.data(),
                               static_cast<uint32_t>(ud.size()));
            if (is.map && m.verdict) {
                bool accept = m.verdict->kind == ir::Verdict::Accept;
                nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, accept ? NF_ACCEPT : NF_DROP);
            }
        }
        nftnl_set_elem_add(s, e);
        ++in_message;
        // An interface in an interval set (some member is a wildcard): its end bound too.
        std::string name_bound =
            is.interval && !concat && is_name(is.fields[0]) ? name_end(m.key[0]) : "";
        if (!name_bound.empty()) {
            nftnl_set_elem* end = key_element(name_bound);
            nftnl_set_elem_set_u32(end, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
            nftnl_set_elem_add(s, end);
            ++in_message;
        }
        // One field with a range: its end bound is a second element after its last value.
        if (is.interval && !concat && !is_name(is.fields[0]) &&
            m.key[0].hi != field_max(is.fields[0])) {
            nftnl_set_elem* end = key_element(key_bytes(is.fields, m.key, true, 1));
            nftnl_set_elem_set_u32(end, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
            nftnl_set_elem_add(s, end);
            ++in_message;
        }
    }
    return out;
}

namespace {

// Calls `f` on each attribute in the `len` bytes at `data`; false as soon as `f` is.
template <typename F>
bool each_attr(const void* data, size_t len, F&& f)
{
    const auto* a = static_cast<const nlattr*>(data);
    int left = static_cast<int>(len);
    for (; mnl_attr_ok(a, left); a = mnl_attr_next(a)) {
        left -= static_cast<int>(MNL_ALIGN(a->nla_len));
        if (!f(a)) return false;
    }
    return true;
}

template <typename F>
bool each_nested(const nlattr* nest, F&& f)
{
    return each_attr(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest),
                     std::forward<F>(f));
}

// The value of an NFTA_DATA nest (a key): null when it holds none; false when it does not
// parse (a value longer than any data register, which libnftnl refuses too).
bool data_value(const nlattr* nest, const char*& value, uint32_t& len)
{
    value = nullptr;
    return each_nested(nest, [&](const nlattr* a) {
        if (mnl_attr_get_type(a) != NFTA_DATA_VALUE) return true;
        len = mnl_attr_get_payload_len(a);
        if (len > NFT_DATA_VALUE_MAXLEN) return false;
        value = static_cast<const char*>(mnl_attr_get_payload(a));
        return true;
    });
}

// A key as the kernel holds it, into `key` (its storage reused): names up to their NUL,
// numbers in network order, each field 4-byte aligned in a concatenation.
void parse_key_into(const std::vector<ir::SetField>& fields, const char* data,
                    std::vector<ir::SetKey>& key)
{
    key.resize(fields.size());
    for (size_t i = 0; i < fields.size(); ++i) {
        uint32_t bytes = field_bytes(fields[i]);
        key[i].field = fields[i];
        key[i].prefix = false;
        if (is_name(fields[i])) {
            key[i].name.assign(data, strnlen(data, bytes));
            key[i].lo = key[i].hi = 0;
        } else {
            uint32_t v = 0;
            for (uint32_t b = 0; b < bytes; ++b) v = v << 8 | static_cast<uint8_t>(data[b]);
            key[i].name.clear();
            key[i].lo = key[i].hi = v;
        }
        data += fields.size() == 1 ? bytes : set_field_length(fields[i]);
    }
}

}  // namespace

RunElements::RunElements(const std::vector<ir::SetField>& fields)
    : fields_(fields), len_(key_length(fields)), interval_(fields.size() > 1)
{
}

bool RunElements::numbers_complete() const
{
    return numbers_.size() == members_ && compile::run_numbers_complete(numbers_);
}

void RunElements::add_message(const nlmsghdr* m)
{
    const size_t keys_before = keys_.size(), elements_before = elements_.size(),
                 numbers_before = numbers_.size();
    const bool concat = fields_.size() > 1;
    // What this message adds, kept aside until it has parsed whole.
    bool interval = false, valid = true;
    size_t members = 0;
    std::string_view sample;
    auto element = [&](const nlattr* nest) {
        const char* key = nullptr;
        const char* last = nullptr;
        uint32_t key_len = 0, last_len = 0, flags = 0;
        bool has_last = false;
        std::string_view comment;
        bool ok = each_nested(nest, [&](const nlattr* a) {
            switch (mnl_attr_get_type(a)) {
            case NFTA_SET_ELEM_KEY: return data_value(a, key, key_len);
            case NFTA_SET_ELEM_KEY_END:
                has_last = true;
                return data_value(a, last, last_len);
            case NFTA_SET_ELEM_FLAGS:
                if (mnl_attr_validate(a, MNL_TYPE_U32) < 0) return false;
                flags = ntohl(mnl_attr_get_u32(a));
                return true;
            case NFTA_SET_ELEM_USERDATA:
                comment = comment_view_from_udata(mnl_attr_get_payload(a),
                                                  mnl_attr_get_payload_len(a),
                                                  NFTNL_UDATA_SET_ELEM_COMMENT);
                return true;
            default: return true;
            }
        });
        if (!ok) return false;
        bool end = flags & NFT_SET_ELEM_INTERVAL_END;
        if (end) interval = true;
        if (!key || key_len != len_ || (concat && has_last && (!last || last_len != len_))) {
            valid = false;
            return true;
        }
        elements_.push_back({static_cast<uint32_t>(keys_.size()), end, concat && has_last});
        keys_.append(key, len_);
        if (concat && has_last) keys_.append(last, len_);
        if (end) return true;
        ++members;
        size_t n = 0;
        std::string_view line;
        if (!compile::parse_run_member_comment(comment, n, line)) return true;
        numbers_.push_back(n);
        if (sample.empty()) sample = line;
        return true;
    };
    // libnftnl refuses a list entry that is not NFTA_LIST_ELEM: so does this.
    const auto* attrs = static_cast<const char*>(mnl_nlmsg_get_payload_offset(m, sizeof(nfgenmsg)));
    const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(m));
    bool ok = each_attr(attrs, static_cast<size_t>(tail - attrs), [&](const nlattr* a) {
        if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS) return true;
        return each_nested(a, [&](const nlattr* e) {
            return mnl_attr_get_type(e) == NFTA_LIST_ELEM && element(e);
        });
    });
    if (!ok) {
        keys_.resize(keys_before);
        elements_.resize(elements_before);
        numbers_.resize(numbers_before);
        return;
    }
    interval_ = interval_ || interval;
    keys_valid_ = keys_valid_ && valid;
    members_ += members;
    if (sample_.empty()) sample_.assign(sample.data(), sample.size());
}

bool RunElements::overlaps(const std::vector<ir::SetKey>& key) const
{
    std::vector<ir::SetKey> member, last;
    const char* bytes = keys_.data();
    if (!interval_ || fields_.size() > 1) {
        for (const Element& e : elements_) {
            if (e.end) continue;
            parse_key_into(fields_, bytes + e.key, member);
            if (e.has_last) {
                parse_key_into(fields_, bytes + e.key + len_, last);
                for (size_t i = 0; i < fields_.size(); ++i) member[i].hi = last[i].hi;
            }
            if (compile::keys_overlap(member, key)) return true;
        }
        return false;
    }
    // One interval field: a member runs from its start to before the next end bound, or to the
    // top of the field when no end bound follows.
    // An interface member whose end bound is not its own name's is a wildcard.
    std::vector<uint32_t> order(elements_.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        int c = memcmp(bytes + elements_[a].key, bytes + elements_[b].key, len_);
        return c != 0 ? c < 0 : elements_[a].end > elements_[b].end;
    });
    const ir::SetField field = fields_[0];
    for (size_t i = 0; i < order.size(); ++i) {
        const Element& e = elements_[order[i]];
        if (e.end) continue;
        const Element* next = i + 1 < order.size() && elements_[order[i + 1]].end
                                  ? &elements_[order[i + 1]]
                                  : nullptr;
        parse_key_into(fields_, bytes + e.key, member);
        if (is_name(field)) {
            char own_end[IFNAMSIZ];
            exact_name_end(member[0].name, own_end);
            member[0].prefix = !next || memcmp(bytes + next->key, own_end, IFNAMSIZ) != 0;
        } else if (next) {
            parse_key_into(fields_, bytes + next->key, last);
            member[0].hi = last[0].lo - 1;
        } else {
            member[0].hi = field_max(field);
        }
        if (compile::keys_overlap(member, key)) return true;
    }
    return false;
}

std::vector<SetPtr> make_all_set_elements(const std::string& table, const ir::Set& s,
                                          ElementContent content)
{
    std::vector<size_t> all(s.elements.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    return make_set_elements(table, s, all, content);
}

}  // namespace ipchains::backend::nft
