// One legacy table through libiptc: read our chains, bring them to a wanted state touching
// nothing else, commit. libiptc works on a snapshot of the whole table and replaces the whole
// table on commit, so every operation costs time in proportion to the table's size, foreign
// rules included (docs/backends.md "Costs").
#pragma once

#include <memory>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "backend/iptc/entry.h"
#include "backend/iptc/layout.h"
#include "core/result.h"

struct xtc_handle;

namespace ipchains::backend::iptc {

class TableHandle {
public:
    // Snapshots the table; ENOENT/EPERM and friends come back as values.
    static Result<std::unique_ptr<TableHandle>> open(const std::string& table);
    ~TableHandle();
    TableHandle(const TableHandle&) = delete;
    TableHandle& operator=(const TableHandle&) = delete;

    const std::string& table() const { return table_; }

    // Our chains (names starting with `prefix`), rules with their counters, in libiptc's
    // order (sorted by name).
    std::vector<LegacyChain> chains(const std::string& prefix);
    bool has_chain(const std::string& name);
    // Rules in foreign chains and foreign rules in built-in chains (for auto-detection).
    size_t foreign_rules(const std::string& prefix);

    // Makes our part of the table equal `want`; returns whether anything changed. Unchanged
    // chains are not touched (their counters keep running); a chain that only gained rules at
    // its end gets only those appended.
    // The legacy chains of the ipchains chains in `recount_owners` get the counters `want`
    // gives their rules even when unchanged (-Z through the engine, restored counters). So do
    // all chains of an ipchains chain one of whose legacy chains is created, refilled or
    // removed; `owner_now` names the ipchains chain of each of our legacy chains as the table
    // is now.
    Result<bool> apply(const TableState& want, const std::string& prefix,
                       const std::set<std::string>& recount_owners = {},
                       const std::map<std::string, std::string>& owner_now = {});
    // Zeroes every rule counter of these chains (-Z); the commit keeps what was counted since
    // the snapshot.
    Result<void> zero(const std::vector<std::string>& chains);
    // ERESTART when the kernel noticed the table changed since the snapshot (entry count).
    Result<void> commit();

private:
    TableHandle(std::string table, xtc_handle* h) : table_(std::move(table)), h_(h) {}
    std::vector<LegacyRule> rules_of(const std::string& chain);
    Error failure(const std::string& what) const;

    std::string table_;
    xtc_handle* h_;
};

// The message for a libiptc failure: EPERM gets iptables' "you must be root" wording.
Error iptc_error(int err, const std::string& table, const std::string& what);

}  // namespace ipchains::backend::iptc
