// Live capture: the interface is opened (as root if need be), privileges are dropped, then
// packets flow to the pipeline and, optionally, into rotated raw pcap files in the bundle.
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "agents/net/runner/runner.h"
#include "common/progress.h"

namespace beffroi::net {
namespace {

using Clock = std::chrono::steady_clock;

// Raw packets kept as evidence: captures/capture-000001.pcap, -000002, …
class RawRotator {
 public:
  RawRotator(const PcapSource& source, BundleWriter& bundle, const LiveCaptureOptions& options)
      : source_(source), bundle_(bundle), options_(options) {}

  Status Write(const RawPacket& packet) {
    const bool rotate_size = options_.rotate_bytes != 0 && dumper_ &&
                             dumper_->bytes_written() + 16 + packet.caplen > options_.rotate_bytes;
    const bool rotate_time =
        options_.rotate_seconds > 0 && dumper_ &&
        std::chrono::duration<double>(Clock::now() - opened_).count() >= options_.rotate_seconds;
    if (rotate_size || rotate_time) {
      if (auto s = CloseCurrent(); !s.ok()) return s;
    }
    if (!dumper_) {
      char name[64];
      std::snprintf(name, sizeof name, "capture-%06u.pcap", ++index_);
      auto fd = bundle_.CreateExtraFile(name);
      if (!fd.ok()) return fd.error();
      auto dumper = PcapDumper::Open(source_, fd->release(), name);
      if (!dumper.ok()) return dumper.error();
      dumper_ = std::move(dumper).value();
      current_ = name;
      opened_ = Clock::now();
    }
    dumper_->Write(packet);
    return OkStatus();
  }

  Status CloseCurrent() {
    if (!dumper_) return OkStatus();
    Status s = dumper_->Close();
    dumper_.reset();
    if (!s.ok()) return s;
    return bundle_.AddExtraFile(current_);
  }

  unsigned files() const { return index_; }

 private:
  const PcapSource& source_;
  BundleWriter& bundle_;
  const LiveCaptureOptions& options_;
  std::unique_ptr<PcapDumper> dumper_;
  std::string current_;
  unsigned index_ = 0;
  Clock::time_point opened_;
};

}  // namespace

Status DropPrivileges(const std::string& user, BundleWriter* bundle) {
  std::vector<char> buf(16384);
  struct passwd pw {};
  struct passwd* result = nullptr;
  if (::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &result) != 0 || result == nullptr) {
    return MakeError(ErrorCode::kNotFound, "--user " + user + ": no such account");
  }
  const uid_t uid = pw.pw_uid;
  const gid_t gid = pw.pw_gid;
  if (bundle != nullptr) {
    if (auto s = bundle->ChownTo(uid, gid); !s.ok()) return s;
  }
  if (::initgroups(user.c_str(), gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
    return MakeError(ErrorCode::kIo, "cannot switch to user " + user + ": " + std::strerror(errno));
  }
  if (uid != 0 && (::setuid(0) == 0 || ::geteuid() == 0)) {
    return MakeError(ErrorCode::kInternal, "switched to " + user + " but root could be regained");
  }
  return OkStatus();
}

Result<RunSummary> CaptureLive(const LiveCaptureOptions& options, Pipeline& pipeline,
                               EvidenceSink& sink, BundleWriter* bundle) {
  (void)sink;
  const auto start = Clock::now();
  auto opened = PcapSource::OpenLive(options.live);
  if (!opened.ok()) return opened.error();
  PcapSource& source = **opened;
  SourceSummary s;
  s.name = options.live.interface;
  s.link_type = DatalinkName(source.datalink());
  if (source.datalink() < 0 ||
      !link::IsSupportedLinkType(static_cast<std::uint32_t>(source.datalink()))) {
    return MakeError(ErrorCode::kUnsupported, "interface " + s.name + ": unsupported link type " +
                                                  std::to_string(source.datalink()) + " (" +
                                                  s.link_type + ")");
  }
  if (!options.user.empty() && ::geteuid() == 0 && options.user != "root") {
    if (auto d = DropPrivileges(options.user, bundle); !d.ok()) return d.error();
  }
  std::unique_ptr<RawRotator> raw;
  if (options.keep_raw && bundle != nullptr) {
    raw = std::make_unique<RawRotator>(source, *bundle, options);
  }
  Progress progress("capture " + s.name, options.progress);
  const int dlt = source.datalink();
  RawPacket packet;
  Status write_status;
  for (;;) {
    if (g_stop_capture.load(std::memory_order_relaxed)) break;
    if (options.duration_seconds > 0 &&
        std::chrono::duration<double>(Clock::now() - start).count() >= options.duration_seconds) {
      break;
    }
    const auto next = source.NextPacket(packet);
    if (next == PcapSource::Next::kTimeout) continue;
    if (next == PcapSource::Next::kEnd) break;
    if (next == PcapSource::Next::kError) {
      s.error = s.name + ": " + source.error();
      break;
    }
    if (s.packets == 0) s.first_ns = packet.ts_ns;
    s.last_ns = packet.ts_ns;
    ++s.packets;
    s.bytes += packet.caplen;
    progress.Add(0, packet.caplen);
    if (raw && write_status.ok()) {
      write_status = raw->Write(packet);
      if (!write_status.ok()) {
        std::fprintf(stderr, "beffroi-net: raw capture file: %s (packets are still analysed)\n",
                     write_status.error().message.c_str());
      }
    }
    pipeline.OnFrame(dlt, packet.ts_ns, packet.data, packet.wire_len);
    if (options.max_packets != 0 && s.packets >= options.max_packets) break;
  }
  progress.Stop();
  if (auto counters = source.Counters(); counters.ok()) s.counters = *counters;
  if (raw) {
    if (auto c = raw->CloseCurrent(); !c.ok() && s.error.empty()) s.error = c.error().message;
  }
  const std::uint64_t dropped = s.counters.dropped_kernel + s.counters.dropped_iface;
  if (dropped > 0) {
    pipeline.ReportAnomaly("capture.dropped",
                           std::to_string(s.counters.dropped_kernel) + " by the kernel, " +
                               std::to_string(s.counters.dropped_iface) +
                               " by the interface: flows and streams may have gaps",
                           nullptr, s.last_ns);
  }
  EmitSourceEvent(s, true, pipeline);
  RunSummary summary;
  summary.sources.push_back(s);
  pipeline.Finish();
  summary.pipeline = pipeline.Stats();
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

}  // namespace beffroi::net
