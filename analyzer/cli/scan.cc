// `beffroi scan PATH...`: the host agent's walker and the matcher in one process. Each file is
// read once: the bytes go to the hashes and stay in memory for YARA. Files larger than
// --max-yara-size are hashed and IOC-matched but not given to YARA (reading them a second
// time, or mapping a file that may shrink under us, is worse than saying so). A rescan skips
// files whose device, inode, size, mtime, ctime and rule-set version are unchanged.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "agents/host/file_event.h"
#include "agents/host/file_reader.h"
#include "agents/host/options.h"
#include "agents/host/walker.h"
#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"
#include "analyzer/cli/matcher.h"
#include "analyzer/cli/parse.h"
#include "analyzer/cli/recorder.h"
#include "common/bounded_queue.h"
#include "common/file_type.h"
#include "common/fs.h"
#include "common/progress.h"
#include "common/text.h"

namespace po = boost::program_options;

namespace beffroi::cli {

namespace {

// Results are written in short transactions, so other commands can use the database too.
constexpr std::size_t kCommitEveryFiles = 500;
constexpr auto kCommitEvery = std::chrono::seconds(1);

struct ScanOptions {
  host::CollectOptions walk;  // scope, budgets and progress, shared with beffroi-host
  std::uint64_t max_yara_bytes = 64ULL << 20;
  bool rescan_all = false;
  std::int64_t window_ns = correlate::kDefaultWindowNs;
};

struct Counters {
  std::atomic<std::uint64_t> files_seen{0}, files_read{0}, files_unchanged{0}, bytes_read{0},
      yara_scans{0}, yara_cached{0}, too_large{0};
};

class ScanRun : public host::WalkSink {
 public:
  ScanRun(const ScanOptions& options, const Engine& engine, store::Store& store,
          std::int64_t host_id, std::string host_name, std::int64_t scan_id, store::Who who)
      : options_(options),
        engine_(engine),
        store_(store),
        host_id_(host_id),
        host_name_(std::move(host_name)),
        scan_id_(scan_id),
        recorder_(store, std::move(who), options.window_ns),
        progress_("scanning", options.walk.progress),
        throttle_(options.walk.max_cpu_percent, options.walk.max_read_mbps,
                  std::max(1u, std::thread::hardware_concurrency())),
        queue_(4096) {
    hashes_ = engine.hashes;
  }

  void OnFile(host::WalkItem item) override {
    counters_.files_seen.fetch_add(1);
    walk_bytes_.fetch_add(static_cast<std::uint64_t>(item.st.st_size));
    queue_.Push(std::move(item));
  }
  void OnSymlink(const std::string&, const struct stat&) override { Count(skipped_, "symlink"); }
  void OnSkip(std::string_view reason) override { Count(skipped_, reason); }
  void OnAnomaly(Event e) override { Count(anomalies_, e.GetString("beffroi.anomaly.name")); }
  bool Stopped() const override { return stop_.load(); }

  Status Run(const std::vector<std::string>& roots, unsigned threads) {
    if (auto s = Begin(); !s.ok()) return s;
    std::vector<std::thread> workers;
    for (unsigned i = 0; i < threads; ++i)
      workers.emplace_back([this] { Worker(); });
    host::Walker(options_.walk.scope).Walk(roots, *this);
    progress_.SetTotal(counters_.files_seen.load(), walk_bytes_.load());
    queue_.Close();
    for (auto& w : workers)
      w.join();
    progress_.Stop();
    std::lock_guard<std::mutex> lock(db_mu_);
    if (!fatal_.ok()) return fatal_;
    return CommitLocked(false);
  }

  nlohmann::json Summary() const {
    const RecordCounts& r = recorder_.counts();
    return {{"host", host_name_},
            {"scan_id", scan_id_},
            {"rule_set", engine_.rules->hash()},
            {"files_seen", counters_.files_seen.load()},
            {"files_read", counters_.files_read.load()},
            {"files_unchanged", counters_.files_unchanged.load()},
            {"bytes_read", counters_.bytes_read.load()},
            {"yara_scans", counters_.yara_scans.load()},
            {"yara_cached", counters_.yara_cached.load()},
            {"findings", r.findings},
            {"new_detections", r.new_detections},
            {"new_incidents", r.new_incidents},
            {"reopened_incidents", r.reopened_incidents},
            {"allowlisted", r.allowlisted},
            {"skipped", skipped_},
            {"anomalies", anomalies_}};
  }
  const RecordCounts& counts() const { return recorder_.counts(); }

