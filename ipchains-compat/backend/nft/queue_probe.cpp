#include "backend/nft/queue_probe.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "backend/nft/batch.h"
#include "backend/nft/transaction.h"

namespace ipchains::backend::nft {

Result<bool> kernel_has_nft_queue(Netlink& nl)
{
    const std::string table = "ipchains-probe-" + std::to_string(getpid());
    const std::string chain = "probe";
    Batch batch(nl.next_seq());
    TablePtr t = make_table(table, {});
    batch.add_table(t.get(), table);
    ir::Chain c;
    c.name = chain;
    ChainPtr ch = make_chain(table, c);
    batch.add_chain(ch.get(), chain);
    ir::Rule rule;
    rule.statements.push_back(ir::Queue{0, true});
    RulePtr r = make_rule(table, chain, rule, QueueImpl::Native);
    batch.add_rule(r.get(), chain);
    const uint32_t rule_seq = batch.first_seq() + batch.seq_count() - 1;
    // The deliberate failure: the same chain again, exclusively (EEXIST).
    batch.add_chain(ch.get(), chain);
    const uint32_t fail_seq = rule_seq + 1;

    bool acked = false;
    auto errors = send_transaction(nl, batch, acked);
    if (!errors) return errors.error();
    bool saw_failure = false;
    for (const auto& e : *errors) {
        if (e.seq == rule_seq) return false;
        if (e.seq == fail_seq) {
            saw_failure = true;
            continue;
        }
        // Permissions, or the scratch table itself: the probe could not ask the question.
        return kernel_error(e.err, batch.origin(e.seq));
    }
    if (!saw_failure) {
        // The kernel committed the probe (it should have refused the duplicate chain):
        // take the scratch table down again.
        Batch cleanup(nl.next_seq());
        cleanup.delete_table(t.get(), table);
        run_transaction(nl, cleanup);
    }
    return true;
}

Result<QueueChoice> choose_queue_impl(Netlink& nl)
{
    if (const char* env = getenv("IPCHAINS_DIVERT_NFT_QUEUE")) {
        if (strcmp(env, "native") == 0)
            return QueueChoice{QueueImpl::Native, "forced by IPCHAINS_DIVERT_NFT_QUEUE=native",
                               true};
        if (strcmp(env, "compat") == 0)
            return QueueChoice{QueueImpl::Compat, "forced by IPCHAINS_DIVERT_NFT_QUEUE=compat",
                               true};
    }
    auto has = kernel_has_nft_queue(nl);
    if (!has) return has.error();
    if (*has) return QueueChoice{QueueImpl::Native, "kernel has nft_queue"};
    return QueueChoice{QueueImpl::Compat, "kernel has no nft_queue"};
}

}  // namespace ipchains::backend::nft
