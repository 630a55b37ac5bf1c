// The compiled form of a ruleset: a table of chains of rules made of matches and statements,
// close to nftables' own vocabulary but free of any library type. compile/ produces it; the
// nft backend serializes it with libnftnl, the text backend prints it as nft syntax, the
// iptc backend maps it onto ipt_entry records. Host byte order throughout.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ipchains::ir {

enum class Hook { Prerouting, Input, Forward, Output, Postrouting };
enum class ChainType { Filter, Nat };

// A base chain's own policy counters (NFTA_CHAIN_COUNTERS): the values it starts from.
struct ChainCounters {
    uint64_t packets = 0, bytes = 0;
};

struct BaseChain {
    Hook hook;
    int priority;
    ChainType type = ChainType::Filter;
    // The chain's own policy (else accept) and, when set, its own counters, which the kernel
    // advances only for packets that reach that policy (compile::Options::base_chain_policy).
    bool drop = false;
    std::optional<ChainCounters> counters = std::nullopt;
    // Whether the chain counts is layout; what it has counted is state, so the values are
    // left out, as for rule counters.
    bool operator==(const BaseChain& o) const { return same_but_policy(o) && drop == o.drop; }
    // The kernel changes a base chain's policy in place, and nothing else of its definition.
    bool same_but_policy(const BaseChain& o) const
    {
        return hook == o.hook && priority == o.priority && type == o.type &&
               counters.has_value() == o.counters.has_value();
    }
};

// ---- matches -------------------------------------------------------------------------
struct IfName {          // iifname / oifname
    bool input;          // true: incoming interface, false: outgoing
    std::string name;    // without '+'
    bool prefix;         // ppp+ : match names starting with `name`
    bool negate;
    bool operator==(const IfName& o) const
    {
        return input == o.input && name == o.name && prefix == o.prefix && negate == o.negate;
    }
};
struct Addr {            // ip saddr/daddr & mask == addr
    bool source;
    uint32_t addr, mask;
    bool negate;
    bool operator==(const Addr& o) const
    {
        return source == o.source && addr == o.addr && mask == o.mask && negate == o.negate;
    }
};
struct Addr6 {           // ip6 saddr/daddr addr/len (an ipfw ip6 rule; the table is ip6)
    bool source;
    std::array<uint8_t, 16> addr;  // network order, bits past len zero
    uint8_t len;                   // 1-128
    bool negate;
    bool operator==(const Addr6& o) const
    {
        return source == o.source && addr == o.addr && len == o.len && negate == o.negate;
    }
};
struct Proto {           // ip protocol, or meta l4proto in the ip6 table (the upper layer
    uint8_t proto;       // after IPv6's extension headers, docs/ipfw.md "IPv6")
    bool negate;
    bool l4proto = false;
    bool operator==(const Proto& o) const
    {
        return proto == o.proto && negate == o.negate && l4proto == o.l4proto;
    }
};
struct Port {            // th sport/dport in [lo, hi]; only emitted after a Proto tcp/udp match
    bool source;
    uint16_t lo, hi;
    bool negate;
    bool operator==(const Port& o) const
    {
        return source == o.source && lo == o.lo && hi == o.hi && negate == o.negate;
    }
};
struct Icmp {            // icmp type (field=Type) or code (field=Code) in [lo, hi]
    enum Field { Type, Code } field;
    uint8_t lo, hi;
    bool negate;
    bool operator==(const Icmp& o) const
    {
        return field == o.field && lo == o.lo && hi == o.hi && negate == o.negate;
    }
};
struct Fragment {        // ip frag-off & 0x1fff != 0 (later fragment), or == 0 when negate
    bool negate;
    bool operator==(const Fragment& o) const { return negate == o.negate; }
};
struct Syn {             // tcp flags & (syn|ack|rst) == syn, or != syn when negate
    bool negate;
    bool operator==(const Syn& o) const { return negate == o.negate; }
};
struct Mark {            // meta mark & mask == value (!= when negate)
    uint32_t mask, value;
    bool negate;
    bool operator==(const Mark& o) const
    {
        return mask == o.mask && value == o.value && negate == o.negate;
    }
};
// ct direction reply, ct mark & mask == value: a packet of the reply direction of a tracked
// connection whose conntrack mark has these bits (mask 0: any tracked connection's reply).
struct CtReply {
    uint32_t mask, value;
    bool operator==(const CtReply& o) const { return mask == o.mask && value == o.value; }
};
// One field of a rule run's set key (docs/nftables-mapping.md "Rule runs"): what the lookup
// loads from the packet.
enum class SetField {
    SourceAddr,  // ip saddr (ipv4_addr)
    DestAddr,    // ip daddr
    SourcePort,  // th sport (inet_service); members also match their protocol
    DestPort,    // th dport
    InIface,     // iifname (ifname)
    OutIface,    // oifname
    Proto,       // ip protocol (inet_proto)
};
// <fields> @set: the packet's key (one field, or a concatenation) is a member of a table set
// (a rule run, docs/nftables-mapping.md "Rule runs"). Always the rule's last match, so the
// member's counter counts only packets that passed every other match.
// With `vmap`, the set is a verdict map and the lookup gives the rule's verdict (nft's
// `ip saddr vmap @set`); the rule then has no statements.
struct SetLookup {
    std::vector<SetField> fields;
    std::string set;
    bool vmap = false;
    bool operator==(const SetLookup& o) const
    {
        return fields == o.fields && set == o.set && vmap == o.vmap;
    }
};
using Match =
    std::variant<IfName, Addr, Addr6, Proto, Port, Icmp, Fragment, Syn, Mark, CtReply, SetLookup>;

