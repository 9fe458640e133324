#include "agents/net/engine/pipeline.h"

#include <algorithm>

#include "agents/net/engine/flow_context.h"
#include "agents/net/engine/net_events.h"
#include "agents/net/engine/stats_json.h"
#include "common/text.h"

namespace beffroi::net {

// Decoder anomalies: the packet's time is known, its 5-tuple not (yet).
class Pipeline::PacketAnomalies final : public AnomalySink {
 public:
  explicit PacketAnomalies(Pipeline& pipeline) : pipeline_(pipeline) {}
  void Report(std::string_view name, std::string_view detail) override {
    pipeline_.ReportAnomaly(name, detail, nullptr, ts_ns);
  }
  std::int64_t ts_ns = 0;

 private:
  Pipeline& pipeline_;
};

Pipeline::Pipeline(EngineOptions options, EvidenceSink& sink)
    : options_(std::move(options)),
      evidence_(sink, options_.evidence_thread),
      decoder_(options_.decoder),
      flows_(options_.flows, [this](Flow& flow, EndReason reason) { OnFlowEnd(flow, reason); }),
      packet_anomalies_(std::make_unique<PacketAnomalies>(*this)) {}

Pipeline::~Pipeline() = default;

void Pipeline::OnFrame(int dlt, std::int64_t ts_ns, std::span<const std::uint8_t> frame,
                       std::uint32_t wire_length) {
  ++frames_;
  bytes_ += wire_length;
  // Capture time only moves forward for expiry, even when a merged file goes back a little.
  last_ts_ns_ = std::max(last_ts_ns_, ts_ns);
  packet_anomalies_->ts_ns = ts_ns;
  const DecodeOutcome outcome = decoder_.Decode(static_cast<std::uint32_t>(dlt), frame, wire_length,
                                                ts_ns, packet_, *packet_anomalies_);
  if (outcome == DecodeOutcome::kTransport || outcome == DecodeOutcome::kIpOther) {
    OnTransport(packet_);
  }
}

void Pipeline::OnTransport(Packet& packet) {
  flows_.ExpireUpTo(last_ts_ns_);
  Direction dir = Direction::kForward;
  Flow& flow = flows_.Track(packet.tuple, packet.ts_ns, packet.ip_length, packet.payload_length,
                            packet.tcp_flags, dir);
  if (!flow.state) flow.state = std::make_unique<FlowContext>(*this, flow);
  auto& ctx = static_cast<FlowContext&>(*flow.state);
  if (packet.tuple.protocol == kIpProtoTcp) {
    ctx.OnTcp(flow, dir, packet);
  } else if (packet.tuple.protocol == kIpProtoUdp) {
    ctx.OnUdp(dir, packet);
  }
}

void Pipeline::OnFlowEnd(Flow& flow, EndReason reason) {
  if (!flow.state) flow.state = std::make_unique<FlowContext>(*this, flow);
  static_cast<FlowContext&>(*flow.state).OnEnd(flow, reason);
  flow.state.reset();
}

void Pipeline::Finish() {
  flows_.EndAll();
  evidence_.Drain();
}

void Pipeline::Emit(Event& event, EventFinisher finish) {
  ++events_[event.dataset()];
  evidence_.Emit(std::move(event), std::move(finish));
}

ReassemblyBudget& Pipeline::reassembly_budget() {
  return flows_.reassembly_budget();
}

void Pipeline::ReportAnomaly(std::string_view name, std::string_view detail, const FiveTuple* tuple,
                             std::int64_t ts_ns) {
  auto it = anomalies_.find(name);
  if (it == anomalies_.end()) it = anomalies_.emplace(std::string(name), 0).first;
  if (++it->second > options_.anomaly_events_per_name) return;
  Event e = MakeAnomaly(name, detail);
  e.Set("@timestamp", FormatTimestampNs(ts_ns));
  e.Set("event.category", "network");
  if (tuple != nullptr) SetEndpoints(e, *tuple);
  if (it->second == options_.anomaly_events_per_name) {
    e.Set("beffroi.anomaly.last_reported", true);  // later ones are only counted
  }
  Emit(e);
}

bool Pipeline::ReserveSampleBytes(std::size_t n) {
  if (sample_bytes_in_use_ + n > options_.stream_sample_budget) {
    ++samples_cut_by_budget_;
    return false;
  }
  sample_bytes_in_use_ += n;
  return true;
}

void Pipeline::ReleaseSampleBytes(std::size_t n) {
  sample_bytes_in_use_ -= std::min<std::uint64_t>(n, sample_bytes_in_use_);
}

nlohmann::json Pipeline::Stats() const {
  nlohmann::json j;
  j["frames"] = frames_;
  j["wire_bytes"] = bytes_;
  j["decoder"] = DecoderStatsToJson(decoder_.stats());
  j["flows"] = FlowStatsToJson(flows_.stats());
  j["anomalies"] = anomalies_;
  j["events"] = events_;
  j["stream_samples_cut_by_budget"] = samples_cut_by_budget_;
  return j;
}

}  // namespace beffroi::net
