// AnomalySink: where protocol parsers report malformed input.
//
// Anomalies are data, not errors (zeek's "weird"): a parser that meets a malformed field
// reports a stable dotted name (`ip.truncated`, `dns.pointer_loop`,
// `tcp.segment_overlap_mismatch`) and a short detail, then carries on or gives up on that
// unit alone. The pipeline turns each report into an anomaly event with the packet's time
// and 5-tuple. Names are listed in docs/evidence-schema.md; never rename one. The sink is
// called only on the error path, so a virtual call costs nothing on clean traffic.
#pragma once

#include <string_view>

namespace beffroi::net {

class AnomalySink {
 public:
  virtual ~AnomalySink() = default;
  // `name` is a string literal; `detail` is only valid during the call.
  virtual void Report(std::string_view name, std::string_view detail) = 0;
};

// A sink that drops everything (fuzz targets, benchmarks of a single layer).
class NullAnomalySink final : public AnomalySink {
 public:
  void Report(std::string_view, std::string_view) override {}
};

}  // namespace beffroi::net
