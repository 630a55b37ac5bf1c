// Replays every seed corpus file through the fuzz target's checks, so that builds without
// libFuzzer (CI) still exercise them. Usage: parse_corpus_replay <corpus-dir>...
#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "parse_fuzz_body.h"

int main(int argc, char** argv)
{
    int files = 0;
    for (int i = 1; i < argc; ++i) {
        DIR* d = opendir(argv[i]);
        if (!d) {
            std::fprintf(stderr, "cannot open corpus directory %s\n", argv[i]);
            return 1;
        }
        std::vector<std::string> names;
        while (struct dirent* e = readdir(d))
            if (e->d_name[0] != '.') names.push_back(e->d_name);
        closedir(d);
        std::sort(names.begin(), names.end());
        for (const auto& n : names) {
            std::ifstream f(std::string(argv[i]) + "/" + n, std::ios::binary);
            const std::string data((std::istreambuf_iterator<char>(f)),
                                   std::istreambuf_iterator<char>());
            ipchains::fuzz::check_input(ipchains::fuzz::input_words(
                reinterpret_cast<const uint8_t*>(data.data()), data.size()));
            ++files;
        }
    }
    if (files == 0) {
        std::fprintf(stderr, "no corpus files found\n");
        return 1;
    }
    std::printf("%d passed, 0 failed\n", files);
    return 0;
}
