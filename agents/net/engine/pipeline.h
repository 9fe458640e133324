// Pipeline: one captured frame in, evidence events and payload samples out.
//
// For each frame: decode link/IP/transport (packet/), track the flow and reassemble TCP
// (flow/), hand the in-order bytes of each direction to the protocol parser that fits (DNS,
// HTTP, TLS), keep the first bytes of each direction as a stream sample, and write flow, DNS,
// HTTP, TLS and anomaly events to an EvidenceSink. Everything is bounded: flows, reassembly
// buffers, sample buffers, anomaly events per name. Timestamps are capture time; the wall
// clock is never read. One packet thread drives a Pipeline (one per capture); the sink is
// called from the pipeline's evidence thread (EvidenceQueue), and holds everything once
// Finish() has returned.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "agents/net/engine/evidence.h"
#include "agents/net/engine/evidence_queue.h"
#include "agents/net/flow/flow_table.h"
#include "agents/net/packet/decoder.h"

namespace beffroi::net {

struct EngineOptions {
  // First bytes of each direction of each TCP stream and UDP flow kept as a sample (0: none).
  std::size_t stream_sample_bytes = 64 * 1024;
  // Every stream sample buffer together; past it, samples are cut short where they are.
  std::size_t stream_sample_budget = 128 * 1024 * 1024;
  // DNS and TLS flows are parsed into events (and TLS past its handshake is ciphertext): by
  // default they keep no stream sample. True keeps one for them too.
  bool sample_parsed_flows = false;
  bool http_bodies = true;  // complete HTTP bodies become file samples
  std::uint64_t http_body_max_bytes = 64 * 1024 * 1024;
  bool flow_events = true;
  // Anomaly events per name written in full; the rest are counted in the statistics.
  std::uint64_t anomaly_events_per_name = 1000;
  // Events and samples reach the sink on an evidence thread of their own (EvidenceQueue), so
  // hashing and writing overlap packet decoding. False: on the packet thread, as they come.
  bool evidence_thread = true;
  FlowLimits flows;
  DecoderLimits decoder;
};

class FlowContext;

class Pipeline {
 public:
  Pipeline(EngineOptions options, EvidenceSink& sink);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // `dlt` as pcap_datalink() returns it; `frame` is the captured bytes.
  void OnFrame(int dlt, std::int64_t ts_ns, std::span<const std::uint8_t> frame,
               std::uint32_t wire_length);
  // Ends every flow (end of capture) and waits until the sink has every event and sample.
  void Finish();

  // Counters for the capture summary and the manifest.
  nlohmann::json Stats() const;
  std::uint64_t frames() const { return frames_; }

  // Used by FlowContext.
  EvidenceQueue& evidence() { return evidence_; }
  const EngineOptions& options() const { return options_; }
  void ReportAnomaly(std::string_view name, std::string_view detail, const FiveTuple* tuple,
                     std::int64_t ts_ns);
  // Counts the event and queues it (moved from); `finish` fills in sample results (see
  // EvidenceQueue).
  void Emit(Event& event, EventFinisher finish = nullptr);
  ReassemblyBudget& reassembly_budget();
  bool ReserveSampleBytes(std::size_t n);
  void ReleaseSampleBytes(std::size_t n);

 private:
  class PacketAnomalies;
  void OnTransport(Packet& packet);
  void OnFlowEnd(Flow& flow, EndReason reason);

  EngineOptions options_;
  EvidenceQueue evidence_;  // before flows_: flows hand it their samples until they are gone
  Decoder decoder_;
  FlowTable flows_;
  std::unique_ptr<PacketAnomalies> packet_anomalies_;
  Packet packet_;  // reused for every frame
  std::int64_t last_ts_ns_ = 0;
  std::uint64_t frames_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t sample_bytes_in_use_ = 0;
  std::uint64_t samples_cut_by_budget_ = 0;
  std::map<std::string, std::uint64_t, std::less<>> anomalies_;
  std::map<std::string, std::uint64_t, std::less<>> events_;
};

}  // namespace beffroi::net
