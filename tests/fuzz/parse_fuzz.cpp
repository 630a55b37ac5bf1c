// libFuzzer entry point for the ipchains grammar: ./configure --enable-fuzz CXX=clang++ and
// `make fuzz` (see README.md).
#include "parse_fuzz_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > 4096) return 0;  // command lines are short; keep iterations fast
    ipchains::fuzz::check_input(ipchains::fuzz::input_words(data, size));
    return 0;
}
