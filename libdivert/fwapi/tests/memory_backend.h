// A Backend over an in-memory ruleset, so the fwapi unit test exercises the real engine and
// execute() without a kernel.
#pragma once

#include "backend/backend.h"

class MemoryBackend : public ipchains::backend::Backend {
public:
    ipchains::model::Ruleset state = ipchains::model::Ruleset::initial();
    int commits = 0;

    ipchains::Result<ipchains::model::Ruleset> read(bool zero_counters) override
    {
        ipchains::model::Ruleset copy = state;
        if (zero_counters)
            for (auto& c : state.chains)
                for (auto& r : c.rules) r.counters = {};
        return copy;
    }

    ipchains::Result<void> commit(const ipchains::model::Ruleset&,
                                  const ipchains::model::Ruleset& after) override
    {
        ++commits;
        state = after;
        return {};
    }

    ipchains::Result<bool> append_fast(const std::string&,
                                       const std::vector<ipchains::model::Rule>&) override
    {
        return false;
    }

    std::string describe() override { return "memory"; }
};
