// Runner: drives the pipeline from pcap files or a live interface.
//
// ReadFiles() feeds every packet of each file to one Pipeline (flows continue across files,
// as with a capture rotated into parts) and hashes each input file for the chain of custody.
// A file that stops being readable part-way (a cut-off record, a length beyond any sane
// snapshot length) ends with an error naming the file and byte offset; what it yielded so far
// stays. CaptureLive() reads an interface until a deadline, a packet count or a signal, keeps
// the raw packets in rotated pcap files inside the bundle, reports kernel and interface drops,
// and can drop root privileges once the interface is open. Both write a `beffroi.capture`
// summary event per source. Used by beffroi-net and by `beffroi pcap`. Not thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agents/net/capture/pcap_source.h"
#include "agents/net/engine/pipeline.h"
#include "common/bundle.h"

namespace beffroi::net {

struct SourceSummary {
  std::string name;    // file path or "interface eth0"
  std::string sha256;  // files: of the whole input file
  std::uint64_t size = 0;
  std::string link_type;
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;  // captured bytes
  std::int64_t first_ns = 0, last_ns = 0;
  std::string error;         // empty when the source was read to its end
  CaptureCounters counters;  // live only
};

struct RunSummary {
  std::vector<SourceSummary> sources;
  nlohmann::json pipeline;  // Pipeline::Stats()
  double seconds = 0;
  bool ok() const;
  nlohmann::json ToJson() const;
};

struct ReadOptions {
  std::vector<std::string> files;
  bool progress = true;  // on a terminal only
  bool hash_inputs = true;
};

// Every file is tried; errors are in the summary (and on stderr as one line each).
RunSummary ReadFiles(const ReadOptions& options, Pipeline& pipeline, EvidenceSink& sink);

struct LiveCaptureOptions {
  LiveOptions live;
  double duration_seconds = 0;                        // 0: until a signal
  std::uint64_t max_packets = 0;                      // 0: no limit
  bool keep_raw = true;                               // raw packets into captures/ in the bundle
  std::uint64_t rotate_bytes = 256ull * 1024 * 1024;  // 0: never by size
  double rotate_seconds = 0;                          // 0: never by time
  std::string user;  // when root: switch to this account after opening the interface
  bool progress = true;
};

// Set by the caller's signal handler: the capture ends cleanly at the next packet or timeout.
extern std::atomic<bool> g_stop_capture;

Result<RunSummary> CaptureLive(const LiveCaptureOptions& options, Pipeline& pipeline,
                               EvidenceSink& sink, BundleWriter* bundle);

// The `beffroi.capture` event for one source (a file, or an interface).
void EmitSourceEvent(const SourceSummary& summary, bool live, Pipeline& pipeline);

// Switches to `user` (its uid, gid and supplementary groups) for good. Fails if it cannot, or
// if root could be regained afterwards.
Status DropPrivileges(const std::string& user, BundleWriter* bundle);

}  // namespace beffroi::net
