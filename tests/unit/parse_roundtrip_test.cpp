// Property: for every rule the model can hold (from the command line or from the IP_FW_*
// setsockopt path), parse(save_line(r)) == r. The nft backend depends on it: it stores
// save_line as each kernel rule's userdata and parses it back when reading the kernel.
#include <gtest/gtest.h>

#include <random>

#include "format/format.h"
#include "parse/parser.h"

using namespace ipchains;
using model::Rule;
using model::TargetKind;

namespace {

parse::ParseOptions restore_opts()
{
    parse::ParseOptions o;
    o.restore_line = true;
    o.resolve_names = false;
    return o;
}

::testing::AssertionResult round_trips(const std::string& chain, const Rule& r)
{
    const std::string line = format::save_line(chain, r);
    auto c = parse::parse_command(parse::split_words(line), restore_opts());
    if (!c.ok()) return ::testing::AssertionFailure() << line << " -> " << c.error().message;
    if (c->op != model::Op::Append || c->chain != chain)
        return ::testing::AssertionFailure() << line << " -> wrong command";
    if (c->rules.size() != 1) return ::testing::AssertionFailure() << line << " -> not 1 rule";
    if (!(c->rules[0] == r))
        return ::testing::AssertionFailure()
               << line << " -> " << format::save_line(chain, c->rules[0]);
    return ::testing::AssertionSuccess();
}

Rule from_cli(const std::string& line)
{
    parse::ParseOptions o;
    o.resolve_names = false;
    o.forward_warning = 0;
    auto c = parse::parse_command(parse::split_words(line), o);
    EXPECT_TRUE(c.ok()) << line << ": " << (c.ok() ? "" : c.error().message);
    return c.ok() && !c->rules.empty() ? c->rules[0] : Rule{};
}

TEST(SaveLine, CanonicalText)
{
    EXPECT_EQ(format::save_line("input", from_cli("-A input -p tcp -s 10.0.0.0/8 -j ACCEPT")),
              "-A input -s 10.0.0.0/255.0.0.0 -d 0.0.0.0/0.0.0.0 -p 6 -j ACCEPT");
    EXPECT_EQ(format::save_line("input", from_cli("-A input -p ICMP -j DIVERT 1234")),
              "-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -p 1 -j DIVERT 1234");
    EXPECT_EQ(format::save_line("input", from_cli("-A input -s 10.1.1.1")),
              "-A input -s 10.1.1.1/255.255.255.255 -d 0.0.0.0/0.0.0.0");
    EXPECT_EQ(format::save_line(
                  "input", from_cli("-A input -p udp -s ! 127.0.0.0/8 -d 0/0 ! 1024:65535 "
                                    "-j ACCEPT -m 5 -t 01 10")),
              "-A input -s ! 127.0.0.0/255.0.0.0 -d 0.0.0.0/0.0.0.0 ! 1024:65535 -p 17 "
              "-j ACCEPT -m 5 -t 0x01 0x10");
    EXPECT_EQ(format::save_line("ppp-in", from_cli("-A ppp-in -p tcp -i ! ppp+ ! -y -l "
                                                   "-m -3 -o 128 -j REDIRECT 8080")),
              "-A ppp-in -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -i ! ppp+ -p 6 -j REDIRECT 8080 "
              "! -y -l -m -3 -o 128");
    EXPECT_EQ(format::save_line("forward", from_cli("-A forward -p ! udp ! -f -j ppp-in")),
              "-A forward -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -p ! 17 -j ppp-in ! -f");
    EXPECT_EQ(format::save_line("input", from_cli("-A input -p udp -j TEE 7 --ipfw-number 9")),
              "-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -p 17 -j TEE 7 --ipfw-number 9");
}

TEST(SaveLine, CommandLineRulesRoundTrip)
{
    const char* lines[] = {
        "-A input -p ICMP -j DIVERT 1234",
        "-A input -p tcp -y -l -s 192.168.1.0/24 -d 0/0 80 -j DENY",
        "-A input -p tcp -d 10.0.0.1 80 -j REDIRECT 8080",
        "-A input -p udp -j REDIRECT",
        "-A input -i ppp+ -j ppp-in",
        "-A input -s 10.1.1.1",
        "-A input -p udp -s ! 127.0.0.0/8 -d 0/0 ! 1024:65535 -j ACCEPT -m 5 -t 01 10",
        "-A input -p udp -s 203.29.16.1 53 -i ppp0 -o 128 -j ACCEPT",
        "-A input -p icmp --icmp-type echo-request -j DENY",
        "-A input -p icmp --icmp-type port-unreachable",
        "-A input -p icmp -s 0/0 ! 3:5 -d 0/0 ! 0",
        "-A input -p tcp ! -y -i ! eth0 -m +7",
        "-A input -p tcp ! -f -y -m -1",
        "-A input -f -o",
        "-A input -p 47 -j RETURN",
        "-A input -s 1.2.3.4/255.0.255.0 -d ! 9.9.9.9/1",
        "-A input -i ! +",
        "-A input -m 0 -t 0xFF 0x00",
        "-A input -p tcp -d 0/0 :1023 -j REJECT",
        "-A input -p tcp --sport 1024: --dport ! :",
        "-A input -p udp -j TEE 5000",
        "-A input -p udp -j DIVERT 5000 --ipfw-number 100",
        "-A input -j TEE 1 --ipfw-number 65535",
    };
    for (const char* l : lines) EXPECT_TRUE(round_trips("input", from_cli(l))) << l;
}

// Rules as the IP_FW_* setsockopt path may store them: any protocol with any ports, flags the
// command line would refuse, any TOS masks.
Rule random_rule(std::mt19937& rng)
{
    auto u = [&](uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng); };
    Rule r;
    auto mask = [&]() -> uint32_t {
        switch (u(4)) {
        case 0: return 0;
        case 1: return 0xFFFFFFFFu;
        case 2: {
            const uint32_t bits = u(33);
            return bits == 0 ? 0u : static_cast<uint32_t>(0xFFFFFFFFull << (32 - bits));
        }
        default: return static_cast<uint32_t>(rng());
        }
    };
    r.src_mask = mask();
    r.src = static_cast<uint32_t>(rng()) & r.src_mask;
    r.dst_mask = mask();
    r.dst = static_cast<uint32_t>(rng()) & r.dst_mask;