 private:
  void Count(std::map<std::string, std::uint64_t>& m, std::string_view key) {
    std::lock_guard<std::mutex> lock(count_mu_);
    ++m[std::string(key)];
  }

  Status Begin() {
    std::lock_guard<std::mutex> lock(db_mu_);
    auto tx = store::Transaction::Begin(store_.db());
    if (!tx.ok()) return tx.error();
    tx_ = std::make_unique<store::Transaction>(std::move(tx).value());
    return OkStatus();
  }

  // Commits the running batch, and opens the next one unless this is the end.
  Status CommitLocked(bool reopen) {
    if (tx_) {
      if (auto s = tx_->Commit(); !s.ok()) return s;
      tx_.reset();
    }
    files_in_batch_ = 0;
    batch_start_ = std::chrono::steady_clock::now();
    if (!reopen) return OkStatus();
    auto tx = store::Transaction::Begin(store_.db());
    if (!tx.ok()) return tx.error();
    tx_ = std::make_unique<store::Transaction>(std::move(tx).value());
    return OkStatus();
  }

  // Called with db_mu_ held. Stops the walk and the workers: the results could not be kept.
  void Fatal(const Status& s) {
    if (fatal_.ok()) fatal_ = s;
    stop_.store(true);
  }

  void Worker() {
    try {
      auto matcher = FileMatcher::Create(engine_);
      if (!matcher.ok()) {
        std::lock_guard<std::mutex> lock(db_mu_);
        Fatal(matcher.error());
      } else {
        std::vector<std::uint8_t> chunk(kReadChunkSize);
        std::vector<std::uint8_t> content;
        while (!stop_.load()) {
          auto item = queue_.Pop();
          if (!item) break;
          Process(*item, **matcher, chunk, content);
        }
      }
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(db_mu_);
      Fatal(MakeError(ErrorCode::kInternal,
                      std::string("internal error in a scan thread: ") + e.what()));
    }
    while (queue_.Pop()) {
    }  // the walker must never block on a full queue
  }

  FileFacts Facts(const host::WalkItem& item) const {
    FileFacts f;
    f.path = item.path;
    f.owner = host::OwnerName(item.st.st_uid);
    f.observed_at =
        FormatTimestampNs(std::max(TimespecToNs(item.st.st_mtim), TimespecToNs(item.st.st_ctim)));
    return f;
  }

  // The unchanged path of a rescan: hashes and verdict from the cache, IOC lists re-applied
  // (they may have changed), nothing read.
  bool TryCached(const host::WalkItem& item, FileMatcher& matcher) {
    if (options_.rescan_all) return false;
    std::vector<correlate::Finding> findings;
    FileFacts facts = Facts(item);
    {
      std::lock_guard<std::mutex> lock(db_mu_);
      auto cached = store_.GetScanCache(host_id_, static_cast<std::int64_t>(item.st.st_dev),
                                        static_cast<std::int64_t>(item.st.st_ino));
      if (!cached.ok() || !cached->has_value()) return false;
      const store::ScanCacheRow& c = **cached;
      if (c.size != item.st.st_size || c.mtime_ns != TimespecToNs(item.st.st_mtim) ||
          c.ctime_ns != TimespecToNs(item.st.st_ctim) || c.ruleset_hash != engine_.rules->hash() ||
          ((hashes_ & kMd5) && c.md5.value_or("").empty()) ||
          ((hashes_ & kSha1) && c.sha1.value_or("").empty())) {
        return false;
      }
      facts.digests = Digests{c.md5.value_or(""), c.sha1.value_or(""), c.sha256};
      auto verdict = store_.GetVerdict(c.sha256, VerdictKey(engine_, MakeExternals(facts)));
      if (!verdict.ok() || !verdict->has_value()) return false;
      findings = matcher.FindingsFromVerdict(**verdict, facts);
    }
    auto iocs = matcher.MatchIocs(facts);
    findings.insert(findings.end(), iocs.begin(), iocs.end());
    counters_.files_unchanged.fetch_add(1);
    progress_.Add(1, 0);
    Store(item, facts, findings, /*observed=*/false, "", std::nullopt, /*cacheable=*/false);
    return true;
  }

