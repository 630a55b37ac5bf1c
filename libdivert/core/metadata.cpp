#include "core/metadata.h"

#include <cstring>

#include <netinet/in.h>  // before <linux/netfilter.h>, which would define in_addr itself
#include <linux/netfilter.h>

#include "divert.h"

namespace divert {

static_assert(DIVERT_HOOK_PREROUTING == NF_INET_PRE_ROUTING &&
                  DIVERT_HOOK_INPUT == NF_INET_LOCAL_IN &&
                  DIVERT_HOOK_FORWARD == NF_INET_FORWARD &&
                  DIVERT_HOOK_OUTPUT == NF_INET_LOCAL_OUT &&
                  DIVERT_HOOK_POSTROUTING == NF_INET_POST_ROUTING,
              "DIVERT_HOOK_* are the netfilter hook numbers");

void put_cmsgs(msghdr* msg, const Metadata& m)
{
    struct Item {
        int type;
        uint32_t value;
        bool present;
    };
    const Item items[] = {
        {DIVERT_CMSG_IN_IFINDEX, m.in_ifindex, true},
        {DIVERT_CMSG_OUT_IFINDEX, m.out_ifindex, true},
        {DIVERT_CMSG_HOOK, m.hook, true},
        {DIVERT_CMSG_MARK, m.mark, true},
        {DIVERT_CMSG_UID, m.uid, m.has_uid},
        {DIVERT_CMSG_GID, m.gid, m.has_gid},
        {DIVERT_CMSG_RULE, m.rule, true},
    };
    auto* base = static_cast<unsigned char*>(msg->msg_control);
    const size_t room = msg->msg_control == nullptr ? 0 : msg->msg_controllen;
    size_t used = 0;
    bool truncated = false;
    for (const Item& it : items) {
        if (!it.present) continue;
        if (used + CMSG_SPACE(sizeof it.value) > room) {
            truncated = true;
            break;
        }
        // Through memcpy: the program's buffer need not be aligned for cmsghdr.
        cmsghdr h{};
        h.cmsg_len = CMSG_LEN(sizeof it.value);
        h.cmsg_level = IPPROTO_DIVERT;
        h.cmsg_type = it.type;
        unsigned char* at = base + used;
        std::memset(at, 0, CMSG_SPACE(sizeof it.value));
        std::memcpy(at, &h, sizeof h);
        std::memcpy(at + CMSG_LEN(0), &it.value, sizeof it.value);
        used += CMSG_SPACE(sizeof it.value);
    }
    msg->msg_controllen = used;
    if (truncated) msg->msg_flags |= MSG_CTRUNC;
}

}  // namespace divert
