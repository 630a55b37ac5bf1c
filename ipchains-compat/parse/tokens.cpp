#include "parse/tokens.h"

#include <cstring>

namespace ipchains::parse {

namespace {

bool starts_with(const std::string& s, const char* p)
{
    return s.compare(0, std::strlen(p), p) == 0;
}

}  // namespace

TokenStream::TokenStream(const std::vector<std::string>& words, const char* shortopts,
                         const std::vector<LongOption>& longopts)
    : words_(words), shortopts_(shortopts), longopts_(longopts)
{
}

bool TokenStream::has_word(std::size_t ahead) const
{
    return cluster_ == 0 && index_ + ahead < words_.size();
}

const std::string& TokenStream::word(std::size_t ahead) const
{
    return words_[index_ + ahead];
}

bool TokenStream::plain_word(std::size_t ahead) const
{
    if (!has_word(ahead)) return false;
    const std::string& w = word(ahead);
    // An empty word counts as plain: 1.3.9 tested argv[optind][0], which is then '\0'.
    return w.empty() || (w[0] != '-' && w[0] != '!');
}

std::string TokenStream::take_word()
{
    return words_[index_++];
}

Result<Token> TokenStream::next()
{
    if (cluster_ != 0) return next_short();
    if (done_ || index_ >= words_.size()) return Token{};

    const std::string& w = words_[index_];
    if (w == "--") {
        // getopt: end of options; whatever follows is left for the caller.
        ++index_;
        done_ = true;
        return Token{};
    }
    if (starts_with(w, "--")) return next_long(w);
    if (w.size() >= 2 && w[0] == '-') {
        cluster_ = 1;
        return next_short();
    }
    Token t;
    t.kind = Token::Kind::Word;
    t.arg = w;
    ++index_;
    return t;
}

Result<Token> TokenStream::next_short()
{
    const std::string& w = words_[index_];
    const char c = w[cluster_++];
    const bool last = cluster_ >= w.size();
    const std::size_t pos = (c == ':' || c == '\0') ? std::string::npos : shortopts_.find(c);
    if (pos == std::string::npos) {
        if (last) {
            cluster_ = 0;
            ++index_;
        }
        return Error::usage(std::string("invalid option -- '") + c + "'");
    }
    const bool takes = pos + 1 < shortopts_.size() && shortopts_[pos + 1] == ':';
    const bool optional = takes && pos + 2 < shortopts_.size() && shortopts_[pos + 2] == ':';

    Token t;
    t.kind = Token::Kind::Option;
    t.code = static_cast<unsigned char>(c);
    if (!takes) {
        if (last) {
            cluster_ = 0;
            ++index_;
        }
        return t;
    }
    if (!last) {
        t.has_arg = true;
        t.arg = w.substr(cluster_);
        cluster_ = 0;
        ++index_;
        return t;
    }
    cluster_ = 0;
    ++index_;
    if (optional) return t;
    if (index_ >= words_.size())
        return Error::usage(std::string("option requires an argument -- '") + c + "'");
    t.has_arg = true;
    t.arg = words_[index_++];
    return t;
}

Result<Token> TokenStream::next_long(const std::string& w)
{
    const std::string rest = w.substr(2);
    const std::size_t eq = rest.find('=');
    const std::string name = rest.substr(0, eq);

    const LongOption* found = nullptr;
    for (const auto& o : longopts_)
        if (name == o.name) {
            found = &o;
            break;
        }
    if (!found) {
        std::vector<const LongOption*> ambiguous;
        for (const auto& o : longopts_) {
            if (std::strncmp(o.name, name.c_str(), name.size()) != 0) continue;
            if (!found) {
                found = &o;
            } else if (found->arg != o.arg || found->code != o.code) {
                if (ambiguous.empty()) ambiguous.push_back(found);
                ambiguous.push_back(&o);
            }
        }
        if (!ambiguous.empty()) {
            ++index_;
            std::string msg = "option '--" + rest + "' is ambiguous; possibilities:";
            for (const auto* o : ambiguous) msg += std::string(" '--") + o->name + "'";
            return Error::usage(msg);
        }
    }
    ++index_;
    if (!found) return Error::usage("unrecognized option '--" + rest + "'");

    Token t;
    t.kind = Token::Kind::Option;
    t.code = found->code;
    if (eq != std::string::npos) {
        if (found->arg == ArgKind::None)
            return Error::usage(std::string("option '--") + found->name +
                                "' doesn't allow an argument");
        t.has_arg = true;
        t.arg = rest.substr(eq + 1);
        return t;
    }
    if (found->arg == ArgKind::Required) {
        if (index_ >= words_.size())
            return Error::usage(std::string("option '--") + found->name +
                                "' requires an argument");
        t.has_arg = true;
        t.arg = words_[index_++];
    }
    return t;
}

}  // namespace ipchains::parse
