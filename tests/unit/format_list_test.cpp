// -L layouts against docs/reference/ipchains-commands.md section 9.2, whole text, byte for byte.
// The example rule set is built through the parser, so this also checks what the parser stores.
#include <gtest/gtest.h>

#include <map>

#include "format/format.h"
#include "format/names.h"
#include "parse/parser.h"

using namespace ipchains;

namespace {

// The expected texts for the rule set of docs/reference/ipchains-commands.md 9.2.
// ipchains -L -n
const char kListN[] =
    "Chain input (policy ACCEPT):\n"
    "target     prot opt     source                destination           ports\n"
    "DIVERT     icmp ------  0.0.0.0/0            0.0.0.0/0             * ->   * => 1234\n"
    "DENY       tcp  -y--l-  192.168.1.0/24       0.0.0.0/0             * ->   80\n"
    "REDIRECT   tcp  ------  0.0.0.0/0            10.0.0.1              * ->   80 => 8080\n"
    "ppp-in     all  ------  0.0.0.0/0            0.0.0.0/0             n/a\n"
    "-          all  ------  10.1.1.1             0.0.0.0/0             n/a\n"
    "ACCEPT     udp  ------ !127.0.0.0/8          0.0.0.0/0             * ->  !1024:65535\n"
    "Chain forward (policy DENY):\n"
    "Chain output (policy ACCEPT):\n"
    "Chain ppp-in (1 references):\n"
    "target     prot opt     source                destination           ports\n"
    "ACCEPT     udp  -----o  203.29.16.1          0.0.0.0/0             53 ->   *\n";

// ipchains -L
const char kList[] =
    "Chain input (policy ACCEPT):\n"
    "target     prot opt     source                destination           ports\n"
    "DIVERT     icmp ------  anywhere             anywhere              any ->   any => 1234\n"
    "DENY       tcp  -y--l-  192.168.1.0/24       anywhere              any ->   http\n"
    "REDIRECT   tcp  ------  anywhere             10.0.0.1              any ->   http => http-alt\n"
    "ppp-in     all  ------  anywhere             anywhere              n/a\n"
    "-          all  ------  10.1.1.1             anywhere              n/a\n"
    "ACCEPT     udp  ------ !127.0.0.0/8          anywhere              any ->  !1024:65535\n"
    "Chain forward (policy DENY):\n"
    "Chain output (policy ACCEPT):\n"
    "Chain ppp-in (1 references):\n"
    "target     prot opt     source                destination           ports\n"
    "ACCEPT     udp  -----o  203.29.16.1          anywhere              domain ->   any\n";

// ipchains -L -v -n
const char kListVN[] =
    "Chain input (policy ACCEPT: 1234567 packets, 987654321 bytes):\n"
    " pkts bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports\n"
    "   10   840 DIVERT     icmp ------ 0xFF 0x00  *                              0.0.0.0/0            0.0.0.0/0             * ->   * => 1234\n"
    " 123K   99M DENY       tcp  -y--l- 0xFF 0x00  *                              192.168.1.0/24       0.0.0.0/0             * ->   80\n"
    "    0     0 REDIRECT   tcp  ------ 0xFF 0x00  *                              0.0.0.0/0            10.0.0.1              * ->   80 => 8080\n"
    "    5   300 ppp-in     all  ------ 0xFF 0x00  ppp+                           0.0.0.0/0            0.0.0.0/0             n/a\n"
    "99999  100K -          all  ------ 0xFF 0x00  *                              10.1.1.1             0.0.0.0/0             n/a\n"
    "    7     1 ACCEPT     udp  ------ 0x01 0x10  *          0x5                  !127.0.0.0/8          0.0.0.0/0             * ->  !1024:65535\n"
    "Chain forward (policy DENY: 0 packets, 0 bytes):\n"
    "Chain output (policy ACCEPT: 42 packets, 3360 bytes):\n"
    "Chain ppp-in (1 references):\n"
    " pkts bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports\n"
    "   10   840 ACCEPT     udp  -----o 0xFF 0x00  ppp0                  128      203.29.16.1          0.0.0.0/0             53 ->   *\n";

// ipchains -L -v -n -x
const char kListVNX[] =
    "Chain input (policy ACCEPT: 1234567 packets, 987654321 bytes):\n"
    "    pkts      bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports\n"
    "      10        840 DIVERT     icmp ------ 0xFF 0x00  *                              0.0.0.0/0            0.0.0.0/0             * ->   * => 1234\n"
    "  123456   98765432 DENY       tcp  -y--l- 0xFF 0x00  *                              192.168.1.0/24       0.0.0.0/0             * ->   80\n";

// ipchains -L -n --line-numbers
const char kListNLine[] =
    "Chain input (policy ACCEPT):\n"
    "num  target     prot opt     source                destination           ports\n"
    "1    DIVERT     icmp ------  0.0.0.0/0            0.0.0.0/0             * ->   * => 1234\n"
    "2    DENY       tcp  -y--l-  192.168.1.0/24       0.0.0.0/0             * ->   80\n";

// ipchains -L -v -n --line-numbers
const char kListVNLine[] =
    "Chain input (policy ACCEPT: 1234567 packets, 987654321 bytes):\n"
    "num   pkts bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports\n"
    "1       10   840 DIVERT     icmp ------ 0xFF 0x00  *                              0.0.0.0/0            0.0.0.0/0             * ->   * => 1234\n";


// "names, with no reverse DNS available; /etc/services maps 80->http, 8080->http-alt,
// 53->domain": a fixed table, so the test never waits for a resolver.
class FixedNames : public format::NameLookup {
public:
    std::map<uint32_t, std::string> hosts, nets;
    std::optional<std::string> host(uint32_t a) override { return find(hosts, a); }
    std::optional<std::string> network(uint32_t a) override { return find(nets, a); }
    std::optional<std::string> service(uint16_t port, const char* proto) override
    {
        const std::string p = proto;
        if (port == 80 && p == "tcp") return std::string("http");
        if (port == 8080 && p == "tcp") return std::string("http-alt");
        if (port == 53) return std::string("domain");
        return std::nullopt;
    }
    std::optional<std::string> protocol(uint16_t proto) override
    {
        switch (proto) {
        case 1: return std::string("icmp");
        case 6: return std::string("tcp");
        case 17: return std::string("udp");
        default: return std::nullopt;
        }
    }

private:
    static std::optional<std::string> find(const std::map<uint32_t, std::string>& m, uint32_t a)
    {
        auto it = m.find(a);
        if (it == m.end()) return std::nullopt;
        return it->second;
    }
};

model::Rule rule(const std::string& line, uint64_t packets, uint64_t bytes)
{
    parse::ParseOptions o;
    o.resolve_names = false;
    o.forward_warning = 0;
    auto c = parse::parse_command(parse::split_words(line), o);
    EXPECT_TRUE(c.ok()) << line << ": " << (c.ok() ? "" : c.error().message);
    if (!c.ok() || c->rules.size() != 1) return {};
    model::Rule r = c->rules[0];
    r.counters = {packets, bytes};
    return r;
}

// "divert ICMP to 1234; deny-and-log SYNs from 192.168.1.0/24 to port 80; redirect port 80 to
// 10.0.0.1 -> 8080; jump to ppp-in for `ppp+`; accounting for 10.1.1.1; accept UDP not from
// 127/8 to ports not in 1024:65535, with `-m 5 -t 01 10`; user chain ppp-in accepting UDP
// from 203.29.16.1 port 53 on ppp0 with `-o 128`."
model::Ruleset example()
{
    model::Ruleset rs = model::Ruleset::initial();
    model::Chain* in = rs.find("input");
    in->policy_counters = {1234567, 987654321};
    in->rules = {
        rule("-A input -p icmp -j DIVERT 1234", 10, 840),
        rule("-A input -p tcp -y -l -s 192.168.1.0/24 -d 0/0 80 -j DENY", 123456, 98765432),
        rule("-A input -p tcp -d 10.0.0.1 80 -j REDIRECT 8080", 0, 0),
        rule("-A input -i ppp+ -j ppp-in", 5, 300),
        rule("-A input -s 10.1.1.1", 99999, 100000),
        rule("-A input -p udp -s ! 127.0.0.0/8 -d 0/0 ! 1024:65535 -j ACCEPT -m 5 -t 01 10", 7,
             1),
    };
    rs.find("forward")->policy = model::Policy::Deny;
    rs.find("output")->policy_counters = {42, 3360};
    model::Chain ppp;
    ppp.name = "ppp-in";
    ppp.rules = {rule("-A ppp-in -p udp -s 203.29.16.1 53 -i ppp0 -o 128 -j ACCEPT", 10, 840)};
    rs.chains.push_back(ppp);
    return rs;
}

std::string list(const model::Ruleset& rs, bool v, bool n, bool x, bool line)
{
    model::Options o;
    o.verbose = v;
    o.numeric = n;
    o.exact = x;
    o.line_numbers = line;
    FixedNames names;
    return format::list(rs, "", o, names);
}

TEST(FormatList, Numeric)
{
    EXPECT_EQ(list(example(), false, true, false, false), kListN);
}

TEST(FormatList, Names)
{
    EXPECT_EQ(list(example(), false, false, false, false), kList);
}

TEST(FormatList, VerboseNumeric)
{
    EXPECT_EQ(list(example(), true, true, false, false), kListVN);
}

// Only the first lines of these three layouts (docs/reference/ipchains-commands.md 9.2).
TEST(FormatList, VerboseNumericExact)
{
    const std::string out = list(example(), true, true, true, false);
    EXPECT_EQ(out.substr(0, std::string(kListVNX).size()), kListVNX);
}

TEST(FormatList, LineNumbers)
{
    const std::string out = list(example(), false, true, false, true);
    EXPECT_EQ(out.substr(0, std::string(kListNLine).size()), kListNLine);
}

TEST(FormatList, VerboseLineNumbers)
{
    const std::string out = list(example(), true, true, false, true);
    EXPECT_EQ(out.substr(0, std::string(kListVNLine).size()), kListVNLine);
}

TEST(FormatList, OneChainAndUnknownChain)
{
    model::Options o;
    o.numeric = true;
    FixedNames names;
    EXPECT_EQ(format::list(example(), "forward", o, names), "Chain forward (policy DENY):\n");
    EXPECT_EQ(format::list(example(), "ppp-in", o, names),
              "Chain ppp-in (1 references):\n"
              "target     prot opt     source                destination           ports\n"
              "ACCEPT     udp  -----o  203.29.16.1          0.0.0.0/0             53 ->   *\n");
    EXPECT_EQ(format::list(example(), "nosuch", o, names), "");
}

TEST(FormatList, ReferencesCountJumps)
{
    model::Ruleset rs = example();
    rs.find("output")->rules.push_back(rule("-A output -j ppp-in", 0, 0));
    model::Chain idle;
    idle.name = "idle";
    rs.chains.push_back(idle);
    model::Options o;
    FixedNames names;
    EXPECT_EQ(format::list(rs, "ppp-in", o, names).substr(0, 29), "Chain ppp-in (2 references):\n");
    EXPECT_EQ(format::list(rs, "idle", o, names), "Chain idle (0 references):\n");
}

TEST(FormatList, CounterUnits)
{
    model::Ruleset rs = model::Ruleset::initial();
    rs.find("input")->rules = {
        rule("-A input", 99999, 100000),
        rule("-A input", 9999499, 9999500),
        rule("-A input", 99999999999ull, 9999499999ull),
        rule("-A input", 12345678901234ull, 0),
    };
    model::Options o;
    o.verbose = true;
    o.numeric = true;
    FixedNames names;
    const std::string out = format::list(rs, "input", o, names);
    EXPECT_NE(out.find("\n99999  100K -"), std::string::npos) << out;
    EXPECT_NE(out.find("\n9999K   10M -"), std::string::npos) << out;
    EXPECT_NE(out.find("\n 100G 9999M -"), std::string::npos) << out;
    EXPECT_NE(out.find("\n12346G     0 -"), std::string::npos) << out;
    o.exact = true;
    const std::string exact = format::list(rs, "input", o, names);
    EXPECT_NE(exact.find("\n99999999999 9999499999 -"), std::string::npos) << exact;
    EXPECT_NE(exact.find("\n   99999     100000 -"), std::string::npos) << exact;
}

TEST(FormatList, NamesForAddressesAndIcmp)
{
    model::Ruleset rs = model::Ruleset::initial();
    rs.find("input")->rules = {
        rule("-A input -p icmp --icmp-type echo-request -j ACCEPT", 0, 0),
        rule("-A input -p icmp --icmp-type echo-request -j DIVERT 99", 0, 0),
        rule("-A input -p icmp -s 0/0 ! 8 -j ACCEPT", 0, 0),
        rule("-A input -s 127.0.0.0/8 -d 10.0.0.2/255.0.255.0", 0, 0),
        rule("-A input -p tcp -s 10.0.0.1 -d 10.0.0.2 -j REDIRECT", 0, 0),
        rule("-A input -p 47 -j DIVERT 5", 0, 0),
    };
    FixedNames names;
    names.hosts[0x0A000001] = "gw.example";
    names.nets[0x7F000000] = "loopback";
    model::Options o;
    const std::string out = format::list(rs, "input", o, names);
    EXPECT_EQ(out,
              "Chain input (policy ACCEPT):\n"
              "target     prot opt     source                destination           ports\n"
              "ACCEPT     icmp ------  anywhere             anywhere              echo-request\n"
              "DIVERT     icmp ------  anywhere             anywhere              echo-request "
              "=> 99\n"
              "ACCEPT     icmp ------  anywhere             anywhere             !8 ->   any\n"
              "-          all  ------  loopback/8           10.0.0.0/255.0.255.0  n/a\n"
              "REDIRECT   tcp  ------  gw.example           10.0.0.2              any ->   any "
              "=>  any\n"
              "DIVERT     47   ------  anywhere             anywhere              n/a => 5\n");
}

TEST(FormatList, VerboseFields)
{
    model::Ruleset rs = model::Ruleset::initial();
    rs.find("input")->rules = {
        rule("-A input -i ! eth0 -m +16 -o -l", 0, 0),
        rule("-A input -i ppp0 -m -1 ! -f", 0, 0),
        rule("-A input -o 65535", 0, 0),
    };
    model::Options o;
    o.verbose = true;
    FixedNames names;
    EXPECT_EQ(format::list(rs, "input", o, names),
              "Chain input (policy ACCEPT: 0 packets, 0 bytes):\n"
              " pkts bytes target     prot opt    tosa tosx  ifname     mark       outsize  "
              "source                destination           ports\n"
              "    0     0 -          all  ----lo 0xFF 0x00 !eth0       0x10                  "
              "anywhere             anywhere              n/a\n"
              "    0     0 -          all  --!f-- 0xFF 0x00  ppp0       0xffffffff            "
              "anywhere             anywhere              n/a\n"
              "    0     0 -          all  -----o 0xFF 0x00  any                            "
              "anywhere             anywhere              n/a\n");
}

}  // namespace
