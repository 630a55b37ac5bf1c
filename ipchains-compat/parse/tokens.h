// The token layer: argv words -> option tokens, the way ipchains 1.3.9's getopt_long loop saw
// them, plus the look-ahead the grammar needs between tokens.
//
// Why not Boost.ProgramOptions (or plain getopt_long) here: the guide asks for
// Boost.ProgramOptions where it fits, and it does not fit this grammar. ipchains' command line
// is not a set of key/value options:
//   * `!` is a word of its own that inverts whatever comes next: `! -y`, `-p ! tcp`,
//     `-s ! 10.0.0.1 ! 80`. Its meaning depends on its position between two options, and a
//     `!` left dangling, doubled or placed before a command is an error with its own message.
//   * optional arguments are taken from the NEXT word only when that word does not start with
//     `-` or `!` (`-L input`, `-I input 3`, `-D input 2`, `-o 128`, `-j REDIRECT 8080`), so
//     the same word is a value after one option and a stray word after another.
//   * `-s`/`-d` take an address word and then, optionally, a `!` and a port word.
//   * order matters: options are processed left to right, errors are reported for the first
//     offending token, and short options cluster (`-nvL`), glue their argument (`-Linput`)
//     and long options abbreviate to any unique prefix (`--proto`, `--new`), exactly as
//     getopt_long did, including its error texts.
// ProgramOptions would have to be bent into all of that through custom parsers and still
// reorder or re-split words. So this small layer reproduces getopt_long's in-order mode
// (optstring starting with '-': words that are not options come back, in place, as
// Word tokens) and lets the grammar peek at / consume the words after an option.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"

namespace ipchains::parse {

enum class ArgKind { None, Required, Optional };

struct LongOption {
    const char* name;
    ArgKind arg;
    int code;   // the short letter it stands for, or a private code above 255
};

struct Token {
    enum class Kind { Option, Word, End };
    Kind kind = Kind::End;
    int code = 0;              // Option: short letter or long-only code
    bool has_arg = false;      // Option: an argument was glued on or taken (optarg != NULL)
    std::string arg;           // Option: the argument; Word: the word itself
};

class TokenStream {
public:
    // shortopts uses getopt's syntax without the leading '-' ("A:L::v").
    TokenStream(const std::vector<std::string>& words, const char* shortopts,
                const std::vector<LongOption>& longopts);

    // The next token. Errors carry getopt_long's own messages (unknown option, missing
    // argument, ambiguous or ill-used long option). After "--" every remaining word stays
    // unconsumed (End is returned and remaining() > 0).
    Result<Token> next();

    // Look-ahead, only meaningful right after an option that took or could take an argument
    // (the stream is then at a word boundary, like getopt's optind).
    bool has_word(std::size_t ahead = 0) const;
    const std::string& word(std::size_t ahead = 0) const;
    // The word exists and does not start with '-' or '!' (1.3.9's test for optional words).
    bool plain_word(std::size_t ahead = 0) const;
    std::string take_word();
    std::size_t remaining() const { return words_.size() - index_; }

private:
    Result<Token> next_long(const std::string& word);
    Result<Token> next_short();

    const std::vector<std::string>& words_;
    std::string shortopts_;
    const std::vector<LongOption>& longopts_;
    std::size_t index_ = 0;     // optind
    std::size_t cluster_ = 0;   // position inside words_[index_] while in a short cluster
    bool done_ = false;
};

}  // namespace ipchains::parse
