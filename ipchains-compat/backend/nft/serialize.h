// ir::Table pieces -> libnftnl objects for table `ip <name>`. No kernel access here: the
// result goes into a Batch (batch.h). One file per concern: serialize_table.cpp (table, chains,
// counter objects), serialize_match.cpp, serialize_statement.cpp, serialize_rule.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backend/nft/nftnl_ptr.h"
#include "ir/ir.h"

namespace ipchains::backend::nft {

// How an ir::Queue reaches the kernel: the nft `queue` expression (nft_queue), or the xtables
// NFQUEUE target through nft_compat for kernels built without nft_queue.
enum class QueueImpl { Native, Compat };

TablePtr make_table(const std::string& table, const std::string& comment);
// Chain header (hook, priority, type, comment); the rules go in separately.
ChainPtr make_chain(const std::string& table, const ir::Chain& c);
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
// The member keys of a set's elements as the kernel lists them (`elements`: objects of
// nftnl_set_elems_nlmsg_parse), for a set on `fields`; the end bounds of interval members are
// folded into their members. False when a key does not have the length of such a key.
struct ElementKey {
    std::vector<ir::SetKey> key;
    std::string comment;
};
bool read_element_keys(const std::vector<SetPtr>& elements, const std::vector<ir::SetField>& fields,
                       bool interval, std::vector<ElementKey>& out);

RulePtr make_rule(const std::string& table, const std::string& chain, const ir::Rule& r,
                  QueueImpl queue);

// The building blocks of make_rule, exposed for the unit tests.
void add_match(nftnl_rule* r, const ir::Match& m);
void add_statement(nftnl_rule* r, const ir::Statement& s, QueueImpl queue);

}  // namespace ipchains::backend::nft
