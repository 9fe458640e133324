#include "agents/host/collector.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "agents/host/file_event.h"
#include "agents/host/file_reader.h"
#include "agents/host/throttle.h"
#include "common/bounded_queue.h"
#include "common/bundle.h"
#include "common/file_type.h"
#include "common/fs.h"
#include "common/identity.h"
#include "common/progress.h"
#include "common/text.h"

namespace beffroi::host {

namespace {

constexpr std::size_t kQueueCapacity = 4096;
constexpr unsigned kMaxDefaultThreads = 8;

// Stamps every event with who collected it, so events keep their origin outside the bundle.
class Stamper {
 public:
  Stamper(std::string host, std::string host_id, std::string agent_id)
      : host_(std::move(host)), host_id_(std::move(host_id)), agent_id_(std::move(agent_id)) {}
  void operator()(Event& e) const {
    e.Set("host.name", host_);
    if (!host_id_.empty()) e.Set("host.id", host_id_);
    e.Set("agent.type", "beffroi-host");
    e.Set("agent.version", BEFFROI_VERSION);
    e.Set("agent.id", agent_id_);
  }

 private:
  std::string host_, host_id_, agent_id_;
};

// Shared state of one collection: the sink of the walker and the work of the readers.
class Collection : public WalkSink {
 public:
  Collection(const CollectOptions& options, BundleWriter& bundle, const Stamper& stamp,
             Progress& progress, Throttle& throttle)
      : options_(options),
        bundle_(bundle),
        stamp_(stamp),
        progress_(progress),
        throttle_(throttle),
        policy_(options.samples),
        queue_(kQueueCapacity) {}

  void OnFile(WalkItem item) override {
    files_seen_.fetch_add(1);
    walk_bytes_.fetch_add(static_cast<std::uint64_t>(item.st.st_size));
    queue_.Push(std::move(item));
  }
  void OnSymlink(const std::string& path, const struct stat& st) override {
    symlinks_.fetch_add(1);
    Emit(SymlinkEvent(path, st, options_.symlink_targets));
  }
  void OnSkip(std::string_view reason) override { Count(skipped_, reason); }
  void OnAnomaly(Event event) override {
    Count(anomalies_, event.GetString("beffroi.anomaly.name"));
    Emit(std::move(event));
  }
  void OnDirectory() override { directories_.fetch_add(1); }

  void Emit(Event event) {
    stamp_(event);
    if (auto s = bundle_.events().Write(event); !s.ok()) RecordFatal(s.error().message);
  }
  // A fatal error (the bundle cannot be written) stops the walk and the workers: carrying on
  // for hours only to throw the bundle away would waste the responder's time.
  void RecordFatal(const std::string& message) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (fatal_.empty()) fatal_ = message;
    }
    stop_.store(true);
  }
  bool Stopped() const override { return stop_.load(); }

  void Worker() {
    try {
      std::vector<std::uint8_t> buffer(kReadChunkSize);
      MultiHasher hasher(options_.hashes);
      while (auto item = queue_.Pop()) {
        if (!stop_.load()) ProcessFile(*item, buffer, hasher);
      }
    } catch (const std::exception& e) {
      RecordFatal(std::string("internal error in a reader thread: ") + e.what());
      while (queue_.Pop()) {
      }  // keep draining so the walker never blocks on a full queue
    }
  }
  void CloseQueue() { queue_.Close(); }
  void WalkFinished() { progress_.SetTotal(files_seen_.load(), walk_bytes_.load()); }

  void Fill(CollectSummary& s) {
    std::lock_guard<std::mutex> lock(mu_);
    s.files_seen = files_seen_;
    s.files_hashed = files_hashed_;
    s.bytes_hashed = bytes_hashed_;
    s.directories = directories_;
    s.symlinks = symlinks_;
    s.skipped = skipped_;
    s.anomalies = anomalies_;
    s.samples_duplicate = samples_duplicate_;
    s.sample_budget_skips = policy_.budget_skips();
  }
  std::string fatal() {
    std::lock_guard<std::mutex> lock(mu_);
    return fatal_;
  }

 private:
  struct SampleCopy {
    SampleChoice choice;
    std::optional<PartialSample> partial;
    std::uint64_t reserved = 0;
    bool failed = false;
    MacroMarkerScanner markers;
  };

