// Recorder: stores findings as detections and groups them into incidents, with an audit
// entry for every incident opened. Findings on the analysts' allowlist are dropped; a finding
// already stored counts as a new sighting of its detection (which reopens a closed incident,
// see Store::RecordResighting); incidents sharing an indicator with other hosts' incidents are
// linked into a campaign. Callers hold the store's transaction; the Recorder only
// issues writes. Not thread-safe: one Recorder per store connection, used under the caller's
// lock.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/correlate/correlate.h"
#include "analyzer/store/store.h"
#include "common/result.h"

namespace beffroi::cli {

struct RecordCounts {
  std::uint64_t findings = 0;        // everything matched, old or new
  std::uint64_t new_detections = 0;  // not seen before on this host
  std::uint64_t new_incidents = 0;
  std::uint64_t allowlisted = 0;         // dropped: an analyst marked the hash or path known-good
  std::uint64_t reopened_incidents = 0;  // closed incidents whose threat was found again
};

class Recorder {
 public:
  Recorder(store::Store& store, store::Who who, std::int64_t window_ns)
      : store_(store), who_(std::move(who)), window_ns_(window_ns) {}

  // `source` is "scan" or "bundle"; `source_id` the scan or bundle row.
  Status Record(std::int64_t host_id, const std::string& host_name,
                const std::vector<correlate::Finding>& findings, const std::string& source,
                std::int64_t source_id);
  const RecordCounts& counts() const { return counts_; }
  // When the evidence was collected (a bundle's end time); "" (the default) means now, as in
  // a local scan. A detection found again counts as seen at this time, and reopens its
  // incident if that is after the incident was closed.
  void set_collected_at(std::string at) { collected_at_ = std::move(at); }

 private:
  Result<std::int64_t> IncidentFor(std::int64_t host_id, const std::string& host_name,
                                   const correlate::Finding& finding);
  store::Store& store_;
  store::Who who_;
  std::int64_t window_ns_;
  std::string collected_at_;
  RecordCounts counts_;
};

}  // namespace beffroi::cli
