// The nft and text encoders of compile/steps.h consume the same step list, one step after the
// other: the batch messages and the `nft '...'` lines follow it in order.
#include <gtest/gtest.h>

#include "backend/nft/batch.h"
#include "backend/nft/commit_plan.h"
#include "backend/text/nft_text.h"
#include "compile/steps.h"
#include "steps_fixture.h"

namespace ipchains {
namespace {

using Lines = std::vector<std::string>;

// What each batch message was for, BEGIN and END left out.
Lines messages(backend::nft::Batch& batch)
{
    batch.close();
    Lines out;
    for (uint32_t seq = batch.first_seq() + 1; seq + 1 < batch.first_seq() + batch.seq_count();
         ++seq)
        out.push_back(backend::nft::describe(*batch.origin(seq)));
    return out;
}

TEST(StepEncoders, BothFollowTheStepList)
{
    fx::StepTables t = fx::step_tables();
    std::vector<compile::Step> steps = compile::commit_steps(&t.before, t.after);

    backend::nft::Batch batch(1);
    backend::nft::encode_steps(batch, steps, &t.before, t.after, backend::nft::QueueImpl::Compat);
    EXPECT_EQ(messages(batch), (Lines{
                                   "flushing chain `base'",
                                   "flushing chain `old'",
                                   "flushing chain `moved'",
                                   "deleting chain `old'",
                                   "deleting chain `moved'",
                                   "deleting set `gone-set'",
                                   "deleting elements of set `kept-set'",
                                   "creating set `new-set'",
                                   "adding elements to set `new-set'",
                                   "adding elements to set `kept-set'",
                                   "deleting counter `old-c'",
                                   "creating counter `new-c'",
                                   "creating chain `moved'",
                                   "creating chain `fresh'",
                                   "setting the policy of chain `base'",
                                   "adding a rule to chain `base'",
                                   "adding a rule to chain `moved'",
                                   "adding a rule to chain `fresh'",
                                   "adding a rule to chain `kept'",
                               }));

    EXPECT_EQ(backend::text::steps_as_nft_commands(steps, &t.before, t.after),
              "nft 'flush chain ip t base'\n"
              "nft 'flush chain ip t old'\n"
              "nft 'flush chain ip t moved'\n"
              "nft 'delete chain ip t old'\n"
              "nft 'delete chain ip t moved'\n"
              "nft 'delete set ip t gone-set'\n"
              "nft 'delete element ip t kept-set { 192.0.2.1 }'\n"
              "nft 'add set ip t new-set { type ipv4_addr; counter; }'\n"
              "nft 'add element ip t new-set { 192.0.2.5 counter packets 0 bytes 0 comment "
              "\"#5\", 192.0.2.6 counter packets 0 bytes 0 comment \"#6\" }'\n"
              "nft 'add element ip t kept-set { 192.0.2.3 counter packets 0 bytes 0 comment "
              "\"#3\" }'\n"
              "nft 'delete counter ip t old-c'\n"
              "nft 'add counter ip t new-c { packets 3 bytes 4 ; }'\n"
              "nft 'add chain ip t moved { comment \"comment y\" ; }'\n"
              "nft 'add chain ip t fresh { comment \"test:fresh\" ; }'\n"
              "nft 'add chain ip t base { policy drop ; }'\n"
              "nft 'add rule ip t base counter packets 0 bytes 0 accept'\n"
              "nft 'add rule ip t moved counter packets 0 bytes 0 drop'\n"
              "nft 'add rule ip t fresh ip saddr @new-set counter packets 0 bytes 0 accept "
              "comment \"ipchains-run:new-set\"'\n"
              "nft 'add rule ip t kept counter packets 0 bytes 0 accept'\n");
}

}  // namespace
}  // namespace ipchains
