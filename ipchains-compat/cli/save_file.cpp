#include "cli/save_file.h"

#include "parse/parser.h"

namespace ipchains::cli {

namespace {
Error at_line(Error e, int line)
{
    e.line = line;
    return e;
}
}  // namespace

Result<SaveFile> read_save_file(std::istream& in)
{
    SaveFile file;
    std::string text;
    int line = 0;
    while (std::getline(in, text)) {
        ++line;
        auto words = parse::split_words(text);
        if (words.empty() || words[0][0] == '#') continue;
        if (words[0][0] == ':') {
            if (words.size() != 2 || words[0].size() < 2)
                return at_line(Error::usage("bad chain line `" + text + "'"), line);
            file.chains.push_back({words[0].substr(1), words[1], line});
            continue;
        }
        parse::ParseOptions opt;
        opt.restore_line = true;
        auto cmd = parse::parse_command(words, opt);
        if (!cmd) return at_line(cmd.error(), line);
        file.rules.push_back({std::move(*cmd), line});
    }
    return file;
}

}  // namespace ipchains::cli
