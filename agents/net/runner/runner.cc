#include "agents/net/runner/runner.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <vector>

#include "agents/net/engine/net_events.h"
#include "common/hash.h"
#include "common/progress.h"
#include "common/text.h"

namespace beffroi::net {

std::atomic<bool> g_stop_capture{false};

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

void EmitSourceEvent(const SourceSummary& s, bool live, Pipeline& pipeline) {
  Event e = MakeNetEvent("beffroi.capture", s.first_ns != 0 ? s.first_ns : NowUnixNs());
  e.Set("event.kind", "state");
  e.Set("event.type", "info");
  if (live) {
    e.Set("observer.ingress.interface.name", s.name);
    e.Set("beffroi.capture.dropped_kernel", s.counters.dropped_kernel);
    e.Set("beffroi.capture.dropped_interface", s.counters.dropped_iface);
    e.Set("beffroi.capture.received", s.counters.received);
  } else {
    e.Set("file.path", ToValidUtf8(s.name));
    e.Set("file.size", s.size);
    if (!s.sha256.empty()) e.Set("file.hash.sha256", s.sha256);
  }
  e.Set("beffroi.capture.link_type", s.link_type);
  e.Set("beffroi.capture.packets", s.packets);
  e.Set("beffroi.capture.bytes", s.bytes);
  if (s.first_ns != 0) {
    e.Set("event.start", FormatTimestampNs(s.first_ns));
    e.Set("event.end", FormatTimestampNs(s.last_ns));
  }
  if (!s.error.empty()) e.Set("error.message", ToValidUtf8(s.error));
  pipeline.Emit(e);
}

namespace {

void NotePacket(SourceSummary& s, const RawPacket& p) {
  if (s.packets == 0) s.first_ns = p.ts_ns;
  s.last_ns = p.ts_ns;
  ++s.packets;
  s.bytes += p.caplen;
}

// Refuses a link type the decoder does not know, before reading a single packet.
Status CheckLinkType(const PcapSource& source) {
  const int dlt = source.datalink();
  if (dlt >= 0 && link::IsSupportedLinkType(static_cast<std::uint32_t>(dlt))) return OkStatus();
  return MakeError(ErrorCode::kUnsupported,
                   source.name() + ": unsupported link type " + std::to_string(dlt) + " (" +
                       DatalinkName(dlt) +
                       "); supported: Ethernet, 802.1Q/QinQ, Linux SLL/SLL2, raw IPv4/IPv6, "
                       "BSD loopback");
}

SourceSummary ReadOne(const std::string& path, const ReadOptions& options, Pipeline& pipeline,
                      Progress& progress) {
  SourceSummary s;
  s.name = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) s.size = static_cast<std::uint64_t>(st.st_size);
  auto source = PcapSource::OpenFile(path);
  if (!source.ok()) {
    s.error = source.error().message;
    return s;
  }
  s.link_type = DatalinkName((*source)->datalink());
  if (auto check = CheckLinkType(**source); !check.ok()) {
    s.error = check.error().message;
    return s;
  }
  // The input's own hash is computed alongside (a second reader of the page cache), so the
  // packet loop is not slowed by it.
  std::future<Result<Digests>> digest;
  if (options.hash_inputs) {
    digest = std::async(std::launch::async, [path] { return HashFile(path, kSha256); });
  }
  PcapSource& src = **source;
  const int dlt = src.datalink();
  RawPacket packet;
  std::int64_t last_offset = 0;
  for (;;) {
    const auto next = src.NextPacket(packet);
    if (next == PcapSource::Next::kPacket) {
      NotePacket(s, packet);
      pipeline.OnFrame(dlt, packet.ts_ns, packet.data, packet.wire_len);
      if ((s.packets & 0xFFF) == 0) {
        const std::int64_t offset = src.FileOffset();
        if (offset > last_offset) {
          progress.Add(0, static_cast<std::uint64_t>(offset - last_offset));
          last_offset = offset;
        }
      }
      continue;
    }
    if (next == PcapSource::Next::kError) {
      // Classic pcap: where the bad record starts. pcapng: where libpcap stopped reading.
      const std::int64_t offset = src.FileOffset();
      s.error = path + ": " + (src.pcapng() ? "near byte " : "byte ") +
                std::to_string(offset < 0 ? 0 : offset) + " (record " +
                std::to_string(s.packets + 1) + "): " + src.error();
    }
    break;
  }
  if (s.size > static_cast<std::uint64_t>(last_offset))
    progress.Add(1, s.size - static_cast<std::uint64_t>(last_offset));
  if (digest.valid()) {
    auto d = digest.get();
    if (d.ok()) s.sha256 = d->sha256;
  }
  return s;
}

}  // namespace

bool RunSummary::ok() const {
  for (const auto& s : sources)
    if (!s.error.empty()) return false;
  return true;
}

nlohmann::json RunSummary::ToJson() const {
  nlohmann::json sources_json = nlohmann::json::array();
  for (const auto& s : sources) {
    nlohmann::json j = {{"name", ToValidUtf8(s.name)},
                        {"link_type", s.link_type},
                        {"packets", s.packets},
                        {"bytes", s.bytes}};
    if (!s.sha256.empty()) j["sha256"] = s.sha256;
    if (s.size != 0) j["size"] = s.size;
    if (s.first_ns != 0) {
      j["first"] = FormatTimestampNs(s.first_ns);
      j["last"] = FormatTimestampNs(s.last_ns);
    }
    if (s.counters.received != 0 || s.counters.dropped_kernel != 0) {
      j["received"] = s.counters.received;
      j["dropped_kernel"] = s.counters.dropped_kernel;
      j["dropped_interface"] = s.counters.dropped_iface;
    }
    if (!s.error.empty()) j["error"] = ToValidUtf8(s.error);
    sources_json.push_back(std::move(j));
  }
  return {{"ok", ok()}, {"sources", sources_json}, {"pipeline", pipeline}, {"seconds", seconds}};
}

RunSummary ReadFiles(const ReadOptions& options, Pipeline& pipeline, EvidenceSink& sink) {
  (void)sink;
  const auto start = Clock::now();
  RunSummary summary;
  std::uint64_t total = 0;
  for (const auto& f : options.files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) == 0) total += static_cast<std::uint64_t>(st.st_size);
  }
  Progress progress("read", options.progress);
  progress.SetTotal(options.files.size(), total);
  for (const auto& path : options.files) {
    SourceSummary s = ReadOne(path, options, pipeline, progress);
    if (!s.error.empty()) std::fprintf(stderr, "beffroi-net: %s\n", s.error.c_str());
    EmitSourceEvent(s, false, pipeline);
    summary.sources.push_back(std::move(s));
  }
  progress.Stop();
  pipeline.Finish();
  summary.pipeline = pipeline.Stats();
  summary.seconds = SecondsSince(start);
  return summary;
}

}  // namespace beffroi::net
