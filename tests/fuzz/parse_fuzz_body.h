// The checks run on one fuzz input: shared by the libFuzzer target and the corpus replay test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ipchains::fuzz {

// One input = one command line, one word per line ('\n' separates words, so a word may hold
// blanks and an empty line is an empty word).
std::vector<std::string> input_words(const uint8_t* data, std::size_t size);

// Parses the words as a command line and as a restore line (never resolving names), and for
// every rule parsed: prints it (-L layouts, echo) and checks that save_line parses back into
// the same rule. Aborts on a violated property, so the fuzzer reports it.
void check_input(const std::vector<std::string>& words);

}  // namespace ipchains::fuzz
