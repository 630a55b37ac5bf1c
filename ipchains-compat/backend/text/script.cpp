// to_nft_script: the whole table as one `nft -f` file.
#include "backend/text/nft_text.h"
#include "backend/text/rule_text.h"

namespace ipchains::backend::text {

namespace {

// `table F NAME`, `delete table F NAME`, then the table block.
std::string table_block(const ir::Table& t)
{
    const std::string table = "table " + table_family(t) + " " + nft_identifier(t.name);
    std::string out = table + "\n";
    out += "delete " + table + "\n";
    out += table + " {\n";
    if (!t.comment.empty()) out += "\tcomment " + quoted(t.comment) + "\n";
    for (const auto& c : t.counters) {
        out += "\tcounter " + nft_identifier(c.name) + " {\n";
        out += "\t\tpackets " + std::to_string(c.packets) + " bytes " + std::to_string(c.bytes) +
               "\n\t}\n";
    }
    for (const auto& set : t.sets) {
        out += "\n\t" + set_keyword(set) + " " + nft_identifier(set.name) + " {\n\t\t" +
               set_spec(set, "\n\t\t") +
               "elements = {";
        std::vector<std::string> notes;
        for (size_t i = 0; i < set.elements.size(); ++i)
            out += std::string(i ? ",\n\t\t\t" : " ") + element_text(set.elements[i], notes);
        out += " }\n\t}\n";
        for (const auto& n : notes) out += "\t" + n + "\n";
    }
    for (const auto& c : t.chains) {
        out += "\n\tchain " + nft_identifier(c.name) + " {\n";
        if (c.base) out += "\t\t" + base_chain_spec(*c.base, ";") + "\n";
        if (!c.comment.empty()) {
            if (c.comment.size() <= kMaxComment)
                out += "\t\tcomment " + quoted(c.comment) + "\n";
            else
                out += "\t\t# " + c.comment + "\n";
        }
        for (const auto& r : c.rules) {
            RuleText rt = rule_text(r);
            for (const auto& n : rt.notes) out += "\t\t" + n + "\n";
            out += "\t\t" + rt.text + "\n";
        }
        out += "\t}\n";
    }
    out += "}\n";
    return out;
}

}  // namespace

std::string to_nft_script(const std::vector<ir::Table>& tables)
{
    std::string out = "#!/usr/sbin/nft -f\n";
    out += tables.size() > 1 ? "# ipchains-divert chain layout (see docs/design.md). Replaces the "
                               "whole tables.\n"
                             : "# ipchains-divert chain layout (see docs/design.md). Replaces the "
                               "whole table.\n";
    for (size_t i = 0; i < tables.size(); ++i) out += (i ? "\n" : "") + table_block(tables[i]);
    return out;
}

std::string to_nft_script(const ir::Table& table)
{
    return to_nft_script(std::vector<ir::Table>{table});
}

}  // namespace ipchains::backend::text