    const uint16_t protos[] = {0, 1, 6, 17, 47, 255, 65535};
    r.proto = protos[u(7)];
    auto range = [&]() {
        model::PortRange p;
        switch (u(3)) {
        case 0: break;
        case 1: p.lo = p.hi = static_cast<uint16_t>(u(65536)); break;
        default:
            p.lo = static_cast<uint16_t>(u(65536));
            p.hi = static_cast<uint16_t>(u(65536));
        }
        return p;
    };
    r.sport = range();
    r.dport = range();

    r.invflags = static_cast<uint16_t>(u(256)) &
                 ~(model::kInvSyn | model::kInvFrag);  // set below, with their flags
    r.flags = 0;
    if (u(2)) r.flags |= model::kFlagLog;
    if (u(2)) {
        r.flags |= model::kFlagSyn;
        if (u(2)) r.invflags |= model::kInvSyn;
    }
    if (u(2)) {
        r.flags |= model::kFlagFrag;
        if (u(2)) r.invflags |= model::kInvFrag;
    }
    if (u(2)) {
        r.flags |= model::kFlagNetlink;
        r.output_size = static_cast<uint16_t>(u(65536));
    }
    if (u(2)) {
        r.flags |= model::kFlagMarkAbs;
        r.mark = u(0x10000);
    } else if (u(2)) {
        r.mark = static_cast<uint32_t>(rng());
    }
    const char* ifaces[] = {"", "eth0", "ppp", "abcdefghijklmnop", "lo"};
    r.iface = ifaces[u(5)];
    if (r.iface.empty() || u(2)) r.flags |= model::kFlagWildIf;
    if (u(2)) {
        r.tos_and = static_cast<uint8_t>(u(256));
        r.tos_xor = static_cast<uint8_t>(u(256));
    }

    switch (u(9)) {
    case 0: r.target = TargetKind::None; break;
    case 1: r.target = TargetKind::Accept; break;
    case 2: r.target = TargetKind::Deny; break;
    case 3: r.target = TargetKind::Reject; break;
    case 4: r.target = TargetKind::Masq; break;
    case 5:
        r.target = TargetKind::Redirect;
        r.redirect_port = static_cast<uint16_t>(u(65536));
        break;
    case 6: r.target = TargetKind::Return; break;
    case 7:
        r.target = TargetKind::Divert;
        r.redirect_port = static_cast<uint16_t>(1 + u(65535));
        break;
    default: {
        const char* chains[] = {"ppp-in", "a", "ACCEPTED", "x-y_z.1"};
        r.target = TargetKind::Chain;
        r.target_chain = chains[u(4)];
    }
    }
    return r;
}

TEST(SaveLine, RandomRulesRoundTrip)
{
    std::mt19937 rng(20240601);
    for (int i = 0; i < 20000; ++i) {
        const Rule r = random_rule(rng);
        ASSERT_TRUE(round_trips(i % 2 ? "input" : "user-1", r)) << "iteration " << i;
    }
}

TEST(Save, ChainLinesThenRules)
{
    model::Ruleset rs = model::Ruleset::initial();
    rs.find("forward")->policy = model::Policy::Deny;
    model::Chain user;
    user.name = "ppp-in";
    user.rules.push_back(from_cli("-A ppp-in -p udp -j ACCEPT"));
    rs.chains.push_back(user);
    rs.find("input")->rules.push_back(from_cli("-A input -i ppp+ -j ppp-in"));

    EXPECT_EQ(format::save(rs, ""),
              ":input ACCEPT\n"
              ":forward DENY\n"
              ":output ACCEPT\n"
              ":ppp-in -\n"
              "-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -i ppp+ -j ppp-in\n"
              "-A ppp-in -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -p 17 -j ACCEPT\n");
    EXPECT_EQ(format::save(rs, "ppp-in"),
              ":ppp-in -\n"
              "-A ppp-in -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -p 17 -j ACCEPT\n");
}

}  // namespace
