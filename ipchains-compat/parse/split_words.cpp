#include <cctype>

#include "parse/parser.h"

namespace ipchains::parse {

std::vector<std::string> split_words(const std::string& line)
{
    std::vector<std::string> words;
    std::string cur;
    bool in_word = false;
    for (char c : line) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (in_word) words.push_back(cur);
            cur.clear();
            in_word = false;
        } else {
            cur += c;
            in_word = true;
        }
    }
    if (in_word) words.push_back(cur);
    return words;
}

}  // namespace ipchains::parse
