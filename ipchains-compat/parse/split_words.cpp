#include <cctype>

#include "parse/parser.h"

namespace ipchains::parse {

namespace {

bool is_space(char c)
{
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

std::vector<std::string> split_words(const std::string& line)
{
    // Each word is made once from its span of the line: the reader parses every rule's save
    // line back this way (backend/common/read_model.cpp).
    std::vector<std::string> words;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) ++i;
        const size_t start = i;
        while (i < line.size() && !is_space(line[i])) ++i;
        if (i > start) words.emplace_back(line, start, i - start);
    }
    return words;
}

}  // namespace ipchains::parse