// ---- statements (in order) -------------------------------------------------------------
struct Counter {         // anonymous counter with initial values (carried across rebuilds)
    uint64_t packets = 0, bytes = 0;
    bool operator==(const Counter&) const { return true; }  // values are state, not layout
};
struct NamedCounter {    // reference to a table counter object (policy counters)
    std::string name;
    bool operator==(const NamedCounter& o) const { return name == o.name; }
};
struct Log {             // kernel log line, or NFLOG group copy when group is set (-o)
    std::string prefix;
    std::optional<uint16_t> group;
    uint32_t snaplen = 0;
    bool operator==(const Log& o) const
    {
        return prefix == o.prefix && group == o.group && snaplen == o.snaplen;
    }
};
struct SetMark {         // meta mark = (meta mark & mask) ^ xor_value
    uint32_t mask, xor_value;
    bool operator==(const SetMark& o) const { return mask == o.mask && xor_value == o.xor_value; }
};
struct SetCtMark {       // ct mark = (ct mark & mask) ^ xor_value
    uint32_t mask, xor_value;
    bool operator==(const SetCtMark& o) const
    {
        return mask == o.mask && xor_value == o.xor_value;
    }
};
struct SetTos {          // ip tos = (tos & and_mask) ^ xor_mask, IP checksum updated
    uint8_t and_mask, xor_mask;
    bool operator==(const SetTos& o) const
    {
        return and_mask == o.and_mask && xor_mask == o.xor_mask;
    }
};
struct Queue {           // NFQUEUE (native queue expr or xt NFQUEUE, backend's choice)
    uint16_t num;
    bool bypass;
    bool operator==(const Queue& o) const { return num == o.num && bypass == o.bypass; }
};
struct Reject {          // icmp port-/host-unreachable; in the ip6 table icmpv6 port-
                         // unreachable or no-route (docs/ipfw.md "IPv6")
    enum Kind { PortUnreach, HostUnreach, Port6Unreach, NoRoute6 } kind;
    bool operator==(const Reject& o) const { return kind == o.kind; }
};
struct Masquerade {
    bool operator==(const Masquerade&) const { return true; }
};
struct Redirect {        // redirect to :port (0 = keep the port)
    uint16_t port;
    bool operator==(const Redirect& o) const { return port == o.port; }
};
struct Verdict {
    enum Kind { Accept, Drop, Return, Jump, Goto } kind;
    std::string chain;   // Jump, Goto
    bool operator==(const Verdict& o) const { return kind == o.kind && chain == o.chain; }
};
using Statement = std::variant<Counter, NamedCounter, Log, SetMark, SetTos, Queue, Reject,
                               Masquerade, Redirect, Verdict, SetCtMark>;

struct Rule {
    std::vector<Match> matches;
    std::vector<Statement> statements;
    std::string comment;  // userdata: the ipchains rule in save syntax, "" for layout rules
    bool operator==(const Rule& o) const
    {
        return matches == o.matches && statements == o.statements && comment == o.comment;
    }
};

