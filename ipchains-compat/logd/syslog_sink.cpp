// See syslog_sink.h.
#include "logd/syslog_sink.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>

namespace ipchains::logd {

void StdoutSink::write(const std::string& line)
{
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

std::string syslog_datagram(const std::string& tag, const std::string& line, long t)
{
    constexpr int kKernInfo = (0 << 3) | 6;  // LOG_KERN | LOG_INFO
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    localtime_r(&tt, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
    return "<" + std::to_string(kKernInfo) + ">" + stamp + " " + tag + ": " + line;
}

SyslogSink::SyslogSink(std::string tag, std::string path)
    : tag_(std::move(tag)), path_(std::move(path))
{
    reconnect();
}

SyslogSink::~SyslogSink()
{
    if (fd_ >= 0) close(fd_);
}

void SyslogSink::reconnect()
{
    if (fd_ >= 0) close(fd_);
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path_.c_str(), sizeof sa.sun_path - 1);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
        close(fd_);
        fd_ = -1;
    }
}

void SyslogSink::write(const std::string& line)
{
    std::string d = syslog_datagram(tag_, line, static_cast<long>(std::time(nullptr)));
    // The syslog daemon may have restarted since: one reconnect, then the line is lost (as a
    // kernel line is when the ring buffer overflows).
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (fd_ >= 0 && send(fd_, d.data(), d.size(), MSG_NOSIGNAL) >= 0) return;
        reconnect();
    }
    std::fprintf(stderr, "ipchains-logd: %s: cannot write to the system log\n", path_.c_str());
}

}  // namespace ipchains::logd
