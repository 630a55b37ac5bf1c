// The append fast path for a rule that extends the rule run at the end of a chain
// (compile/runs.h): one set element instead of a full read and commit. Reads only that chain's
// rules and that set's elements, never the rest of the table.
#pragma once

#include <string>

#include "backend/nft/batch.h"
#include "backend/nft/netlink.h"
#include "core/result.h"
#include "ir/ir.h"

namespace ipchains::backend::nft {

// Adds to `batch` the element that makes `rule` (compiled for nft chain `chain` on `hook`, the
// last segment of its ipchains chain) the next member of the run that ends that chain, exactly as
// compile() would place it: its key (and its verdict, in a verdict map) read back from the
// lookup rule and the set's elements. False, with nothing added, when the chain does not end
// in a run this rule extends (another shape or verdict, a network or port range for a set of
// single values, a key that overlaps a member): then the full commit decides.
// `generation` is the one `batch` is bound to (Batch's genid): the run's tally is trusted
// when it was written for it (docs/design.md "The run's tally").
Result<bool> append_to_run(Netlink& nl, const std::string& table, const std::string& chain,
                           ir::Hook hook, const ir::Rule& rule, uint32_t generation, Batch& batch);

}  // namespace ipchains::backend::nft
