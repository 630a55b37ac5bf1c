// Sends a closed Batch as one kernel transaction and turns the kernel's answer into a value:
// success only when the final ack arrived and no message failed.
#pragma once

#include <string>

#include "backend/nft/batch.h"
#include "backend/nft/netlink.h"
#include "core/result.h"

namespace ipchains::backend::nft {

// The message for a failed step: EPERM -> "Permission denied (you must be root)", otherwise
// "<strerror> (<step>)", plus `hint` when given.
Error kernel_error(int err, const Origin* where, const std::string& hint = {});

// One transaction. A batch carrying a generation (Batch's genid) that is no longer the
// kernel's fails with ERESTART and changes nothing. The kernel may answer EAGAIN when it had to load a module half-way
// (it then aborted the whole batch): the batch is sent again, as nft does.
Result<void> run_transaction(Netlink& nl, Batch& batch);

// The raw answer, for callers that judge errors themselves (the queue probe).
Result<std::vector<MsgError>> send_transaction(Netlink& nl, Batch& batch, bool& acked);

}  // namespace ipchains::backend::nft
