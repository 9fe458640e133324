// Retro-hunt: every stored observation (files, network records, processes, sockets,
// persistence entries) matched against newly imported indicators, hits recorded as
// detections with the observation's own time, so that an incident opened today starts when
// the city was actually hit ("seen in May, indicator learned in June").
//
// The observations are read once per table and matched in memory (ObservationMatcher: sorted
// hash arrays and hash sets), then the hits go through the Recorder like live findings.
// Detections are keyed as at ingest, so a second run (or a feed re-imported with one more
// indicator) adds only what is new. Runs inside the caller's transaction.
#pragma once

#include <cstdint>

#include "analyzer/cli/recorder.h"
#include "analyzer/ioc/ioc_set.h"
#include "analyzer/store/store.h"

namespace beffroi::cli {

struct RetroHuntCounts {
  std::uint64_t files = 0, network = 0, host = 0;  // observations read
  std::uint64_t findings = 0;
  std::uint64_t new_detections = 0;
  std::uint64_t new_incidents = 0;
};

Result<RetroHuntCounts> RetroHunt(store::Store& store, const ioc::IocSet& iocs, Recorder& recorder);

}  // namespace beffroi::cli
