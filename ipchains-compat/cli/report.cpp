#include "cli/report.h"

#include <cstdio>

namespace ipchains::cli {

int report_usage_error(const std::string& argv0, const Error& e)
{
    std::fprintf(stderr, "%s: %s\n", argv0.c_str(), e.message.c_str());
    std::fprintf(stderr, "Try `%s -h' or '%s --help' for more information.\n", argv0.c_str(),
                 argv0.c_str());
    return 2;
}

int report_failure(const std::string& prefix, const Error& e)
{
    std::fprintf(stderr, "%s: %s\n", prefix.c_str(), e.message.c_str());
    return e.exit_status ? e.exit_status : 1;
}

}  // namespace ipchains::cli