  void Count(std::map<std::string, std::uint64_t>& counts, std::string_view key) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts[std::string(key)];
  }

  void Anomaly(std::string_view name, const std::string& path, const std::string& message) {
    Event e = MakeAnomaly(name, message);
    e.Set("file.path", path);
    OnAnomaly(std::move(e));
  }

  void StartSample(SampleCopy& copy, std::uint64_t size) {
    if (samples_disabled_.load() || !policy_.ReserveBudget(size)) {
      copy.choice = {};
      return;
    }
    copy.reserved = size;
    auto partial = bundle_.NewPartialSample();
    if (!partial.ok()) {
      SampleFailure(partial.error().message);
      policy_.ReleaseBudget(size);
      copy.choice = {};
      return;
    }
    copy.partial = std::move(partial).value();
  }

  // A sample that cannot be written (a full USB stick) must not cost the rest of the evidence:
  // sampling stops, hashing and metadata go on.
  void SampleFailure(const std::string& message) {
    if (!samples_disabled_.exchange(true)) {
      OnAnomaly(MakeAnomaly("sample.write_failed", message + "; no further samples are copied"));
    }
  }

  void FinishSample(SampleCopy& copy, bool read_ok, const std::string& sha256, std::uint64_t bytes,
                    Event& event) {
    if (!copy.partial) return;
    PartialSample partial = std::move(*copy.partial);
    copy.partial.reset();
    policy_.ReleaseBudget(copy.reserved);
    bool keep = read_ok && !copy.failed && !sha256.empty() &&
                (copy.choice.decision == SampleDecision::kYes || copy.markers.found());
    // The file may have grown since it was listed: the budget counts what was copied.
    if (keep && !policy_.ReserveBudget(bytes)) keep = false;
    if (keep) {
      int fd = partial.fd.release();
      bool durable = ::fchmod(fd, 0440) == 0 && ::fsync(fd) == 0;  // samples are never executable
      if (::close(fd) != 0 || !durable) {
        SampleFailure("write sample " + partial.name + ": " + std::strerror(errno));
        keep = false;
      }
    } else if (copy.failed) {
      SampleFailure("write sample " + partial.name + " for " + event.GetString("file.path"));
    }
    if (!keep) {
      bundle_.DiscardSample(partial);
      return;
    }
    auto stored = bundle_.CommitSample(partial, sha256, bytes);
    if (!stored.ok()) {
      policy_.ReleaseBudget(bytes);
      SampleFailure(stored.error().message);
      return;
    }
    if (!*stored) {
      policy_.ReleaseBudget(bytes);  // the same content is already in the bundle
      std::lock_guard<std::mutex> lock(mu_);
      ++samples_duplicate_;
    }
    event.Set("beffroi.sample.path", std::string(kSamplesDir) + "/" + sha256);
    event.Set("beffroi.sample.reason", copy.choice.reason);
  }

  void ProcessFile(const WalkItem& item, std::vector<std::uint8_t>& buffer, MultiHasher& hasher) {
    throttle_.OnRead(0);  // CPU spent on metadata, JSON and empty files counts too
    Event event = FileEvent(item.path, item.st);
    if (!IsValidUtf8(item.path)) {
      Anomaly("file.name_not_utf8", ToValidUtf8(item.path),
              "file name is not valid UTF-8; raw bytes kept in beffroi.file.path_hex");
    }
    if (LooksSparse(item.st)) {
      Anomaly("file.sparse", item.path,
              "sparse file: " + std::to_string(item.st.st_size) + " bytes, " +
                  std::to_string(static_cast<std::uint64_t>(item.st.st_blocks) * 512) +
                  " allocated");
    }
    auto size = static_cast<std::uint64_t>(item.st.st_size);
    if (options_.max_file_size != 0 && size > options_.max_file_size) {
      OnSkip("too_large");
      event.Set("beffroi.file.hash_skipped", "too_large");
      Emit(std::move(event));
      progress_.Add(1, 0);
      return;
    }
    bool first = true;
    std::size_t entropy_bytes = 0;
    std::vector<std::uint8_t> head;
    SampleCopy copy;
    std::string name(BaseName(item.path));
    auto consume = [&](std::span<const std::uint8_t> chunk) {
      hasher.Update(chunk);
      if (first) {
        first = false;
        std::string_view magic = DetectFileType(chunk);
        event.Set("beffroi.file.magic", magic);
        if (auto mime = MimeTypeFor(magic); !mime.empty()) event.Set("file.mime_type", mime);
        copy.choice = policy_.Decide(name, LowerExtension(name), magic, size,
                                     TimespecToNs(item.st.st_mtim), TimespecToNs(item.st.st_ctim));
        if (copy.choice.decision != SampleDecision::kNo) StartSample(copy, size);
      }
      if (entropy_bytes < kEntropyBlockBytes) {
        std::size_t take = std::min(chunk.size(), kEntropyBlockBytes - entropy_bytes);
        head.insert(head.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(take));
        entropy_bytes += take;
      }
      if (copy.partial && !copy.failed) {
        if (copy.choice.decision == SampleDecision::kIfMacroMarker) copy.markers.Feed(chunk);
        if (!WriteAll(copy.partial->fd.get(), chunk.data(), chunk.size(), copy.partial->name)
                 .ok()) {
          copy.failed = true;
        }
      }
      progress_.Add(0, chunk.size());
    };
    ReadOutcome outcome = ReadEvidenceFile(item, buffer, consume, &throttle_);
    Digests digests = hasher.Finish();
    progress_.Add(1, 0);
    if (outcome.ok && digests.sha256.empty()) {
      outcome.ok = false;
      outcome.anomaly = "file.hash_failed";
      outcome.message = "the hash library failed on " + item.path;
    }
    if (!outcome.ok) {
      FinishSample(copy, false, digests.sha256, outcome.bytes_read, event);
      std::string reason = outcome.anomaly.substr(outcome.anomaly.find('.') + 1);
      Anomaly(outcome.anomaly, item.path, outcome.message);
      OnSkip(reason);
      // What the walker saw is still evidence that the file existed, with these attributes.
      event.Set("beffroi.file.hash_skipped", reason);
      Emit(std::move(event));
      return;
    }
    if (!SameVersion(item.st, outcome.st)) {
      // Changed between listing and opening: describe the version that was hashed.
      Event fresh = FileEvent(item.path, outcome.st);
      for (const char* key : {"beffroi.file.magic", "file.mime_type"}) {
        if (const auto* v = event.Find(key)) fresh.SetJson(key, *v);
      }
      fresh.Set("beffroi.file.changed_before_read", true);
      event = std::move(fresh);
    }
    if (first) {  // empty file: no chunk was seen
      event.Set("beffroi.file.magic", "empty");
      copy.choice = {};
    }
    event.Set("beffroi.file.entropy", ShannonEntropy(head));
    event.Set("file.hash.sha256", digests.sha256);
    if (!digests.sha1.empty()) event.Set("file.hash.sha1", digests.sha1);
    if (!digests.md5.empty()) event.Set("file.hash.md5", digests.md5);
    FinishSample(copy, true, digests.sha256, outcome.bytes_read, event);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++files_hashed_;
      bytes_hashed_ += outcome.bytes_read;
    }
    Emit(std::move(event));
  }

  static bool SameVersion(const struct stat& a, const struct stat& b) {
    return a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
           a.st_mtim.tv_nsec == b.st_mtim.tv_nsec && a.st_ctim.tv_sec == b.st_ctim.tv_sec &&
           a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
  }

  const CollectOptions& options_;
  BundleWriter& bundle_;
  const Stamper& stamp_;
  Progress& progress_;
  Throttle& throttle_;
  SamplePolicy policy_;
  BoundedQueue<WalkItem> queue_;

  std::atomic<std::uint64_t> files_seen_{0}, walk_bytes_{0}, symlinks_{0}, directories_{0};
  std::mutex mu_;
  std::uint64_t files_hashed_ = 0, bytes_hashed_ = 0, samples_duplicate_ = 0;
  std::map<std::string, std::uint64_t> skipped_, anomalies_;
  std::string fatal_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> samples_disabled_{false};
};

