// Reading the ipchains-save format (our documented format, docs/reference/ipchains-commands.md
// section 12): `#` comments and blank lines, `:chain POLICY` / `:chain -` chain lines, `-A chain
// ...` rule lines parsed with exactly the ipchains grammar. Shared by ipchains-restore and
// ipchains-translate.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/command.h"
#include "model/ruleset.h"

namespace ipchains::cli {

struct SavedChain {
    std::string name;
    std::string policy;  // "ACCEPT", ..., or "-" for a user chain
    int line = 0;
};

struct SavedRule {
    model::Command command;  // Op::Append with one or more rules
    int line = 0;
};

struct SaveFile {
    std::vector<SavedChain> chains;  // in file order
    std::vector<SavedRule> rules;    // in file order
};

// Errors carry Error::line. resolve_names follows the file: numeric files never look names up.
Result<SaveFile> read_save_file(std::istream& in);

}  // namespace ipchains::cli
