// One nf_tables transaction under construction: BEGIN, messages, END in one buffer that
// Netlink::send_batch hands to the kernel in one sendmsg. Each message remembers what it
// was for, so a kernel error names the failing step ("creating chain input~1").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

struct nlmsghdr;
struct nftnl_table;
struct nftnl_chain;
struct nftnl_rule;
struct nftnl_obj;
struct nftnl_set;

namespace ipchains::backend::nft {

enum class Action : uint8_t {
    Begin,
    AddTable,
    AddCounter,
    DeleteCounter,
    AddChain,
    CountChain,
    SetChainPolicy,
    FlushChain,
    DeleteChain,
    AddRule,
    ReplaceRule,
    DeleteTable,
    AddSet,
    DeleteSet,
    AddElements,
    DeleteElements,
    End,
};

struct Origin {
    Action action;
    std::string object;  // table, chain, counter or set name
};

// "creating chain `input~1'": used in kernel error messages.
std::string describe(const Origin& o);

class Batch {
public:
    // `genid` != 0: the kernel runs the batch only while the ruleset generation is still
    // `genid` (NFNL_BATCH_GENID), and answers ERESTART to BEGIN otherwise.
    explicit Batch(uint32_t first_seq, uint32_t genid = 0);
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

    // The family of the messages added from now on (NFPROTO_IPV4 at first): one transaction
    // changes `ip ipchains` and `ip6 ipchains` together (docs/ipfw.md "IPv6").
    void set_family(uint8_t family) { family_ = family; }

    void add_table(const nftnl_table* t, const std::string& name);
    void delete_table(const nftnl_table* t, const std::string& name);
    void add_counter(const nftnl_obj* o, const std::string& name);
    void delete_counter(const nftnl_obj* o, const std::string& name);
    void add_chain(const nftnl_chain* c, const std::string& name);
    // Gives base chain `c`, created earlier in the batch, its policy counters (`c` names it and
    // carries the starting values). An update: the kernel swaps the counters in at commit,
    // while counters given to the creation would count from the message on, when the new
    // chain is already hooked with its rules not yet active and every packet falls off it.
    void count_chain(const nftnl_chain* c, const std::string& name);
    // Gives base chain `c` (which exists) the policy `c` carries; its rules, comment and
    // policy counters stay as they are.
    void set_chain_policy(const nftnl_chain* c, const std::string& name);
    // `r` names only table and chain (make_flush_rule).
    void flush_chain(const nftnl_rule* r, const std::string& name);
    void delete_chain(const nftnl_chain* c, const std::string& name);
    void add_rule(const nftnl_rule* r, const std::string& chain);
    // `r` carries the handle of the rule it takes the place of (NLM_F_REPLACE).
    void replace_rule(const nftnl_rule* r, const std::string& chain);
    void add_set(const nftnl_set* s, const std::string& name);
    void delete_set(const nftnl_set* s, const std::string& name);
    // The elements attached to `s` (make_set_elements).
    void add_elements(const nftnl_set* s, const std::string& name);
    void delete_elements(const nftnl_set* s, const std::string& name);

    // Appends END and flags the last real message NLM_F_ACK. Returns the number of real
    // messages (0: nothing to send).
    size_t close();

    const void* data() const { return buf_; }
    size_t size() const { return len_; }
    uint32_t first_seq() const { return first_seq_; }
    // The generation the batch is bound to, 0 for none.
    uint32_t genid() const { return genid_; }
    uint32_t seq_count() const { return static_cast<uint32_t>(origins_.size()); }
    // The seq the kernel acks when the whole transaction succeeded (valid after close()).
    uint32_t ack_seq() const { return ack_seq_; }
    // What message `seq` was for; nullptr for a foreign seq.
    const Origin* origin(uint32_t seq) const;

private:
    char* reserve();
    nlmsghdr* header(uint16_t type, uint16_t flags, Action a, const std::string& object);
    void commit(nlmsghdr* nlh);
    void update_chain(const nftnl_chain* c, Action action, const std::string& name);

    char* buf_ = nullptr;
    size_t len_ = 0, cap_ = 0;
    size_t last_msg_ = 0;
    uint32_t first_seq_;
    uint32_t genid_;
    uint32_t ack_seq_ = 0;
    std::vector<Origin> origins_;  // index = seq - first_seq
    bool closed_ = false;
    uint8_t family_;
};

}  // namespace ipchains::backend::nft