bool IsInside(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

std::string Canonical(const std::string& p) {
  std::error_code ec;
  auto c = std::filesystem::weakly_canonical(std::filesystem::absolute(p, ec), ec);
  return ec ? p : c.string();
}

}  // namespace

Status ValidateCollectOptions(const CollectOptions& options) {
  if (options.roots.empty()) return MakeError(ErrorCode::kInvalidArgument, "no path to collect");
  if (options.out.empty()) return MakeError(ErrorCode::kInvalidArgument, "--out is required");
  // The sample copy needs SHA-256 to name the file; the manifest needs it anyway.
  if (!(options.hashes & kSha256)) {
    return MakeError(ErrorCode::kInvalidArgument, "sha256 cannot be turned off");
  }
  std::string out = Canonical(options.out);
  std::string out_parent = std::filesystem::path(out).parent_path().string();
  struct stat out_st {};
  bool out_known = ::stat(out_parent.c_str(), &out_st) == 0;
  for (const std::string& r : options.roots) {
    std::string root = Canonical(r);
    struct stat root_st {};
    if (::stat(root.c_str(), &root_st) != 0) continue;  // reported as an anomaly by the walk
    bool same_fs = !out_known || out_st.st_dev == root_st.st_dev || options.scope.cross_mounts;
    if (IsInside(out, root) && same_fs) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "--out " + options.out + " lies inside the scanned path " + r +
                           ": write evidence elsewhere (another disk or a USB stick), "
                           "never into what is being examined");
    }
  }
  return OkStatus();
}

