#include <linux/netfilter.h>

#include <libnftnl/rule.h>
#include <libnftnl/udata.h>

#include "backend/nft/serialize.h"
#include "backend/nft/udata.h"

namespace ipchains::backend::nft {

RulePtr make_flush_rule(const std::string& table, const std::string& chain)
{
    RulePtr r(nftnl_rule_alloc());
    nftnl_rule_set_u32(r.get(), NFTNL_RULE_FAMILY, NFPROTO_IPV4);
    nftnl_rule_set_str(r.get(), NFTNL_RULE_TABLE, table.c_str());
    nftnl_rule_set_str(r.get(), NFTNL_RULE_CHAIN, chain.c_str());
    return r;
}

RulePtr make_rule(const std::string& table, const std::string& chain, const ir::Rule& ir_rule,
                  QueueImpl queue)
{
    RulePtr r = make_flush_rule(table, chain);
    for (const auto& m : ir_rule.matches) add_match(r.get(), m);
    for (const auto& s : ir_rule.statements) add_statement(r.get(), s, queue);
    if (!ir_rule.comment.empty()) {
        std::string ud = comment_udata(NFTNL_UDATA_RULE_COMMENT, ir_rule.comment);
        nftnl_rule_set_data(r.get(), NFTNL_RULE_USERDATA, ud.data(),
                            static_cast<uint32_t>(ud.size()));
    }
    return r;
}

bool put_run_tally(nftnl_rule* r, const std::string& comment, const RunTally& tally)
{
    std::string ud = lookup_rule_udata(comment, tally);
    if (ud.empty()) return false;
    nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, ud.data(), static_cast<uint32_t>(ud.size()));
    return true;
}

}  // namespace ipchains::backend::nft
