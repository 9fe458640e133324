// FeedStore and ObservationStore: the tables of migration kSchemaFeeds (see migrations.cc),
// kept apart from Store so that IOC feeds, host observations, retro-hunts and search do not
// grow one class without end.
//
// FeedStore: imported IOC feed versions and their indicators. A feed is a name with versions;
// the current version is the one neither superseded nor removed, and only current versions
// keep indicators. ObservationStore: host observations (process, socket, persistence,
// anomaly) and the reads over every kind of observation that retro-hunts and `beffroi search`
// need. Both borrow the Store's Database (which must outlive them), bind every value, and
// leave transactions to the caller (each bulk insert is atomic on its own).
// Thread-compatible, like Database.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/store/sqlite.h"
#include "common/result.h"

namespace beffroi::store {

struct FeedRow {
  std::int64_t id = 0;
  std::string name{};
  std::int64_t version = 0;  // assigned by InsertFeed: 1, 2, ... per name
  std::string format{};
  std::string sources_json = "[]";
  std::string content_sha256{};
  std::string imported_at{};
  std::string imported_by{};
  std::int64_t indicator_count = 0;
  std::string counts_json = "{}";
  std::optional<std::int64_t> superseded_by{};
  std::optional<std::string> removed_at{};
  bool current() const { return !superseded_by && !removed_at; }
};

struct IndicatorRow {
  std::string type{};
  std::string value{};
  std::int64_t score = 0;
  std::string comment{};
  std::string techniques_json = "[]";
  std::optional<std::string> playbook{};
  std::string ref{};
};

class FeedStore {
 public:
  explicit FeedStore(Database& db) : db_(db) {}

  // The current version of the feed called `name`, if any.
  Result<std::optional<FeedRow>> FindCurrent(std::string_view name);
  // A current feed (of any name) with this content hash.
  Result<std::optional<FeedRow>> FindCurrentByContent(std::string_view content_sha256);
  // By id ("12") or by name (its current version, else its latest).
  Result<std::optional<FeedRow>> Find(std::string_view id_or_name);
  // Inserts a new version of row.name (version = last + 1); returns its id.
  Result<FeedRow> InsertFeed(FeedRow row);
  Status InsertIndicators(std::int64_t feed_id, const std::vector<IndicatorRow>& rows);
  // `old_id` is superseded by `new_id`; its indicators are deleted.
  Status Supersede(std::int64_t old_id, std::int64_t new_id);
  // Marks the feed removed at `at` and deletes its indicators.
  Status Remove(std::int64_t feed_id, std::string_view at);
  // Current feeds, or every version when `all`; by name, then version.
  Result<std::vector<FeedRow>> List(bool all);
  // Indicators of the current feeds (or of one feed), feed by feed.
  Status ForEachIndicator(std::optional<std::int64_t> feed_id,
                          const std::function<void(const FeedRow&, const IndicatorRow&)>& fn);

 private:
  Database& db_;
};

struct HostObservationRow {
  std::int64_t host_id = 0;
  std::int64_t bundle_id = 0;
  std::string kind{};  // process, socket, persistence, anomaly
  std::string observed_at{};
  std::optional<std::string> name{}, path{}, sha256{}, command_line{}, ip{};
  std::optional<std::int64_t> port{};
  std::optional<std::string> transport{}, detail{};
};

// One stored observation of any kind, as retro-hunts and search read it. Fields that do
// not apply are empty.
struct ObservationView {
  std::string table;  // "file", "net", "host"
  std::int64_t id = 0;
  std::int64_t host_id = 0;
  std::string host_name;
  std::string kind;  // file; dns, http, tls, flow; process, socket, persistence, anomaly
  std::string observed_at;
  std::string source;  // "bundle" or "scan"
  std::int64_t source_id = 0;
  std::string path, sha256, md5, sha1;  // file, process
  std::string mtime;                    // file: when its content last changed
  std::string src_ip, dst_ip, domain, url, ja3, ja4, user_agent;
  std::string name, command_line, ip;  // host observations
  std::int64_t src_port = 0, dst_port = 0, port = 0;
  std::string transport;
};

struct ObservationQuery {
  enum class Field { kHash, kDomain, kIp, kUrl, kJa3, kUserAgent };
  Field field = Field::kHash;
  std::string value;         // canonical: lower-case hash, domain, address
  bool subdomains = false;   // kDomain: also names under `value`
  std::string since, until;  // RFC 3339; "" for no bound
  std::int64_t limit = 0;    // 0: no limit
};

class ObservationStore {
 public:
  explicit ObservationStore(Database& db) : db_(db) {}

  Status InsertHostObservations(const std::vector<HostObservationRow>& rows);
  // Every observation of the given table ("file", "net" or "host"), in id order.
  Status ForEach(std::string_view table, const std::function<void(const ObservationView&)>& fn);
  // Observations whose field equals the query's value (for kIp: any address column).
  Result<std::vector<ObservationView>> Search(const ObservationQuery& query);
  // Every distinct address stored (network source and destination, host sockets): a CIDR
  // search filters these, then searches each match.
  Result<std::vector<std::string>> DistinctAddresses();
  // Rows per table, for reports and benchmarks.
  Result<std::int64_t> Count(std::string_view table);

 private:
  Database& db_;
};

}  // namespace beffroi::store
