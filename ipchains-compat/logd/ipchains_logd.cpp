// ipchains-logd [--stdout] [--group N] [--tag NAME]: prints 2.2's "Packet log:" line for every
// packet a -l rule logs (docs/differences.md 3.1, ipchains-logd(8)).
#include <boost/program_options.hpp>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "compile/compile.h"
#include "logd/nflog_reader.h"
#include "logd/packet_line.h"
#include "logd/syslog_sink.h"

using namespace ipchains;
namespace po = boost::program_options;

namespace {

constexpr const char* kUsage = "Usage: ipchains-logd [--stdout] [--group N] [--tag NAME]\n";

}  // namespace

int main(int argc, char** argv)
{
    bool to_stdout = false;
    unsigned long group = compile::kPacketLogGroup;
    std::string tag = "kernel";
    po::options_description opts("Options");
    opts.add_options()("help,h", "print this help")(
        "stdout", po::bool_switch(&to_stdout), "write the lines to standard output, not syslog")(
        "group", po::value<unsigned long>(&group),
        "NFLOG group to read (default 22, the group ipchains -l rules use)")(
        "tag", po::value<std::string>(&tag), "syslog tag of the lines (default kernel)")(
        "version", "print the version");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::fprintf(stderr, "ipchains-logd: %s\n%s", e.what(), kUsage);
        return 2;
    }
    if (vm.count("help")) {
        std::cout << kUsage << opts;
        return 0;
    }
    if (vm.count("version")) {
        std::printf("ipchains-logd %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (group > 0xFFFF) {
        std::fprintf(stderr, "ipchains-logd: group %lu out of range (0-65535)\n%s", group, kUsage);
        return 2;
    }
    if (tag.empty() || tag.find_first_of(" :\n") != std::string::npos) {
        std::fprintf(stderr, "ipchains-logd: bad tag `%s' (no spaces or colons)\n%s",
                     tag.c_str(), kUsage);
        return 2;
    }

    auto reader = logd::NflogReader::open(static_cast<uint16_t>(group));
    if (!reader) {
        std::fprintf(stderr, "ipchains-logd: %s\n", reader.error().message.c_str());
        return 1;
    }
    std::unique_ptr<logd::LineSink> sink;
    if (to_stdout)
        sink = std::make_unique<logd::StdoutSink>();
    else
        sink = std::make_unique<logd::SyslogSink>(tag);

    auto on_packet = [&](const logd::LoggedPacket& p) {
        // 2.2 printed the interface the chain tested: the outgoing one on forward and
        // output, the incoming one on input.
        std::string ifname = logd::interface_name(p.outdev != 0 ? p.outdev : p.indev);
        auto line = logd::packet_log_line(p.prefix, ifname, p.packet.data(), p.packet.size());
        if (line) sink->write(*line);
    };
    for (;;) {
        auto got = (*reader)->receive(on_packet);
        if (got) continue;
        if (got.error().code == ENOBUFS) {
            std::fprintf(stderr, "ipchains-logd: packets were logged faster than read; some "
                                 "lines are missing\n");
            continue;
        }
        std::fprintf(stderr, "ipchains-logd: %s\n", got.error().message.c_str());
        return 1;
    }
}
