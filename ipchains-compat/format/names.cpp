#include "format/names.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <map>
#include <mutex>
#include <vector>

namespace ipchains::format {

namespace {

class SystemNames : public NameLookup {
public:
    std::optional<std::string> host(uint32_t addr) override
    {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = hosts_.find(addr);
        if (it != hosts_.end()) return it->second;
        std::optional<std::string> name;
        const uint32_t net = htonl(addr);
        struct hostent he;
        struct hostent* result = nullptr;
        std::vector<char> buf(8192);
        int herr = 0;
        if (gethostbyaddr_r(&net, sizeof net, AF_INET, &he, buf.data(), buf.size(), &result,
                            &herr) == 0 &&
            result && result->h_name)
            name = result->h_name;
        hosts_[addr] = name;
        return name;
    }

    std::optional<std::string> network(uint32_t addr) override
    {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = nets_.find(addr);
        if (it != nets_.end()) return it->second;
        std::optional<std::string> name;
        struct netent ne;
        struct netent* result = nullptr;
        char buf[1024];
        int herr = 0;
        if (getnetbyaddr_r(addr, AF_INET, &ne, buf, sizeof buf, &result, &herr) == 0 &&
            result && result->n_name)
            name = result->n_name;
        nets_[addr] = name;
        return name;
    }

    std::optional<std::string> service(uint16_t port, const char* proto) override
    {
        struct servent se;
        struct servent* result = nullptr;
        char buf[1024];
        if (getservbyport_r(htons(port), proto, &se, buf, sizeof buf, &result) == 0 && result &&
            result->s_name)
            return std::string(result->s_name);
        return std::nullopt;
    }

    std::optional<std::string> protocol(uint16_t proto) override
    {
        struct protoent pe;
        struct protoent* result = nullptr;
        char buf[1024];
        if (getprotobynumber_r(proto, &pe, buf, sizeof buf, &result) == 0 && result &&
            result->p_name)
            return std::string(result->p_name);
        return std::nullopt;
    }

private:
    std::mutex mu_;
    std::map<uint32_t, std::optional<std::string>> hosts_, nets_;
};

}  // namespace

NameLookup& system_names()
{
    static SystemNames names;
    return names;
}

}  // namespace ipchains::format