  void Process(const host::WalkItem& item, FileMatcher& matcher, std::vector<std::uint8_t>& chunk,
               std::vector<std::uint8_t>& content) {
    if (TryCached(item, matcher)) return;
    auto size = static_cast<std::uint64_t>(item.st.st_size);
    if (options_.walk.max_file_size != 0 && size > options_.walk.max_file_size) {
      counters_.too_large.fetch_add(1);
      Count(skipped_, "too_large");
      progress_.Add(1, 0);
      return;
    }
    // Buffered for YARA up to the limit, whatever size the file had when it was listed: a file
    // that grows while queued cannot make a worker hold gigabytes.
    bool for_yara = size <= options_.max_yara_bytes;
    content.clear();
    MultiHasher hasher(hashes_);
    std::vector<std::uint8_t> head;
    host::ReadOutcome out = host::ReadEvidenceFile(
        item, chunk,
        [&](std::span<const std::uint8_t> c) {
          hasher.Update(c);
          if (head.size() < kFileTypeProbeBytes) {
            head.insert(head.end(), c.begin(),
                        c.begin() + static_cast<std::ptrdiff_t>(
                                        std::min(c.size(), kFileTypeProbeBytes - head.size())));
          }
          if (for_yara && content.size() + c.size() > options_.max_yara_bytes) {
            for_yara = false;
            content.clear();
            content.shrink_to_fit();
          }
          if (for_yara) content.insert(content.end(), c.begin(), c.end());
          progress_.Add(0, c.size());
        },
        &throttle_);
    progress_.Add(1, 0);
    if (!out.ok) {
      Count(anomalies_, out.anomaly);
      return;
    }
    counters_.files_read.fetch_add(1);
    counters_.bytes_read.fetch_add(out.bytes_read);
    // Describe the version that was read, not the one that was listed.
    host::WalkItem read{item.path, out.st};
    FileFacts facts = Facts(read);
    facts.digests = hasher.Finish();
    facts.magic = std::string(DetectFileType(head));
    yara::Externals ex = MakeExternals(facts);
    std::string key = VerdictKey(engine_, ex);
    std::optional<std::string> verdict, fresh;
    if (!for_yara) {
      Count(anomalies_, "yara.skipped_too_large");
    } else {
      {
        std::lock_guard<std::mutex> lock(db_mu_);
        auto v = store_.GetVerdict(facts.digests.sha256, key);
        if (v.ok() && v->has_value()) verdict = **v;
      }
      if (verdict) {
        counters_.yara_cached.fetch_add(1);
      } else {
        Result<yara::ScanResult> result = matcher.ScanBuffer(content, ex);
        if (!result.ok()) {
          Count(anomalies_, "yara.scan_failed");
        } else {
          counters_.yara_scans.fetch_add(1);
          verdict = FileMatcher::VerdictJson(*result);
          if (result->timed_out) Count(anomalies_, "yara.timeout");
          if (result->match_cap_reached) Count(anomalies_, "yara.match_cap_reached");
          // An incomplete verdict is not cached: the next scan tries again.
          if (!result->timed_out && !result->match_cap_reached) fresh = verdict;
        }
      }
    }
    std::vector<correlate::Finding> findings;
    if (verdict) findings = matcher.FindingsFromVerdict(*verdict, facts);
    auto iocs = matcher.MatchIocs(facts);
    findings.insert(findings.end(), iocs.begin(), iocs.end());
    Store(read, facts, findings, /*observed=*/true, key, fresh,
          /*cacheable=*/for_yara && verdict.has_value());
  }

