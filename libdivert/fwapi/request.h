// One IP_FW_* setsockopt buffer decoded into what the engine runs: a model::Command (the same
// value the ipchains command line produces) or an IP_FW_CHECK test. Pure: no kernel access.
#pragma once

#include <linux/ip_fw.h>

#include <cstddef>
#include <string>

#include "core/result.h"
#include "model/command.h"

namespace divert::fwapi {

struct Request {
    enum class Kind {
        Command,  // run `command` through backend::execute
        Check,    // IP_FW_CHECK of `packet` from `chain`
        Nothing,  // accepted without effect (IP_FW_MASQ_TIMEOUTS, as `ipchains -M -S`)
    };
    Kind kind = Kind::Command;
    ipchains::model::Command command;
    // The chain 2.2 looked up before converting the rule: if it is missing, that ENOENT wins
    // over `deferred_errno`.
    std::string chain;
    // A failure 2.2 reported only after the chain lookup succeeded (rule conversion, policy
    // and rule-number checks). 0 = none.
    int deferred_errno = 0;
    struct ip_fwpkt packet = {};
};

// Decodes `len` bytes of option `optname` (64..76). Errors (EINVAL for a wrong length or an
// unterminated label, ENOENT for an empty chain name, ENOPROTOOPT for IP_FW_MASQ_CTL and
// unknown options) are those 2.2 gave before looking at any chain.
ipchains::Result<Request> decode_request(int optname, const unsigned char* buf, std::size_t len);

}  // namespace divert::fwapi
