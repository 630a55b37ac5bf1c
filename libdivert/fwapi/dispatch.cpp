#include "fwapi/dispatch.h"

#include <cerrno>

#include "backend/execute.h"
#include "engine/engine.h"
#include "fwapi/test_packet.h"

namespace divert::fwapi {

namespace backend = ipchains::backend;
namespace engine = ipchains::engine;

namespace {

// Backend failures without an errno are things the modern kernel cannot do;
// docs/reference/firewall-api.md 5 says to refuse those with EINVAL.
int errno_of(const ipchains::Error& e)
{
    return e.code != 0 ? e.code : EINVAL;
}

int run_check(backend::Backend& be, const Request& rq)
{
    auto snap = be.read(false);
    if (!snap) return errno_of(snap.error());
    const ipchains::model::Ruleset& rs = snap->ruleset;
    if (!rs.find(rq.chain)) return ENOENT;
    if (rq.packet.fwp_iph.ihl != 5) return EINVAL;
    if (is_tcp_offset_one(rq.packet)) return ETIMEDOUT;
    auto verdict = engine::check(rs, rq.chain, test_packet_from_fwpkt(rq.packet));
    if (!verdict) return errno_of(verdict.error());
    return check_verdict_errno(*verdict);
}

}  // namespace

int run_request(backend::Backend& be, const Request& rq)
{
    if (rq.kind == Request::Kind::Nothing) return 0;
    if (rq.kind == Request::Kind::Check) return run_check(be, rq);
    if (rq.deferred_errno != 0) {
        auto snap = be.read(false);
        if (!snap) return errno_of(snap.error());
        return snap->ruleset.find(rq.chain) ? rq.deferred_errno : ENOENT;
    }
    auto done = backend::execute(be, rq.command);
    return done ? 0 : errno_of(done.error());
}

}  // namespace divert::fwapi