  // `observed`: the file was read (record the observation); `fresh`: a verdict to cache;
  // `cacheable`: later scans may skip this file while it stays unchanged.
  void Store(const host::WalkItem& item, const FileFacts& facts,
             const std::vector<correlate::Finding>& findings, bool observed,
             const std::string& verdict_key, const std::optional<std::string>& fresh,
             bool cacheable) {
    std::lock_guard<std::mutex> lock(db_mu_);
    if (!fatal_.ok()) return;
    std::string now = NowTimestamp();
    if (fresh) {
      if (auto s = store_.PutVerdict(facts.digests.sha256, verdict_key, *fresh, now); !s.ok())
        return Fatal(s);
    }
    if (observed) {
      store::FileObservationRow obs;
      obs.host_id = host_id_;
      obs.scan_id = scan_id_;
      obs.path = facts.path;
      obs.size = item.st.st_size;
      obs.sha256 = facts.digests.sha256;
      if (!facts.digests.md5.empty()) obs.md5 = facts.digests.md5;
      if (!facts.digests.sha1.empty()) obs.sha1 = facts.digests.sha1;
      obs.mtime = FormatTimestamp(item.st.st_mtim);
      obs.magic = facts.magic;
      obs.observed_at = now;
      if (auto s = store_.InsertFileObservations({obs}); !s.ok()) return Fatal(s);
    }
    if (observed && cacheable) {
      store::ScanCacheRow c;
      c.host_id = host_id_;
      c.device = static_cast<std::int64_t>(item.st.st_dev);
      c.inode = static_cast<std::int64_t>(item.st.st_ino);
      c.size = item.st.st_size;
      c.mtime_ns = TimespecToNs(item.st.st_mtim);
      c.ctime_ns = TimespecToNs(item.st.st_ctim);
      c.ruleset_hash = engine_.rules->hash();
      c.sha256 = facts.digests.sha256;
      if (!facts.digests.md5.empty()) c.md5 = facts.digests.md5;
      if (!facts.digests.sha1.empty()) c.sha1 = facts.digests.sha1;
      if (auto s = store_.PutScanCache(c); !s.ok()) return Fatal(s);
    }
    if (auto s = recorder_.Record(host_id_, host_name_, findings, "scan", scan_id_); !s.ok())
      return Fatal(s);
    if (++files_in_batch_ >= kCommitEveryFiles ||
        std::chrono::steady_clock::now() - batch_start_ >= kCommitEvery) {
      if (auto s = CommitLocked(true); !s.ok()) return Fatal(s);
    }
  }

  const ScanOptions& options_;
  const Engine& engine_;
  store::Store& store_;
  std::int64_t host_id_;
  std::string host_name_;
  std::int64_t scan_id_;
  unsigned hashes_ = kSha256;
  Recorder recorder_;
  Progress progress_;
  host::Throttle throttle_;
  BoundedQueue<host::WalkItem> queue_;
  Counters counters_;
  std::atomic<std::uint64_t> walk_bytes_{0};
  std::mutex count_mu_;
  std::map<std::string, std::uint64_t> skipped_, anomalies_;
  std::mutex db_mu_;  // the store (one SQLite connection) and the open transaction
  std::unique_ptr<store::Transaction> tx_;
  std::size_t files_in_batch_ = 0;
  std::chrono::steady_clock::time_point batch_start_ = std::chrono::steady_clock::now();
  Status fatal_;
  std::atomic<bool> stop_{false};
};

std::string LocalHostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return ToValidUtf8(buf);
}

void PrintSummary(const nlohmann::json& s) {
  std::printf("Scanned %llu files on %s (%llu read, %llu unchanged since the last scan)\n",
              s["files_seen"].get<unsigned long long>(), s["host"].get<std::string>().c_str(),
              s["files_read"].get<unsigned long long>(),
              s["files_unchanged"].get<unsigned long long>());
  std::printf("Findings: %llu (%llu new detections, %llu new incidents)\n",
              s["findings"].get<unsigned long long>(),
              s["new_detections"].get<unsigned long long>(),
              s["new_incidents"].get<unsigned long long>());
  for (const char* key : {"skipped", "anomalies"}) {
    if (s[key].empty()) continue;
    std::printf("%s:", key);
    for (const auto& [k, v] : s[key].items())
      std::printf(" %s=%llu", k.c_str(), v.get<unsigned long long>());
    std::printf("\n");
  }
  if (s["findings"].get<unsigned long long>() > 0) {
    std::printf("See them with: beffroi incidents list\n");
  }
}

}  // namespace

