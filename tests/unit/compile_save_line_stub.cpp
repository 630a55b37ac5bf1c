// Until format/ provides format::save_line, the compile tests link this weak stand-in. A weak
// definition yields to the real one whenever the core library's format object is linked.
#include <string>

#include "format/format.h"

namespace ipchains::format {

__attribute__((weak)) std::string save_line(const std::string& chain, const model::Rule& r)
{
    std::string s = "-A " + chain + " src=" + std::to_string(r.src) + "/" +
                    std::to_string(r.src_mask) + " dst=" + std::to_string(r.dst) + "/" +
                    std::to_string(r.dst_mask) + " p=" + std::to_string(r.proto) +
                    " f=" + std::to_string(r.flags) + " inv=" + std::to_string(r.invflags) +
                    " sp=" + std::to_string(r.sport.lo) + ":" + std::to_string(r.sport.hi) +
                    " dp=" + std::to_string(r.dport.lo) + ":" + std::to_string(r.dport.hi) +
                    " i=" + r.iface + " m=" + std::to_string(r.mark);
    if (r.target != model::TargetKind::None) s += " -j " + r.target_label();
    if (r.redirect_port) s += " " + std::to_string(r.redirect_port);
    return s;
}

}  // namespace ipchains::format
