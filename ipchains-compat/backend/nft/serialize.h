// ir::Table pieces -> libnftnl objects for table `ip <name>`. No kernel access here: the
// result goes into a Batch (batch.h). One file per concern: serialize_table.cpp (table, chains,
// counter objects), serialize_match.cpp, serialize_statement.cpp, serialize_rule.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct nlmsghdr;

#include "backend/nft/nftnl_ptr.h"
#include "backend/nft/udata.h"
#include "ir/ir.h"

namespace ipchains::backend::nft {

// How an ir::Queue reaches the kernel: the nft `queue` expression (nft_queue), or the xtables
// NFQUEUE target through nft_compat for kernels built without nft_queue.
enum class QueueImpl { Native, Compat };

TablePtr make_table(const std::string& table, const std::string& comment);
// Chain header (hook, priority, type, comment); the rules go in separately.
ChainPtr make_chain(const std::string& table, const ir::Chain& c);
// The update that gives base chain `c` its policy counters (NFTA_CHAIN_COUNTERS), from the
// values in `c.base->counters`: Batch::count_chain.
ChainPtr make_chain_counters(const std::string& table, const ir::Chain& c);
// The update that gives base chain `chain` the policy drop (else accept):
// Batch::set_chain_policy.
ChainPtr make_chain_policy(const std::string& table, const std::string& chain, bool drop);
// A chain named for flush/delete messages.
ChainPtr make_chain_ref(const std::string& table, const std::string& chain);
// A rule naming only table and chain: the payload of a flush.
RulePtr make_flush_rule(const std::string& table, const std::string& chain);
ObjPtr make_counter_object(const std::string& table, const ir::CounterObject& o);

// A rule run's set (compile/runs.h): keys of the run's fields (ipv4_addr, inet_service,
// inet_proto, ifname, or a concatenation), interval when a member is a range or the key a
// concatenation, one counter per element. No elements.
SetPtr make_set(const std::string& table, const ir::Set& s);
// The elements `index` of `s`, split so that each object fits one batch message (a netlink
// attribute nest holds at most 64 KiB). An interval member is two elements, its start and the
// end bound after it. To add, an element carries its counter (the model's values, or zero)
// and its comment; to delete, only its key.
enum class ElementContent { Counts, ZeroCounts, KeysOnly };
std::vector<SetPtr> make_set_elements(const std::string& table, const ir::Set& s,
                                      const std::vector<size_t>& index, ElementContent content);
std::vector<SetPtr> make_all_set_elements(const std::string& table, const ir::Set& s,
                                          ElementContent content);

// Bytes a set key field takes in a concatenation (its length rounded up to 4).
uint32_t set_field_length(ir::SetField f);
// Where a rule run's lookup loads a key field from: a payload (base, offset, length) or, for
// an interface name, a meta key. The one description of the lookup serialize_match.cpp
// writes and the append fast path reads back (run_append.cpp).
struct FieldLoad {
    bool meta;
    uint32_t base;  // NFT_PAYLOAD_*, when not meta
    uint32_t offset;
    uint32_t len;
    uint32_t meta_key;  // NFT_META_*, when meta
};
FieldLoad field_load(ir::SetField f);
// A rule run's members as the kernel lists them, read for the append fast path
// (docs/design.md "Rule runs"): the GETSETELEM dump's attributes are walked in place, each
// key kept as its bytes in one buffer, so that a set of many members costs no allocation per
// member. The end bounds of interval members are folded into their members.
class RunElements {
public:
    explicit RunElements(const std::vector<ir::SetField>& fields);
    // One message of the dump. A message whose attributes do not parse is left out whole.
    void add_message(const nlmsghdr* m);

    // False when a key does not have the length of a key on these fields: not a set this
    // version wrote.
    bool keys_valid() const { return keys_valid_; }
    // A concatenation, or one field with end bounds.
    bool interval() const { return interval_; }
    size_t members() const { return members_; }
    // Whether the members' "#<n> <save line>" comments (compile/runs.h) number them 1..count,
    // each once (compile::run_numbers_complete): false for a table this version did not
    // write, and for a dump that repeated or skipped members.
    bool numbers_complete() const;
    // The save line of the first member (in the kernel's order) that has such a comment.
    const std::string& sample() const { return sample_; }
    // Whether some member's key overlaps `key` (compile::keys_overlap).
    bool overlaps(const std::vector<ir::SetKey>& key) const;

private:
    struct Element {
        uint32_t key;      // offset in keys_ of the key, and in a concatenation its last key
        bool end;          // an interval's end bound
        bool has_last;     // a concatenation's element with a last key
    };
    std::vector<ir::SetField> fields_;
    uint32_t len_;
    std::string keys_;
    std::vector<Element> elements_;
    bool keys_valid_ = true;
    bool interval_;
    size_t members_ = 0;
    std::vector<size_t> numbers_;  // of the members with a "#<n>" comment
    std::string sample_;
};

RulePtr make_rule(const std::string& table, const std::string& chain, const ir::Rule& r,
                  QueueImpl queue);
// Gives a run's lookup rule the userdata `comment` followed by `tally` (lookup_rule_udata):
// the one writer of the tally, for the append fast path and the full commit alike. False,
// with `r` left as it was, when the two do not fit.
bool put_run_tally(nftnl_rule* r, const std::string& comment, const RunTally& tally);

// The building blocks of make_rule, exposed for the unit tests.
void add_match(nftnl_rule* r, const ir::Match& m);
void add_statement(nftnl_rule* r, const ir::Statement& s, QueueImpl queue);

}  // namespace ipchains::backend::nft
