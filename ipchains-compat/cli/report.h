// How the commands print failures, in the old tools' exact forms
// (docs/reference/ipchains-commands.md 8.1).
#pragma once

#include <string>

#include "core/result.h"

namespace ipchains::cli {

// Usage error: "<argv0>: <message>" then the "Try ..." line; returns 2.
int report_usage_error(const std::string& argv0, const Error& e);

// Kernel/system failure: "<prefix>: <message>"; returns the error's exit status (1).
int report_failure(const std::string& prefix, const Error& e);

}  // namespace ipchains::cli