int RunScan(const Args& args, const Args& argv_all) {
  EngineFlags engine_flags;
  host::WalkFlags walk_flags;
  std::vector<std::string> paths;
  bool json = false, rescan_all = false;
  double window_hours = 72;
  std::string max_yara = "64M";
  po::options_description desc("beffroi scan PATH... [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json),
                                                 "print the summary as JSON")(
      "rescan-all", po::bool_switch(&rescan_all), "read every file again, even unchanged ones")(
      "window", po::value(&window_hours)->default_value(window_hours),
      "hours within which findings of one threat on one host form one incident")(
      "max-yara-size", po::value(&max_yara)->default_value(max_yara),
      "larger files are hashed and IOC-matched but not YARA-scanned");
  AddDbFlag(desc, engine_flags);
  AddEngineFlags(desc, engine_flags);
  host::AddWalkFlags(desc, walk_flags);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "path", -1, &paths, "scan", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc << "\nExample:\n  beffroi scan /srv/shares --db /var/lib/beffroi/city.db\n";
    return kExitOk;
  }
  if (paths.empty()) return Fail("scan", "give at least one PATH", kExitUsage);
  ScanOptions options;
  options.rescan_all = rescan_all;
  options.window_ns = static_cast<std::int64_t>(window_hours * 3600e9);
  if (auto s = host::ApplyWalkFlags(walk_flags, options.walk); !s.ok())
    return Fail("scan", s.error().message, kExitUsage);
  if (json) options.walk.progress = false;
  if (auto s = ValidateEngineFlags(engine_flags, window_hours); !s.ok())
    return Fail("scan", s.error().message, kExitUsage);
  auto yara_size = ParseByteSize(max_yara);
  if (!yara_size || *yara_size == 0)
    return Fail("scan", "--max-yara-size: a size such as 64M", kExitUsage);
  options.max_yara_bytes = *yara_size;
  // Never scan our own database while writing it.
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::error_code ec;
    auto path =
        std::filesystem::weakly_canonical(std::filesystem::absolute(engine_flags.db + suffix), ec);
    if (!ec) options.walk.scope.excludes.push_back(path.string());
  }

  auto engine = LoadEngine(engine_flags);
  if (!engine.ok()) return Fail("scan", engine.error().message, EngineErrorExit(engine.error()));
  for (const std::string& w : (*engine)->warnings)
    std::fprintf(stderr, "beffroi: warning: %s\n", w.c_str());
  auto store = OpenStore(engine_flags);
  if (!store.ok()) return Fail("scan", store.error().message);

  std::string actor = Actor(engine_flags);
  std::string host_name = LocalHostName();
  std::string now = NowTimestamp();
  auto host_id = (*store)->UpsertHost(host_name, "", now);
  if (!host_id.ok()) return Fail("scan", host_id.error().message);
  store::ScanRow row;
  row.host_id = *host_id;
  row.started = now;
  row.roots_json = Dump(nlohmann::json(paths));
  row.ruleset_hash = (*engine)->rules->hash();
  row.actor = actor;
  auto scan_id = (*store)->BeginScan(row);
  if (!scan_id.ok()) return Fail("scan", scan_id.error().message);
  (void)(*store)->AppendAudit(WhoIs(engine_flags), "scan.started", "scan", *scan_id,
                              Dump(nlohmann::json{{"command_line", argv_all}}), now);

  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  unsigned threads = walk_flags.threads != 0 ? walk_flags.threads : std::min(cores, 8u);
  ScanRun run(options, **engine, **store, *host_id, host_name, *scan_id, WhoIs(engine_flags));
  Status status = run.Run(paths, threads);
  nlohmann::json summary = run.Summary();
  if (!status.ok())
    return Fail("scan", status.error().message + " (the scan's last batch was rolled back)");
  std::string ended = NowTimestamp();
  (void)(*store)->FinishScan(*scan_id, ended, summary["files_seen"].get<std::int64_t>(),
                             summary["files_read"].get<std::int64_t>(),
                             static_cast<std::int64_t>(run.counts().findings));
  (void)(*store)->AppendAudit(WhoIs(engine_flags), "scan.finished", "scan", *scan_id, Dump(summary),
                              ended);
  if (json) {
    std::cout << Dump(summary, 2) << "\n";
  } else {
    PrintSummary(summary);
  }
  return run.counts().findings > 0 ? kExitDetections : kExitOk;
}

}  // namespace beffroi::cli
