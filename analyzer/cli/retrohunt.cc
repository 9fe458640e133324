#include "analyzer/cli/retrohunt.h"

#include <vector>

#include "analyzer/cli/observation_match.h"
#include "analyzer/store/feeds.h"

namespace beffroi::cli {
namespace {

struct Hit {
  std::int64_t host_id = 0;
  std::string host_name;
  std::string source;
  std::int64_t source_id = 0;
  std::vector<correlate::Finding> findings;
};

}  // namespace

Result<RetroHuntCounts> RetroHunt(store::Store& store, const ioc::IocSet& iocs,
                                  Recorder& recorder) {
  RetroHuntCounts counts;
  ObservationMatcher matcher(iocs);
  store::ObservationStore observations(store.db());
  // Hits are collected first and recorded once the reads are done: the recorder's writes
  // then never interleave with an open read of the table being hunted.
  std::vector<Hit> hits;
  for (const char* table : {"file", "net", "host"}) {
    std::uint64_t& seen = table[0] == 'f'   ? counts.files
                          : table[0] == 'n' ? counts.network
                                            : counts.host;
    Status s = observations.ForEach(table, [&](const store::ObservationView& v) {
      ++seen;
      auto found = matcher.Match(v);
      if (found.empty()) return;
      for (correlate::Finding& f : found)
        f.reasons["found_by"] = "retro-hunt";
      hits.push_back(Hit{v.host_id, v.host_name, v.source.empty() ? "bundle" : v.source,
                         v.source_id, std::move(found)});
    });
    if (!s.ok()) return s.error();
  }
  RecordCounts before = recorder.counts();
  for (const Hit& h : hits) {
    if (Status s = recorder.Record(h.host_id, h.host_name, h.findings, h.source, h.source_id);
        !s.ok()) {
      return s.error();
    }
  }
  const RecordCounts& after = recorder.counts();
  counts.findings = after.findings - before.findings;
  counts.new_detections = after.new_detections - before.new_detections;
  counts.new_incidents = after.new_incidents - before.new_incidents;
  return counts;
}

}  // namespace beffroi::cli
