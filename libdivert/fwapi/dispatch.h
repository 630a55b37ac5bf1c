// Runs a decoded IP_FW_* request against a backend: the ordering of 2.2's checks that need the
// current ruleset, then backend::execute (the ipchains command's own path) or engine::check.
#pragma once

#include "backend/backend.h"
#include "fwapi/request.h"

namespace divert::fwapi {

// 0 on success, else the errno setsockopt fails with.
int run_request(ipchains::backend::Backend& be, const Request& rq);

}  // namespace divert::fwapi
