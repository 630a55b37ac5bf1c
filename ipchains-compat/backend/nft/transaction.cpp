#include "backend/nft/transaction.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ipchains::backend::nft {

namespace {
constexpr int kMaxAttempts = 10;
}

Error kernel_error(int err, const Origin* where, const std::string& hint)
{
    if (err == EPERM) return Error::kernel(err, "Permission denied (you must be root)");
    std::string msg = strerror(err);
    if (where) msg += " (" + describe(*where) + ")";
    if (!hint.empty()) msg += ": " + hint;
    return Error::kernel(err, msg);
}

Result<std::vector<MsgError>> send_transaction(Netlink& nl, Batch& batch, bool& acked)
{
    batch.close();
    for (int attempt = 1;; ++attempt) {
        auto errors = nl.send_batch(batch.data(), batch.size(), batch.ack_seq(), acked);
        if (!errors) return errors.error();
        bool again = std::any_of(errors->begin(), errors->end(),
                                 [](const MsgError& e) { return e.err == EAGAIN; });
        if (!again || attempt == kMaxAttempts) return errors;
    }
}

Result<void> run_transaction(Netlink& nl, Batch& batch)
{
    if (batch.close() == 0) return {};
    bool acked = false;
    auto errors = send_transaction(nl, batch, acked);
    if (!errors) return errors.error();
    if (!errors->empty()) {
        // The first failing message of ours is the cause; later ones often fail only
        // because of it. A failure of BEGIN (permissions) or END (commit) has no later step.
        const MsgError* first = nullptr;
        for (const auto& e : *errors) {
            if (!batch.origin(e.seq)) continue;
            if (!first || e.seq - batch.first_seq() < first->seq - batch.first_seq()) first = &e;
        }
        if (!first) first = &errors->front();
        if (first->err == ERESTART)
            return Error::kernel(ERESTART, "the ruleset changed while this command ran "
                                           "(another program updated it)");
        return kernel_error(first->err, batch.origin(first->seq));
    }
    if (!acked) return kernel_error(EIO, nullptr, "the kernel did not confirm the transaction");
    return {};
}

}  // namespace ipchains::backend::nft
