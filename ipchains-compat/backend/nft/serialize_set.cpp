// ir::Set (a rule run, compile/runs.h) -> libnftnl set and element objects, and the kernel's
// element keys back (for the append fast path).
#include <arpa/inet.h>
#include <net/if.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "backend/nft/serialize.h"
#include "backend/nft/udata.h"

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

std::vector<ir::SetKey> parse_key(const std::vector<ir::SetField>& fields, const char* data)
{
    std::vector<ir::SetKey> key(fields.size());
    for (size_t i = 0; i < fields.size(); ++i) {
        uint32_t bytes = field_bytes(fields[i]);
        key[i].field = fields[i];
        if (is_name(fields[i])) {
            key[i].name.assign(data, strnlen(data, bytes));
        } else {
            uint32_t v = 0;
            for (uint32_t b = 0; b < bytes; ++b) v = v << 8 | static_cast<uint8_t>(data[b]);
            key[i].lo = key[i].hi = v;
        }
        data += fields.size() == 1 ? bytes : set_field_length(fields[i]);
    }
    return key;
}

// The end bound of an interface member in an interval set, the first name after it: an exact
// name's NUL padding with its last byte 1, a wildcard's name with its last character the next
// one ("ppp" -> "ppq"). Empty when no name comes after (a wildcard of 0xff bytes).
std::string name_end(const ir::SetKey& k)
{
    std::string end(IFNAMSIZ, '\0');
    memcpy(&end[0], k.name.data(), std::min<size_t>(k.name.size(), IFNAMSIZ - 1));
    if (!k.prefix) {
        end[IFNAMSIZ - 1] = 1;
        return end;
    }
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

bool read_element_keys(const std::vector<SetPtr>& elements, const std::vector<ir::SetField>& fields,
                       bool interval, std::vector<ElementKey>& out)
{
    uint32_t len = key_length(fields);
    bool concat = fields.size() > 1;
    struct Bound {
        std::string bytes;  // the key as the kernel holds it (compared as memcmp does)
        bool end;
        size_t member;  // index in `out` of a start
    };
    std::vector<Bound> bounds;
    for (const auto& set : elements) {
        nftnl_set_elems_iter* it = nftnl_set_elems_iter_create(set.get());
        for (nftnl_set_elem* e = nftnl_set_elems_iter_next(it); e;
             e = nftnl_set_elems_iter_next(it)) {
            uint32_t got = 0;
            const char* k =
                static_cast<const char*>(nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &got));
            if (!k || got != len) {
                nftnl_set_elems_iter_destroy(it);
                return false;
            }
            ElementKey ek;
            ek.key = parse_key(fields, k);
            bool end = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
                       (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) &
                        NFT_SET_ELEM_INTERVAL_END);
            if (concat && nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_KEY_END)) {
                const char* last =
                    static_cast<const char*>(nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END, &got));
                if (!last || got != len) {
                    nftnl_set_elems_iter_destroy(it);
                    return false;
                }
                auto hi = parse_key(fields, last);
                for (size_t i = 0; i < fields.size(); ++i) ek.key[i].hi = hi[i].hi;
            }
            if (!end && nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_USERDATA)) {
                const void* ud = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &got);
                ek.comment = comment_from_udata(ud, got, NFTNL_UDATA_SET_ELEM_COMMENT);
            }
            if (interval && !concat)
                bounds.push_back({std::string(k, len), end, end ? 0 : out.size()});
            if (!end) out.push_back(std::move(ek));
        }
        nftnl_set_elems_iter_destroy(it);
    }
    // One interval field: a member runs from its start to before the next end bound, or to the
    // top of the field when no end bound follows.
    // An interface member whose end bound is not its own name's is a wildcard.
    std::sort(bounds.begin(), bounds.end(), [](const Bound& a, const Bound& b) {
        return a.bytes != b.bytes ? a.bytes < b.bytes : a.end > b.end;
    });
    for (size_t i = 0; i < bounds.size(); ++i) {
        if (bounds[i].end) continue;
        ir::SetKey& key = out[bounds[i].member].key[0];
        const Bound* next = i + 1 < bounds.size() && bounds[i + 1].end ? &bounds[i + 1] : nullptr;
        if (is_name(fields[0])) {
            key.prefix = !next || next->bytes != name_end(key);
            continue;
        }
        key.hi = next ? parse_key(fields, next->bytes.data())[0].lo - 1 : field_max(fields[0]);
    }
    return true;
}

std::vector<SetPtr> make_all_set_elements(const std::string& table, const ir::Set& s,
                                          ElementContent content)
{
    std::vector<size_t> all(s.elements.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    return make_set_elements(table, s, all, content);
}

}  // namespace ipchains::backend::nft
