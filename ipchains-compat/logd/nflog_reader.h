// Reads the packets that -l rules copy to an NFLOG group (nfnetlink_log over libmnl).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

struct mnl_socket;
struct nlmsghdr;

namespace ipchains::logd {

struct LoggedPacket {
    std::string prefix;            // NFULA_PREFIX: the rule's log prefix
    uint32_t indev = 0, outdev = 0;  // interface indexes, 0 = none
    std::vector<uint8_t> packet;   // from the IP header on, at most the rule's snaplen
};

class NflogReader {
public:
    // Binds `group`. Fails with the kernel's errno (EBUSY: another program has the group).
    static Result<std::unique_ptr<NflogReader>> open(uint16_t group);
    ~NflogReader();
    NflogReader(const NflogReader&) = delete;
    NflogReader& operator=(const NflogReader&) = delete;

    // Blocks for the next batch of packets and calls `on_packet` for each. ENOBUFS (the
    // kernel dropped copies because we were slow) is returned as an error the caller may
    // report and then continue.
    Result<void> receive(const std::function<void(const LoggedPacket&)>& on_packet);

private:
    explicit NflogReader(mnl_socket* nl, uint16_t group) : nl_(nl), group_(group) {}
    // One NFULNL_MSG_CONFIG request; `fill` adds its attributes. Waits for the kernel's ack.
    Result<void> config(uint8_t family, uint16_t res_id,
                        const std::function<void(nlmsghdr*)>& fill);
    mnl_socket* nl_;
    uint16_t group_;
    uint32_t seq_ = 0;
    std::vector<char> buf_;
};

// The interface name of `index`, or "?" when it is gone.
std::string interface_name(uint32_t index);

}  // namespace ipchains::logd
