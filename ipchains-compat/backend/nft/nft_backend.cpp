#include "backend/nft/nft_backend.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>
#include <unordered_map>
#include <vector>

#include "backend/nft/batch.h"
#include "backend/nft/commit_plan.h"
#include "backend/nft/dump.h"
#include "backend/common/read_model.h"
#include "backend/nft/run_append.h"
#include "backend/nft/serialize.h"
#include "backend/nft/transaction.h"
#include "compile/compile.h"
#include "compile/runs.h"
#include "compile/steps.h"
#include "model/prefix6.h"

#include <linux/netfilter.h>

namespace ipchains::backend::nft {

Config config_from_env()
{
    Config cfg;
    if (const char* t = getenv("IPCHAINS_DIVERT_TABLE"); t && *t) cfg.table = t;
    return cfg;
}

NftPresence probe_nft(const std::string& table_name)
{
    NftPresence p;
    if (auto nl = Netlink::open()) {
        auto t = get_table(**nl, table_name);
        // Without privileges the kernel refuses to say; it still has nf_tables.
        p.available = t.ok() || t.error().code == EPERM || t.error().code == EACCES;
        p.has_ours = t.ok() && t->has_value();
    }
    return p;
}

namespace {

// Whether someone committed since generation `gen` was read. A dump that fails for an object
// an earlier dump listed (ENOENT: a set recreated in between, as a run's set is when it
// outgrows its size) read across that commit, and is retried like an interrupted dump
// (NLM_F_DUMP_INTR, EINTR); without a commit the error is the table's own.
bool moved_since(Netlink& nl, uint32_t gen)
{
    auto now = get_generation(nl);
    return now && *now != gen;
}

// Netlink answers EPERM to every request without CAP_NET_ADMIN; 1.3.9's text for it.
Error query_error(const Error& e)
{
    return e.code == EPERM ? kernel_error(EPERM, nullptr) : e;
}

// The ip6 table's rules join the ruleset's input and output chains before the first rule with
// a larger ipfw number, where `ipfw add` put them (docs/ipfw.md "IPv6").
Result<void> add_ip6_rules(model::Ruleset& rs, const KernelState& k6, const std::string& table)
{
    auto rs6 = common::rebuild_model(k6, table);
    if (!rs6) return rs6.error();
    rs.resume_sites.insert(rs6->resume_sites.begin(), rs6->resume_sites.end());
    for (const char* name : {"input", "output"}) {
        const model::Chain* from = rs6->find(name);
        model::Chain* to = rs.find(name);
        if (from == nullptr || to == nullptr) continue;
        for (const auto& r : from->rules) {
            if (!r.ip6) continue;
            auto at = std::find_if(to->rules.begin(), to->rules.end(),
                                   [&](const model::Rule& x) { return x.number > r.number; });
            to->rules.insert(at, r);
        }
    }
    return {};
}

std::vector<std::string> counter_names(const KernelState& k)
{
    std::vector<std::string> names;
    for (const auto& c : k.counters) names.push_back(c.name);
    return names;
}

// How the table of `family` is compiled: `ip` with rule runs, `ip6` (ipfw's ip6 rules)
// without (docs/ipfw.md "IPv6").
compile::Options table_options(const Config& cfg, uint8_t family)
{
    compile::Options opt;
    opt.table_name = cfg.table;
    opt.ip6 = family == NFPROTO_IPV6;
    opt.rule_runs = family == NFPROTO_IPV4;
    opt.base_chain_policy = family == NFPROTO_IPV4;
    opt.unhook_empty_accept = family == NFPROTO_IPV4 && cfg.unhook_empty_chains;
    return opt;
}

// Sets of the table that `before` does not compile to: a table written by a version that named
// runs otherwise ("<chain>-run<k>", docs/nftables-mapping.md "Rule runs"). Their chains may
// still look them up, so every chain is recreated once (a comment no chain has) and the sets,
// known to the diff without chain or key, are deleted after the chains.
void drop_unknown_sets(ir::Table& before, const std::vector<std::string>& kernel_sets)
{
    std::unordered_map<std::string, bool> known;
    for (const auto& s : before.sets) known[s.name] = true;
    bool unknown = false;
    for (const auto& name : kernel_sets) {
        if (known.count(name)) continue;
        ir::Set stale;
        stale.name = name;
        stale.fields.clear();
        before.sets.push_back(std::move(stale));
        unknown = true;
    }
    if (!unknown) return;
    const std::string prefix = "ipchains-stale:";
    for (auto& c : before.chains)
        if (c.comment.compare(0, prefix.size(), prefix) != 0) c.comment = prefix + c.comment;
}

// The nft chains of `t` that hold the ipchains chains `names`.
std::vector<std::string> nft_chains_of(const ir::Table& t, const std::set<std::string>& names)
{
    std::vector<std::string> chains;
    for (const auto& c : t.chains) {
        auto tag = compile::parse_chain_comment(c.comment);
        if (tag && names.count(tag->name)) chains.push_back(c.name);
    }
    return chains;
}

bool chains_send_queue(const ir::Table& t, const std::vector<std::string>& chains)
{
    std::set<std::string> wanted(chains.begin(), chains.end());
    for (const auto& c : t.chains) {
        if (!wanted.count(c.name)) continue;
        for (const auto& r : c.rules)
            if (rule_has_queue(r)) return true;
    }
    return false;
}

}  // namespace

NftBackend::NftBackend(Config cfg) : cfg_(std::move(cfg)) {}

NftBackend::~NftBackend() = default;

Result<Netlink*> NftBackend::netlink()
{
    if (!nl_) {
        auto nl = Netlink::open();
        if (!nl) {
            if (nl.error().code == EPERM || nl.error().code == EACCES)
                return kernel_error(EPERM, nullptr);
            return nl.error();
        }
        nl_ = std::move(*nl);
    }
    return nl_.get();
}

Result<QueueChoice> NftBackend::queue_choice()
{
    if (queue_) return *queue_;
    auto nl = netlink();
    if (!nl) return nl.error();
    auto choice = choose_queue_impl(**nl);
    if (!choice) return query_error(choice.error());
    queue_ = *choice;
    return *queue_;
}

Result<void> NftBackend::send(Batch& batch)
{
    auto nl = netlink();
    if (!nl) return nl.error();
    auto r = run_transaction(**nl, batch);
    if (!r && r.error().code == ENOENT && queue_ && queue_->forced &&
        queue_->impl == QueueImpl::Native) {
        // The one ENOENT a consistent table cannot explain: a forced native queue on a kernel
        // without nft_queue.
        Error e = r.error();
        e.message += ": the kernel has no nft_queue (" + queue_->reason + ")";
        return e;
    }
    return r;
}

Result<bool> NftBackend::counter_reset()
{
    if (counter_reset_) return *counter_reset_;
    auto nl = netlink();
    if (!nl) return nl.error();
    auto probed = probe_counter_reset(**nl, cfg_.table);
    if (!probed) return query_error(probed.error());
    counter_reset_ = *probed;
    return *probed;
}

Result<void> NftBackend::reset_chains(const ir::Table& t, const std::set<std::string>& names,
                                      uint8_t family)
{
    auto nl = netlink();
    if (!nl) return nl.error();
    for (const auto& c : nft_chains_of(t, names))
        if (auto r = reset_rule_counters(**nl, cfg_.table, c, family); !r)
            return query_error(r.error());
    return {};
}

Result<void> NftBackend::refill_zeroed(const model::Ruleset& rs, bool table6_exists,
                                       uint32_t generation)
{
    model::Ruleset zeroed = rs;
    std::set<std::string> names;
    for (auto& c : zeroed.chains) {
        names.insert(c.name);
        for (auto& r : c.rules) r.counters = {};
    }
    // The ip table, and the ip6 one while it exists and has rules (docs/ipfw.md "IPv6").
    struct Refill {
        uint8_t family;
        ir::Table table;
        std::vector<std::string> chains;
    };
    std::vector<Refill> refills;
    for (uint8_t family : {uint8_t{NFPROTO_IPV4}, uint8_t{NFPROTO_IPV6}}) {
        if (family == NFPROTO_IPV6 && !(table6_exists && model::has_ip6_rules(zeroed))) continue;
        auto t = compile::compile(zeroed, table_options(cfg_, family));
        if (!t) return t.error();
        auto chains = nft_chains_of(*t, names);
        refills.push_back({family, std::move(*t), std::move(chains)});
    }
    QueueImpl impl = QueueImpl::Compat;
    bool sends_queue = false;
    for (const auto& r : refills) sends_queue = sends_queue || chains_send_queue(r.table, r.chains);
    if (sends_queue) {
        auto q = queue_choice();
        if (!q) return q.error();
        impl = q->impl;
    }
    auto nl = netlink();
    if (!nl) return nl.error();
    Batch batch((*nl)->next_seq(), generation);
    for (const auto& r : refills) {
        batch.set_family(r.family);
        plan_refill(batch, r.table, r.chains, impl);
    }
    return send(batch);
}

Result<Snapshot> NftBackend::read(bool zero_counters)
{
    bool reset = false;
    if (zero_counters) {
        auto can = counter_reset();
        if (!can) return can.error();
        reset = *can;
    }
    // The table arrives in four dumps; a commit by someone else in between would mix two
    // states, so the read is repeated until the generation did not move. A resetting read
    // cannot be repeated (its counts are gone), and the kernel has it atomic per rule anyway.
    constexpr int kAttempts = 10;
    for (int attempt = 1;; ++attempt) {
        auto nl = netlink();
        if (!nl) return nl.error();
        auto gen = get_generation(**nl);
        if (!gen) return query_error(gen.error());
        KernelState k, k6;
        auto r = read_state(k, reset, NFPROTO_IPV4);
        if (r) r = read_state(k6, reset, NFPROTO_IPV6);
        if (!r && r.error().code != EINTR && !reset && moved_since(**nl, *gen))
            r = Error::kernel(EINTR, r.error().message);
        // EINTR: a dump saw the ruleset change under it (NLM_F_DUMP_INTR).
        if (!r && r.error().code == EINTR && !reset && attempt < kAttempts) continue;
        // Still interrupted on the last attempt: the kernel kept moving on, which callers
        // know as a stale read (backend::execute runs the command again).
        if (!r && r.error().code == EINTR && !reset)
            return Error::kernel(ERESTART, r.error().message);
        if (!r) return r.error();
        if (!reset && attempt < kAttempts) {
            auto gen2 = get_generation(**nl);
            if (!gen2) return query_error(gen2.error());
            if (*gen2 != *gen) continue;
        }
        // Even a read that gave up waiting for a quiet moment is safe to commit against: the
        // generation is the one from before its dumps, so a mixed read fails the commit.
        auto rs = common::rebuild_model(k, cfg_.table);
        if (!rs) return rs.error();
        if (k6.table_exists)
            if (auto m = add_ip6_rules(*rs, k6, cfg_.table); !m) return m.error();
        if (zero_counters && !reset && k.table_exists) {
            // No atomic read-and-reset on this kernel: what was read is rebuilt with zero
            // counts, only if nobody committed since (then nothing was zeroed: read again).
            auto z = refill_zeroed(*rs, k6.table_exists, *gen);
            if (!z && z.error().code == ERESTART && attempt < kAttempts) continue;
            if (!z) return z.error();
        }
        Snapshot snap;
        snap.ruleset = std::move(*rs);
        snap.table_exists = k.table_exists;
        snap.generation = *gen;
        // Zeroing by rebuild (old kernels) was a commit of ours: the generation moved.
        if (zero_counters && !reset) snap.generation.reset();
        snap.chains = std::move(k.chains);
        snap.sets = std::move(k.sets);
        snap.set_sizes = std::move(k.set_sizes);
        snap.counters = counter_names(k);
        snap.table6_exists = k6.table_exists;
        snap.chains6 = std::move(k6.chains);
        snap.sets6 = std::move(k6.sets);
        snap.set_sizes6 = std::move(k6.set_sizes);
        snap.counters6 = counter_names(k6);
        return snap;
    }
}

Result<void> NftBackend::read_state(KernelState& k, bool reset, uint8_t family)
{
    auto nl = netlink();
    if (!nl) return nl.error();
    auto table = get_table(**nl, cfg_.table, family);
    if (!table) return query_error(table.error());
    k.table_exists = table->has_value();
    if (!k.table_exists) return {};
    auto chains = dump_chains(**nl, cfg_.table, family);
    if (!chains) return query_error(chains.error());
    k.chains = std::move(*chains);
    auto counters = dump_counters(**nl, cfg_.table, family);
    if (!counters) return query_error(counters.error());
    k.counters = std::move(*counters);
    auto rules = dump_rules(**nl, cfg_.table, reset, family);
    if (!rules) return query_error(rules.error());
    k.rules = std::move(*rules);
    auto sets = dump_set_names(**nl, cfg_.table, family, &k.set_sizes);
    if (!sets) return query_error(sets.error());
    k.sets = std::move(*sets);
    return {};
}

Result<void> NftBackend::commit(const Snapshot& before, const model::Change& change)
{
    // One plan per table: `ip` always, `ip6` while the ruleset has ip6 rules; both change in
    // the same batch (docs/ipfw.md "IPv6").
    struct TablePlan {
        uint8_t family;
        bool wanted;  // whether `after` has this table
        bool exists;  // whether the snapshot found it
        const std::vector<KernelChain>& chains;
        const std::vector<std::string>& sets;
        const std::map<std::string, uint32_t>& set_sizes;
        const std::vector<std::string>& counters;
        std::optional<ir::Table> before, after;
        std::vector<compile::Step> steps;  // before -> after, worked out once
        std::vector<std::string> refill;
    };
    TablePlan plans[] = {
        {NFPROTO_IPV4, true, before.table_exists, before.chains, before.sets, before.set_sizes,
         before.counters, {}, {}, {}, {}},
        {NFPROTO_IPV6, model::has_ip6_rules(change.after), before.table6_exists, before.chains6,
         before.sets6, before.set_sizes6, before.counters6, {}, {}, {}, {}},
    };
    for (auto& p : plans) {
        compile::Options opt = table_options(cfg_, p.family);
        if (p.wanted) {
            auto a = compile::compile(change.after, opt);
            if (!a) return a.error();
            p.after = std::move(*a);
        }
        if (p.exists) {
            auto b = compile::compile(before.ruleset, opt);
            if (!b) return b.error();
            p.before = std::move(*b);
            reconcile_with_kernel(*p.before, p.chains, p.sets, p.set_sizes, p.counters);
        }
        if (p.after) p.steps = compile::commit_steps(p.before ? &*p.before : nullptr, *p.after);
    }

    // Counters the kernel cannot reset in place are rebuilt in the change's own batch, so that
    // the rebuild too only lands on the snapshot's generation (docs/design.md "Zeroing
    // counters"); ipfw zero N always rebuilds (docs/ipfw.md "One ruleset, two syntaxes").
    bool reset_in_place = false;
    std::set<std::string> refilled = change.recounted;
    if (!change.zeroed.empty()) {
        auto can = counter_reset();
        if (!can) return can.error();
        reset_in_place = *can;
        if (!reset_in_place) refilled.insert(change.zeroed.begin(), change.zeroed.end());
    }
    for (auto& p : plans) {
        if (!p.after) continue;
        std::set<std::string> names = refilled;
        auto reshaped = compile::reshaped_chains(p.before ? &*p.before : nullptr, *p.after, p.steps);
        names.insert(reshaped.begin(), reshaped.end());
        p.refill = nft_chains_of(*p.after, names);
    }

    QueueImpl queue = QueueImpl::Compat;
    bool sends_queue = false;
    for (const auto& p : plans)
        if (p.after)
            sends_queue = sends_queue || steps_send_queue(p.steps, *p.after) ||
                          chains_send_queue(*p.after, p.refill);
    if (sends_queue) {
        auto q = queue_choice();
        if (!q) return q.error();
        queue = q->impl;
    }
    auto nl = netlink();
    if (!nl) return nl.error();
    // The kernel refuses a batch whose generation moved (ERESTART): a diff is never applied to
    // a table someone changed after the snapshot.
    Batch batch((*nl)->next_seq(), static_cast<uint32_t>(before.generation.value_or(0)));
    for (const auto& p : plans) {
        batch.set_family(p.family);
        if (p.after) {
            plan_commit(batch, p.steps, p.before ? &*p.before : nullptr, *p.after, queue,
                        p.refill);
        } else if (p.exists) {
            TablePtr t = make_table(cfg_.table, {});
            batch.delete_table(t.get(), cfg_.table);
        }
    }
    auto r = send(batch);
    if (!r) return r;
    // In place: the counters only, after the change; nothing of anyone's is rewritten.
    if (reset_in_place)
        for (const auto& p : plans)
            if (p.after)
                if (auto z = reset_chains(*p.after, change.zeroed, p.family); !z) return z;
    return {};
}

void NftBackend::reconcile_with_kernel(ir::Table& before, const std::vector<KernelChain>& read,
                                       const std::vector<std::string>& sets,
                                       const std::map<std::string, uint32_t>& set_sizes,
                                       const std::vector<std::string>& counters)
{
    std::unordered_map<std::string, const KernelChain*> in_kernel_chains;
    for (const auto& kc : read) in_kernel_chains[kc.name] = &kc;
    std::vector<ir::Chain> kept;
    kept.reserve(before.chains.size());
    for (auto& c : before.chains) {
        auto it = in_kernel_chains.find(c.name);
        if (it == in_kernel_chains.end()) continue;
        const KernelChain& kc = *it->second;
        if (kc.comment != c.comment) c.comment = kc.comment;
        // A built-in chain that is a base chain here and not in the kernel, or the other way
        // round (an older version's table, which always had hook chains): a base that matches
        // nothing compiled has the diff recreate it in the form `after` gives it.
        if (kc.base != c.base.has_value())
            c.base = kc.base ? std::optional<ir::BaseChain>(ir::BaseChain{ir::Hook::Input, 0})
                             : std::nullopt;
        kept.push_back(std::move(c));
    }
    // A nat, post, policy or hook chain that `before` does not compile to: an older version
    // kept ~nat-in and ~nat-out, post chains on every hook, the policy chains in every table
    // and a hook chain for every built-in chain; now they exist only with REDIRECT or MASQ,
    // DIVERT/TEE or REJECT, a continuation, and something of the layout's own before the
    // built-in chain (compile/layout.cpp). So are `~unhooked` and an empty ACCEPT built-in
    // chain that a command run with the other `empty-chains` setting left (compile::Options::
    // unhook_empty_accept). Known to the diff (no base, no rules), it is removed, or recreated
    // when `after` has it.
    std::unordered_map<std::string, bool> known;
    for (const auto& c : kept) known[c.name] = true;
    for (const auto& kc : read) {
        bool layout = false;
        for (const char* role : {"ipchains-layout:nat", "ipchains-layout:post",
                                 "ipchains-layout:policy", "ipchains-layout:hook",
                                 "ipchains-layout:form"})
            layout = layout || kc.comment.rfind(role, 0) == 0;
        auto tag = compile::parse_chain_comment(kc.comment);
        layout = layout || (tag && tag->builtin());
        if (known.count(kc.name) || !layout) continue;
        ir::Chain stale;
        stale.name = kc.name;
        stale.comment = kc.comment;
        kept.push_back(std::move(stale));
    }
    before.chains = std::move(kept);
    // Runs whose set the kernel lacks (a table from before rule runs) are rebuilt.
    forget_missing_sets(before, sets);
    // A set whose size is not the one compiled (made by a version that gave none, or by
    // another tool) is another definition: the diff recreates it with the compiled size, so
    // that the kernel uses the fixed-size hash and takes as many members as the size says.
    for (auto& s : before.sets)
        if (auto it = set_sizes.find(s.name); it != set_sizes.end()) s.size = it->second;
    drop_unknown_sets(before, sets);
    // A counter object `before` does not compile to: a policy counter the table kept before
    // its policy became the hook chain's own (compile::Options::base_chain_policy), or one
    // from an older version. Known to the diff, it is removed, or created anew (from the
    // model's value) when `after` has it; one the kernel lacks is created by the commit.
    std::unordered_map<std::string, bool> in_kernel, compiled;
    for (const auto& name : counters) in_kernel[name] = true;
    std::vector<ir::CounterObject> kept_counters;
    for (auto& c : before.counters) {
        if (!in_kernel.count(c.name)) continue;
        compiled[c.name] = true;
        kept_counters.push_back(std::move(c));
    }
    for (const auto& name : counters)
        if (!compiled.count(name)) kept_counters.push_back(ir::CounterObject{name, 0, 0});
    before.counters = std::move(kept_counters);
}

Result<NftBackend::ChainsRead> NftBackend::read_chains()
{
    auto nl = netlink();
    if (!nl) return nl.error();
    // A batch is only valid for the chains this dump saw (another process could remove a
    // chain or cut a segment meanwhile): it carries the generation from before the dump.
    auto gen = get_generation(**nl);
    if (!gen) return query_error(gen.error());
    auto chains = dump_chains(**nl, cfg_.table);
    // A dump interrupted by someone's commit: the command runs again (backend::execute).
    if (!chains && chains.error().code == EINTR) return Error::kernel(ERESTART, chains.error().message);
    if (!chains) return query_error(chains.error());
    return ChainsRead{*nl, *gen, std::move(*chains)};
}

bool NftBackend::in_configured_form(const std::vector<KernelChain>& chains) const
{
    const bool unhooked = std::any_of(chains.begin(), chains.end(), [](const KernelChain& kc) {
        return kc.name == compile::kUnhookedChain;
    });
    return unhooked == cfg_.unhook_empty_chains;
}

Result<bool> NftBackend::policy_fast(const std::string& chain, model::Policy policy)
{
    // Other policies are rules, and a change to or from them a change of form (docs/design.md
    // "Chain layout").
    if (policy != model::Policy::Accept && policy != model::Policy::Deny) return false;
    auto read = read_chains();
    if (!read) return read.error();
    const std::vector<KernelChain>& chains = read->chains;
    auto find = [&](const std::string& name) -> const KernelChain* {
        for (const auto& kc : chains)
            if (kc.name == name) return &kc;
        return nullptr;
    };
    if (!in_configured_form(chains)) return false;
    // The tag says "*" only while a base chain holds the policy: the built-in chain itself or
    // its hook chain. A table another version wrote has no such tag; the full commit converts
    // it.
    const KernelChain* own = find(chain);
    auto tag = own ? compile::parse_chain_comment(own->comment) : std::nullopt;
    if (!tag || tag->name != chain || !tag->policy_in_base) return false;
    const KernelChain* holder = own->base ? own : find(compile::hook_chain_name(chain));
    if (holder == nullptr || !holder->base) return false;
    // Under `empty-chains = unhooked` an ACCEPT takes an empty chain out of the kernel: the
    // full commit's work. A chain its hook chain jumps to has rules; the built-in chain that is
    // its own base chain is asked (one chain's rules, a run's lookup counting once).
    if (policy == model::Policy::Accept && cfg_.unhook_empty_chains && own->references == 0) {
        auto has_rules = chain_has_rules(*read->nl, cfg_.table, chain);
        if (!has_rules && has_rules.error().code == EINTR)  // someone's commit: again
            return Error::kernel(ERESTART, has_rules.error().message);
        if (!has_rules) return query_error(has_rules.error());
        if (!*has_rules) return false;
    }
    const bool drop = policy == model::Policy::Deny;
    if (holder->drop == drop) return true;  // as the slow path: nothing to change

    Batch batch(read->nl->next_seq(), read->generation);
    ChainPtr c = make_chain_policy(cfg_.table, holder->name, drop);
    batch.set_chain_policy(c.get(), holder->name);
    auto sent = send(batch);
    if (!sent) return sent.error();
    return true;
}

Result<bool> NftBackend::append_fast(const std::string& chain,
                                     const std::vector<model::Rule>& rules)
{
    // A -l rule's NFLOG prefix holds its number in the chain, which this path (it never reads
    // the rules) does not know.
    for (const auto& r : rules)
        if ((r.flags & model::kFlagLog) || r.ip6) return false;  // ip6: another table
    auto read = read_chains();
    if (!read) return read.error();
    Netlink& nl = *read->nl;
    const uint32_t gen = read->generation;
    const std::vector<KernelChain>& chains = read->chains;
    if (chains.empty()) return false;  // no table (or an empty one): the slow path builds it
    if (!in_configured_form(chains)) return false;

    std::optional<compile::ChainTag> last;
    std::string last_name;
    bool last_hooked = false;
    for (const auto& kc : chains) {
        auto tag = compile::parse_chain_comment(kc.comment);
        if (!tag || tag->name != chain) continue;
        if (tag->instance != 0) return false;  // several copies: the layout must be recomputed
        if (!last || tag->segment > last->segment) {
            last = tag;
            last_name = kc.name;
            last_hooked = kc.base || kc.references > 0;
        }
    }
    // The first MASQ brings the nat chain and the conntrack rules (compile/layout.cpp
    // uses_masq): only the slow path builds them.
    bool masq = false;
    for (const auto& r : rules) masq = masq || r.target == model::TargetKind::Masq;
    if (masq && std::none_of(chains.begin(), chains.end(),
                             [](const auto& kc) { return kc.name == "~nat-out"; }))
        return false;
    // No such chain: the slow path fails with the engine's words for it.
    if (!last) return false;
    // A built-in chain that is not a base chain and that nothing jumps to is empty: its hook
    // chain skips it, and its first rule brings the jump (compile/layout.cpp).
    if (last->builtin() && last->segment == 0 && !last_hooked) return false;
    // The first REJECT of a hook brings its post chain (compile/continuation.cpp), and a table
    // an older version wrote is converted by the full commit, which removes its extra post
    // chains.
    auto has = [&](const std::string& name) {
        return std::any_of(chains.begin(), chains.end(),
                           [&](const auto& kc) { return kc.name == name; });
    };
    bool reject = false;
    for (const auto& r : rules) reject = reject || r.target == model::TargetKind::Reject;
    if (reject && !has(compile::post_chain_name(last->hook, 1))) return false;
    for (ir::Hook h : {ir::Hook::Prerouting, ir::Hook::Forward, ir::Hook::Postrouting})
        if (has(compile::post_chain_name(h, 2)) && !has(compile::post_chain_name(h, 3)))
            return false;

    Batch batch(nl.next_seq(), gen);
    bool queue = false;
    std::vector<ir::Rule> compiled;
    compiled.reserve(rules.size());
    for (const auto& r : rules) {
        compiled.push_back(compile::compile_rule(chain, r, last->hook));
        queue = queue || rule_has_queue(compiled.back());
    }
    // A rule that may belong to a rule run: one more member of the run ending the chain is
    // one set element; anything else needs the full commit to decide (compile/runs.h).
    if (compiled.size() == 1 && compile::may_join_run(compiled[0])) {
        auto added = append_to_run(nl, cfg_.table, last_name, last->hook, compiled[0], gen,
                                   batch);
        if (!added && (added.error().code == EINTR || moved_since(nl, gen)))
            return Error::kernel(ERESTART, added.error().message);  // someone's commit: again
        if (!added) return query_error(added.error());
        if (!*added) return false;
        auto sent = send(batch);
        if (!sent) return sent.error();
        return true;
    }
    for (const auto& r : compiled)
        if (compile::may_join_run(r)) return false;
    QueueImpl impl = QueueImpl::Compat;
    if (queue) {
        auto q = queue_choice();
        if (!q) return q.error();
        impl = q->impl;
    }
    for (const auto& r : compiled) {
        RulePtr nr = make_rule(cfg_.table, last_name, r, impl);
        batch.add_rule(nr.get(), last_name);
    }
    auto sent = send(batch);
    if (!sent) return sent.error();
    return true;
}

std::string NftBackend::describe()
{
    std::string s = "nftables (table ip " + cfg_.table +
                    (cfg_.unhook_empty_chains ? ", empty ACCEPT chains unhooked" : "") + "); ";
    auto q = queue_choice();
    if (!q) return s + "DIVERT: queue support unknown (" + q.error().message + ")";
    if (q->impl == QueueImpl::Native) {
        s += "DIVERT via native nft queue";
        if (q->reason != "kernel has nft_queue") s += ": " + q->reason;
        return s;
    }
    return s + "DIVERT via xt NFQUEUE (nft_compat): " + q->reason;
}

}  // namespace ipchains::backend::nft
