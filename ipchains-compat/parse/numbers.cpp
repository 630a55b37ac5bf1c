#include "parse/numbers.h"

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace ipchains::parse::detail {

long string_to_number(const std::string& s, long min, long max)
{
    const char* begin = s.c_str();
    char* end = nullptr;
    errno = 0;
    const long n = std::strtol(begin, &end, 10);
    // A word with an embedded NUL (possible from a fuzzer, never from argv) is not a number.
    if (end == begin || *end != '\0' || end != begin + s.size() || errno == ERANGE) return -1;
    return (n >= min && n <= max) ? n : -1;
}

Result<uint32_t> parse_rulenumber(const std::string& s)
{
    const long n = string_to_number(s, 1, INT_MAX);
    if (n == -1) return Error::usage("Invalid rule number `" + s + "'");
    return static_cast<uint32_t>(n);
}

Result<int> parse_timeout(const std::string& s)
{
    const long n = string_to_number(s, 0, INT_MAX);
    if (n == -1) return Error::usage("invalid timeout value `" + s + "' specified");
    return static_cast<int>(n);
}

Result<uint8_t> parse_hexbyte(const std::string& s)
{
    const char* begin = s.c_str();
    char* end = nullptr;
    errno = 0;
    const long n = std::strtol(begin, &end, 16);
    if (end == begin || *end != '\0' || end != begin + s.size() || errno == ERANGE || n < 0 ||
        n > 255)
        return Error::usage("invalid hexbyte `" + s + "' specified");
    return static_cast<uint8_t>(n);
}

Result<uint16_t> parse_outputsize(const std::string& s)
{
    const long n = string_to_number(s, 0, 65535);
    if (n == -1) return Error::usage("-o argument must be 0-65535, not `" + s + "'");
    return static_cast<uint16_t>(n);
}

Result<Mark> parse_mark(const std::string& s)
{
    const bool sign = !s.empty() && (s[0] == '-' || s[0] == '+');
    const char* begin = s.c_str() + (sign ? 1 : 0);
    char* end = nullptr;
    errno = 0;
    const unsigned long l = std::strtoul(begin, &end, 0);
    if (end == begin || *end != '\0' || end != s.c_str() + s.size() || errno == ERANGE ||
        l > UINT_MAX)
        return Error::usage("Bad value `" + s + "' for -m.\n");
    Mark m;
    if (!sign) {
        if (l > 0xFFFF)
            return Error::usage("Bad value `" + s + "' for -m (marks are 16 bits wide here)");
        m.absolute = true;
        m.value = static_cast<uint32_t>(l);
    } else if (s[0] == '-') {
        m.value = 0u - static_cast<uint32_t>(l);  // adding this subtracts, as in 2.2
    } else {
        m.value = static_cast<uint32_t>(l);
    }
    return m;
}

}  // namespace ipchains::parse::detail
