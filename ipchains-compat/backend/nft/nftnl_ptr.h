// Owning handles for libnftnl objects, so a serializer that fails half-way leaks nothing.
#pragma once

#include <memory>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

namespace ipchains::backend::nft {

struct NftnlDeleter {
    void operator()(nftnl_table* p) const { nftnl_table_free(p); }
    void operator()(nftnl_chain* p) const { nftnl_chain_free(p); }
    void operator()(nftnl_rule* p) const { nftnl_rule_free(p); }
    void operator()(nftnl_expr* p) const { nftnl_expr_free(p); }
    void operator()(nftnl_obj* p) const { nftnl_obj_free(p); }
    void operator()(nftnl_set* p) const { nftnl_set_free(p); }
};

using TablePtr = std::unique_ptr<nftnl_table, NftnlDeleter>;
using ChainPtr = std::unique_ptr<nftnl_chain, NftnlDeleter>;
using RulePtr = std::unique_ptr<nftnl_rule, NftnlDeleter>;
using ExprPtr = std::unique_ptr<nftnl_expr, NftnlDeleter>;
using ObjPtr = std::unique_ptr<nftnl_obj, NftnlDeleter>;
using SetPtr = std::unique_ptr<nftnl_set, NftnlDeleter>;

}  // namespace ipchains::backend::nft
