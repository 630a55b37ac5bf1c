// The nft encoder of compile/steps.h: each step of ONE transaction -> its batch messages.
// The order is the step list's; what a message carries (serializers, counts) is decided here.
#pragma once

#include "backend/nft/batch.h"
#include "backend/nft/serialize.h"
#include "compile/steps.h"
#include "ir/ir.h"

namespace ipchains::backend::nft {

// The messages of `steps`, in their order. `before` is nullptr when no step deletes elements.
void encode_steps(Batch& batch, const std::vector<compile::Step>& steps, const ir::Table* before,
                  const ir::Table& after, QueueImpl queue);

// compile::commit_steps encoded. `before` is nullptr when the kernel has no table yet (it is
// created first). The nft chains `refill` of `after` are then rebuilt with `after`'s counts
// (compile::refill_steps after the commit's steps, in the same transaction).
void plan_commit(Batch& batch, const ir::Table* before, const ir::Table& after, QueueImpl queue,
                 const std::vector<std::string>& refill = {});
// The same with the commit's steps already worked out (compile::commit_steps(before, after)),
// so that a caller who looked at them first does not diff the tables twice.
void plan_commit(Batch& batch, const std::vector<compile::Step>& steps, const ir::Table* before,
                 const ir::Table& after, QueueImpl queue, const std::vector<std::string>& refill);

// compile::refill_steps encoded: flushes the nft chains `chains` of `table` and adds their
// rules again, with the counter values `table` carries: -Z on kernels that cannot reset rule
// counters in place.
void plan_refill(Batch& batch, const ir::Table& table, const std::vector<std::string>& chains,
                 QueueImpl queue);

// Whether the rules `steps` add to `after` contain a Queue statement (then the queue encoding
// must be known first).
bool steps_send_queue(const std::vector<compile::Step>& steps, const ir::Table& after);

bool rule_has_queue(const ir::Rule& r);

// `before` compiled, adjusted to the sets the kernel has: a table an older version wrote holds
// the members of a run as plain rules, without the set. Such a set is dropped from `before`
// and each chain that looks it up is given a comment no chain has, so that the diff recreates
// the chain (and refills its callers) and creates the set.
void forget_missing_sets(ir::Table& before, const std::vector<std::string>& kernel_sets);

}  // namespace ipchains::backend::nft
