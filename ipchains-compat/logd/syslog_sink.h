// Where ipchains-logd writes its lines: the system log as the kernel did (facility kern, level
// info), or standard output (--stdout).
#pragma once

#include <string>

namespace ipchains::logd {

class LineSink {
public:
    virtual ~LineSink() = default;
    virtual void write(const std::string& line) = 0;
};

// Standard output, flushed per line.
class StdoutSink : public LineSink {
public:
    void write(const std::string& line) override;
};

// /dev/log datagrams "<6>Mmm dd hh:mm:ss <tag>: <line>": kern.info as printk(KERN_INFO) gave.
// syslog(3) cannot do this: glibc replaces facility kern (0) by the openlog() default.
class SyslogSink : public LineSink {
public:
    explicit SyslogSink(std::string tag, std::string path = "/dev/log");
    ~SyslogSink() override;
    void write(const std::string& line) override;

private:
    void reconnect();
    std::string tag_, path_;
    int fd_ = -1;
};

// The datagram SyslogSink sends for `line` at time `t` (local time), without I/O.
std::string syslog_datagram(const std::string& tag, const std::string& line, long t);

}  // namespace ipchains::logd
