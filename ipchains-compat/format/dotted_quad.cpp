// a.b.c.d text of a host-order IPv4 address: used by listings, save lines (one per rule in
// every compiled table, so restore formats tens of thousands) and the nft text backend.
#include "format/format.h"

namespace ipchains::format {

std::string dotted_quad(uint32_t addr)
{
    char buf[16];
    char* p = buf;
    for (int shift = 24; shift >= 0; shift -= 8) {
        unsigned octet = (addr >> shift) & 0xFF;
        if (octet >= 100) *p++ = static_cast<char>('0' + octet / 100);
        if (octet >= 10) *p++ = static_cast<char>('0' + octet / 10 % 10);
        *p++ = static_cast<char>('0' + octet % 10);
        if (shift) *p++ = '.';
    }
    return std::string(buf, p);
}

}  // namespace ipchains::format
