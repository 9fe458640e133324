// ObservationMatcher: IOC matching of observations, whether they arrive in a bundle now or
// were stored long ago and a new feed is being retro-hunted. One code path for both, so a
// retro-hunt finds exactly what ingest would have found, under the same detection keys (and
// a re-run finds nothing new).
//
// - file: hashes and path (the IocSet's file matching, allowlist included);
// - process: the executable's SHA-256 and path, as the file would be, under the locator
//   "process:EXECUTABLE";
// - persistence: the file the entry lives in, and its command text: absolute paths in it
//   against filename IOCs, URLs, domains and addresses in it against network IOCs;
// - socket: its local (and remote, when known) public address against address IOCs;
// - net: the conversation's public addresses, domain, URL, JA3/JA4, user agent and payload
//   hash, under the same locators NetIngest uses.
// Findings carry the observation's own time. Borrows the IocSet; const use is thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analyzer/correlate/correlate.h"
#include "analyzer/ioc/ioc_set.h"
#include "analyzer/ioc/network_matcher.h"
#include "analyzer/store/feeds.h"
#include "common/event.h"

namespace beffroi::cli {

class ObservationMatcher {
 public:
  explicit ObservationMatcher(const ioc::IocSet& iocs) : iocs_(iocs), network_(iocs.network()) {}

  std::vector<correlate::Finding> Match(const store::ObservationView& v) const;

 private:
  std::vector<correlate::Finding> MatchFile(const store::ObservationView& v) const;
  std::vector<correlate::Finding> MatchNet(const store::ObservationView& v) const;
  std::vector<correlate::Finding> MatchHost(const store::ObservationView& v) const;
  void Network(const std::string& field, const std::string& locator,
               const store::ObservationView& v, std::vector<ioc::NetworkHit>& hits,
               std::vector<correlate::Finding>& out) const;

  const ioc::IocSet& iocs_;
  ioc::NetworkMatcher network_;
};

// The host observation a beffroi.process / .socket / .persistence / .anomaly event makes, or
// nothing for other events.
std::optional<store::HostObservationRow> HostObservationFromEvent(const Event& e,
                                                                  std::int64_t host_id,
                                                                  std::int64_t bundle_id);
// The view ObservationMatcher reads, for an observation not stored yet.
store::ObservationView ViewOf(const store::HostObservationRow& row, const std::string& host_name);

// Words of a shell command line (split at blanks and at | ; & < > ( ) ` ' " =), at most 256.
std::vector<std::string> CommandWords(std::string_view command_line);

}  // namespace beffroi::cli
