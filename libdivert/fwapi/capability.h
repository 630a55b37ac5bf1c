// The privilege test of the 2.2 firewall calls: CAP_NET_ADMIN, else EACCES (not EPERM).
#pragma once

namespace divert::fwapi {

// True when the calling thread has CAP_NET_ADMIN in its effective set.
bool has_net_admin();

}  // namespace divert::fwapi
