// A Backend over an in-memory ruleset, so the fwapi unit test exercises the real engine and
// execute() without a kernel. Like the kernel backends, it keeps each rule only as its save
// line and parses it back on read.
#pragma once

#include "backend/backend.h"
#include "format/format.h"
#include "parse/parser.h"

class MemoryBackend : public ipchains::backend::Backend {
public:
    ipchains::model::Ruleset state = ipchains::model::Ruleset::initial();
    int commits = 0;

    ipchains::Result<ipchains::backend::Snapshot> read(bool zero_counters) override
    {
        ipchains::backend::Snapshot snap;
        snap.ruleset = state;
        snap.table_exists = true;
        if (zero_counters)
            for (auto& c : state.chains)
                for (auto& r : c.rules) r.counters = {};
        return snap;
    }

    ipchains::Result<void> commit(const ipchains::backend::Snapshot&,
                                  const ipchains::model::Change& change) override
    {
        ++commits;
        state = change.after;  // counters included: -Z's zeros are already in it
        for (auto& c : state.chains)
            for (auto& r : c.rules) {
                ipchains::parse::ParseOptions opt;
                opt.restore_line = true;
                opt.resolve_names = false;
                opt.forward_warning = 0;
                auto cmd = ipchains::parse::parse_command(
                    ipchains::parse::split_words(ipchains::format::save_line(c.name, r)), opt);
                if (!cmd) return cmd.error();
                auto counters = r.counters;
                r = cmd->rules.at(0);
                r.counters = counters;
            }
        return {};
    }

    ipchains::Result<bool> append_fast(const std::string&,
                                       const std::vector<ipchains::model::Rule>&) override
    {
        return false;
    }
    ipchains::Result<bool> policy_fast(const std::string&, ipchains::model::Policy) override
    {
        return false;
    }

    std::string describe() override { return "memory"; }
};