nlohmann::json CollectSummary::ToJson() const {
  return {
      {"bundle", bundle},
      {"manifest_sha256", manifest_sha256},
      {"files_seen", files_seen},
      {"files_hashed", files_hashed},
      {"bytes_hashed", bytes_hashed},
      {"directories", directories},
      {"symlinks", symlinks},
      {"skipped", skipped},
      {"anomalies", anomalies},
      {"samples",
       {{"stored", samples_stored},
        {"bytes", sample_bytes},
        {"duplicates", samples_duplicate},
        {"budget_skips", sample_budget_skips}}},
      {"host_fact_events", host_fact_events},
      {"events", events},
      {"threads", threads},
      {"seconds", seconds},
      {"throttle_sleeps", throttle_sleeps},
  };
}

Result<CollectSummary> Collect(const CollectOptions& options) {
  if (auto s = ValidateCollectOptions(options); !s.ok()) return s.error();
  auto started_ns = NowUnixNs();
  auto t0 = std::chrono::steady_clock::now();
  auto bundle = BundleWriter::Create(options.out);
  if (!bundle.ok()) return bundle.error();

  BundleInfo info;
  info.bundle_id = RandomUuid();
  info.agent_name = "beffroi-host";
  info.agent_version = BEFFROI_VERSION;
  info.host_name = LocalHostName();
  info.host_id = LocalMachineId(options.facts.root);
  info.agent_id =
      Sha256Hex("beffroi-host:" + (info.host_id.empty() ? info.host_name : info.host_id))
          .substr(0, 32);
  info.os_uid = ::getuid();
  info.os_user = AccountName(::getuid());
  info.examiner = options.examiner.empty() ? info.os_user : options.examiner;
  info.case_id = options.case_id;
  info.command_line = options.command_line;
  info.started = FormatTimestampNs(started_ns);
  Stamper stamp(info.host_name, info.host_id, info.agent_id);

  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  unsigned threads = options.threads != 0 ? options.threads : std::min(cores, kMaxDefaultThreads);
  Progress progress("collecting", options.progress);
  Throttle throttle(options.max_cpu_percent, options.max_read_mbps, cores);
  Collection collection(options, **bundle, stamp, progress, throttle);

  CollectSummary summary;
  if (options.host_facts) {
    // Each collector fails soft: its failure arrives here as an anomaly event.
    (void)facts::CollectHostFacts(options.facts, [&](Event e) {
      ++summary.host_fact_events;
      if (e.dataset() == "beffroi.anomaly") {
        collection.OnAnomaly(std::move(e));
      } else {
        collection.Emit(std::move(e));
      }
    });
  }

  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (unsigned i = 0; i < threads; ++i)
    workers.emplace_back([&] { collection.Worker(); });
  Walker walker(options.scope);
  walker.Walk(options.roots, collection);
  collection.WalkFinished();
  collection.CloseQueue();
  for (auto& w : workers)
    w.join();
  progress.Stop();

  if (std::string fatal = collection.fatal(); !fatal.empty()) {
    return MakeError(ErrorCode::kIo, fatal + " (the bundle in " + options.out +
                                         " is incomplete and has no manifest)");
  }
  collection.Fill(summary);
  summary.bundle = options.out;
  summary.threads = threads;
  summary.samples_stored = (*bundle)->samples_stored();
  summary.sample_bytes = (*bundle)->sample_bytes_stored();
  summary.throttle_sleeps = throttle.sleeps();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  summary.events = (*bundle)->events().events_written();
  info.ended = NowTimestamp();
  auto manifest_sha = (*bundle)->Finish(std::move(info), summary.ToJson());
  if (!manifest_sha.ok()) return manifest_sha.error();
  summary.manifest_sha256 = *manifest_sha;
  return summary;
}

}  // namespace beffroi::host