// What a chain is for in the layout of docs/design.md "Chain layout". compile/ sets it on every
// chain, so that a backend that maps the layout onto another shape (backend/iptc/layout.h) is
// told each chain's job instead of guessing it from names or priorities.
enum class ChainRole {
    Ipchains,      // a segment of an instance of an ipchains chain (comment: a ChainTag)
    Policy,        // ~<hook>-policy: the policy counter and verdict of a built-in chain
    Continuation,  // ~cont-<site>: resumes after a DIVERT rule
    Hook,          // ~<hook>-hook: the base chain that walks a built-in chain
    Post,          // ~<hook>-post-<i>: deferred REJECT and resume dispatch, after the hook chain
    Nat,           // ~nat-in, ~nat-out: the REDIRECT and MASQ executors
    Passthrough,   // ~passthrough: empty, its presence is the setting
    Format,        // ~format-<n>: the table's format, which older readers refuse
    Form,          // ~unhooked: empty, its presence says empty ACCEPT chains have no hook
};

struct Chain {
    std::string name;
    std::optional<BaseChain> base;
    std::vector<Rule> rules;
    std::string comment;  // "ipchains:<name>:<segment>[:<policy>]" or a layout role
    // Derived from the chain's job like the comment; left out of operator== (the comment
    // already tells chains apart for the diff).
    ChainRole role = ChainRole::Ipchains;
    bool operator==(const Chain& o) const
    {
        return name == o.name && base == o.base && rules == o.rules && comment == o.comment;
    }
};

struct CounterObject {
    std::string name;
    uint64_t packets = 0, bytes = 0;
    bool operator==(const CounterObject& o) const { return name == o.name; }
};

// One field of a set element's key: the range [lo, hi] of an address, port or protocol (a
// prefix for addresses, host order), or an interface name (with `prefix`, every name that
// starts with it: ipchains' `ppp+`).
struct SetKey {
    SetField field = SetField::SourceAddr;
    uint32_t lo = 0, hi = 0;
    std::string name;
    bool prefix = false;
    bool operator==(const SetKey& o) const
    {
        return field == o.field && lo == o.lo && hi == o.hi && name == o.name &&
               prefix == o.prefix;
    }
};
// One member of a rule run: the key of one ipchains rule (one SetKey per field of the set),
// that rule's counter and its save line prefixed by its place in the run ("#3 -A input -s
// ..."), so that reading the table restores the rules in order.
struct SetElement {
    std::vector<SetKey> key;
    Counter counter;
    std::string comment;
    std::optional<Verdict> verdict;  // a verdict map's: the member's accept or drop
    bool operator==(const SetElement& o) const
    {
        return key == o.key && comment == o.comment && verdict == o.verdict;
    }
};
// A named set with a counter per element: the members of one rule run.
struct Set {
    std::string name;
    std::string chain;     // the nft chain whose run rule looks it up
    bool interval = false; // some member is a range (a network, a port range) or a concatenation
    std::vector<SetElement> elements;  // in run order
    std::vector<SetField> fields = {SetField::SourceAddr};  // the key: one field or a concatenation
    bool map = false;  // a verdict map: each element carries its member's verdict
    // The kernel's element limit (NFTA_SET_DESC_SIZE), 0 for none: compile::run_set_size of
    // the element count for a hash set, so that the kernel picks its fixed-size hash.
    uint32_t size = 0;
    // The definition; elements are compared separately (the diff changes them in place).
    bool same_definition(const Set& o) const
    {
        return name == o.name && chain == o.chain && interval == o.interval &&
               fields == o.fields && map == o.map && size == o.size;
    }
    bool operator==(const Set& o) const { return same_definition(o) && elements == o.elements; }
};

struct Table {
    std::string name;
    std::vector<CounterObject> counters;
    std::vector<Set> sets;       // rule runs' member sets
    std::vector<Chain> chains;   // in creation order; a chain appears before any jump to it
    std::string comment;         // table-wide settings, e.g. "ipchains-divert passthrough=0"
    bool ip6 = false;            // family ip6 (the ipfw ip6 rules, docs/ipfw.md "IPv6"), else ip
    bool operator==(const Table& o) const
    {
        return name == o.name && counters == o.counters && sets == o.sets &&
               chains == o.chains && comment == o.comment && ip6 == o.ip6;
    }
};

}  // namespace ipchains::ir
