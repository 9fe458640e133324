// `beffroi analyze BUNDLE...`: verify each bundle against its manifest (a bundle that does not
// match is refused whole, naming the file), ingest its file events and its process, socket,
// persistence and anomaly events (matched against the IOCs too), YARA-scan its samples
// with the externals of the file they were copied from, match IOC lists on every file event,
// and record detections and incidents. One transaction per bundle: a bundle is stored whole
// or not at all, and the same bundle twice adds nothing.
#include <boost/program_options.hpp>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"
#include "analyzer/cli/matcher.h"
#include "analyzer/cli/net_ingest.h"
#include "analyzer/cli/observation_match.h"
#include "analyzer/cli/parse.h"
#include "analyzer/cli/recorder.h"
#include "common/bundle.h"
#include "common/event.h"
#include "common/file_type.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/text.h"

namespace po = boost::program_options;

namespace beffroi::cli {

namespace {

// Samples are capped by the host agent's policy; this bounds what a hostile bundle can make
// us load into memory for one YARA scan.
constexpr std::size_t kMaxSampleBytes = 256 * 1024 * 1024;
// Distinct file names one sample is YARA-scanned under (rules may test the name); a bundle
// that names one sample a million times gets IOC matching for all and YARA for these.
constexpr std::size_t kMaxExternalsPerSample = 64;

struct BundleOutcome {
  std::string status;  // "ingested", "duplicate", "refused", "error"
  std::string message;
  std::int64_t bundle_id = 0;
  std::uint64_t events = 0, files = 0, network = 0, host = 0, samples_scanned = 0, bad_lines = 0,
                bad_samples = 0;
  RecordCounts counts;
};

FileFacts FactsFromEvent(const Event& e) {
  FileFacts f;
  f.path = e.GetString("file.path");
  f.owner = e.GetString("file.owner");
  f.magic = e.GetString("beffroi.file.magic");
  f.digests.sha256 = ToLowerAscii(e.GetString("file.hash.sha256"));
  f.digests.md5 = ToLowerAscii(e.GetString("file.hash.md5"));
  f.digests.sha1 = ToLowerAscii(e.GetString("file.hash.sha1"));
  std::string mtime = e.GetString("file.mtime"), ctime = e.GetString("file.ctime");
  f.observed_at = std::max(mtime, ctime);  // RFC 3339 UTC strings order like the times
  if (f.observed_at.empty()) f.observed_at = e.GetString("@timestamp");
  return f;
}

class BundleIngest {
 public:
  BundleIngest(const Engine& engine, store::Store& store, FileMatcher& matcher, store::Who who,
               std::int64_t window_ns)
      : engine_(engine),
        store_(store),
        matcher_(matcher),
        observations_(engine.iocs),
        who_(std::move(who)),
        window_ns_(window_ns) {}

  BundleOutcome Ingest(const std::string& dir) {
    BundleOutcome out;
    auto report = VerifyBundle(dir);
    if (!report.ok()) return Refuse(out, report.error().message);
    if (!report->ok()) {
      std::string why;
      for (const auto& m : report->missing)
        why += "\n  missing: " + m;
      for (const auto& a : report->added)
        why += "\n  added: " + a;
      for (const auto& a : report->altered)
        why += "\n  altered: " + a;
      for (const auto& e : report->errors)
        why += "\n  unreadable: " + e;
      return Refuse(out, dir + ": does not match its manifest; nothing ingested" + why);
    }
    auto manifest = ReadManifest(dir);
    if (!manifest.ok()) return Refuse(out, manifest.error().message);
    auto known = store_.FindBundleByManifest(report->manifest_sha256);
    if (!known.ok()) return Error(out, known.error().message);
    if (known->has_value()) {
      out.status = "duplicate";
      out.bundle_id = **known;
      out.message =
          dir + ": already ingested as bundle " + std::to_string(**known) + "; nothing added";
      return out;
    }
    auto tx = store::Transaction::Begin(store_.db());
    if (!tx.ok()) return Error(out, tx.error().message);
    Recorder recorder(store_, who_, window_ns_);
    if (Status s = Load(dir, *manifest, report->manifest_sha256, recorder, out); !s.ok()) {
      return Error(out, s.error().message + " (nothing from this bundle was stored)");
    }
    if (Status s = tx->Commit(); !s.ok()) return Error(out, s.error().message);
    out.status = "ingested";
    out.counts = recorder.counts();
    return out;
  }

 private:
  BundleOutcome Refuse(BundleOutcome out, std::string message) {
    out.status = "refused";
    out.message = std::move(message);
    return out;
  }
  BundleOutcome Error(BundleOutcome out, std::string message) {
    out.status = "error";
    out.message = std::move(message);
    return out;
  }

  Status Load(const std::string& dir, const Manifest& m, const std::string& manifest_sha,
              Recorder& recorder, BundleOutcome& out) {
    std::string now = NowTimestamp();
    auto host_id = store_.UpsertHost(m.info.host_name, m.info.host_id, m.info.ended);
    if (!host_id.ok()) return host_id.error();
    store::BundleRow b;
    b.bundle_uuid = m.info.bundle_id;
    b.manifest_sha256 = manifest_sha;
    b.host_id = *host_id;
    b.agent = m.info.agent_name;
    b.agent_version = m.info.agent_version;
    b.examiner = m.info.examiner;
    b.case_ref = m.info.case_id;
    b.started = m.info.started;
    b.ended = m.info.ended;
    b.path = dir;
    b.ingested_at = now;
    b.ingested_by = who_.Display();
    auto bundle_id = store_.InsertBundle(b);
    if (!bundle_id.ok()) return bundle_id.error();
    out.bundle_id = *bundle_id;
    // Evidence found again in this bundle was there when the agent collected it.
    auto collected = ParseDateOrAge(m.info.ended, NowUnixNs());
    recorder.set_collected_at(collected ? FormatTimestampNs(*collected) : now);

    auto reader = NdjsonReader::Open(dir + "/" + std::string(kEventsName));
    if (!reader.ok()) return reader.error();
    std::vector<store::FileObservationRow> batch;
    std::vector<store::HostObservationRow> host_batch;
    store::ObservationStore host_store(store_.db());
    // sample path -> what it is a copy of (files, stream directions, HTTP bodies)
    std::map<std::string, std::vector<SampleRef>> samples;
    NetIngest net(engine_, store_, *bundle_id);
    const HostRef bundle_host{*host_id, m.info.host_name};
    for (;;) {
      auto ev = (*reader)->Next();
      if (!ev.ok()) {
        if (ev.error().code == ErrorCode::kIo) return ev.error();
        ++out.bad_lines;
        std::fprintf(stderr, "beffroi: warning: %s\n", ev.error().message.c_str());
        continue;
      }
      if (!ev->has_value()) break;
      const Event& e = **ev;
      ++out.events;
      const std::string dataset = e.dataset();
      if (dataset == "beffroi.host") {
        for (const auto& ip : e.Find("host.ip") != nullptr && e.Find("host.ip")->is_array()
                                  ? *e.Find("host.ip")
                                  : nlohmann::json::array()) {
          if (!ip.is_string()) continue;
          if (auto s = store_.AddHostAddress(*host_id, ip.get<std::string>(), m.info.ended);
              !s.ok()) {
            return s;
          }
        }
        continue;
      }
      if (IsNetworkDataset(dataset)) {
        ++out.network;
        HostRef host = bundle_host;
        auto findings = net.OnEvent(e, host, samples);
        if (!findings.ok()) return findings.error();
        if (auto s = recorder.Record(host.id, host.name, *findings, "bundle", *bundle_id); !s.ok())
          return s;
        continue;
      }
      if (auto row = HostObservationFromEvent(e, *host_id, *bundle_id)) {
        // Processes, sockets, persistence entries and anomalies: stored for search and
        // retro-hunts, and matched now.
        ++out.host;
        auto findings = observations_.Match(ViewOf(*row, m.info.host_name));
        host_batch.push_back(std::move(*row));
        if (host_batch.size() >= 10000) {
          if (auto s = host_store.InsertHostObservations(host_batch); !s.ok()) return s;
          host_batch.clear();
        }
        if (auto s = recorder.Record(*host_id, m.info.host_name, findings, "bundle", *bundle_id);
            !s.ok()) {
          return s;
        }
        continue;
      }
      if (dataset != "beffroi.file" || e.GetString("file.type") != "file") continue;
      ++out.files;
      FileFacts facts = FactsFromEvent(e);
      store::FileObservationRow obs;
      obs.host_id = *host_id;
      obs.bundle_id = *bundle_id;
      obs.path = facts.path;
      if (const auto* size = e.Find("file.size"); size && size->is_number_unsigned()) {
        obs.size = size->get<std::int64_t>();
      }
      obs.sha256 = facts.digests.sha256;
      obs.md5 = facts.digests.md5;
      obs.sha1 = facts.digests.sha1;
      obs.mtime = e.GetString("file.mtime");
      obs.magic = facts.magic;
      obs.observed_at = e.GetString("@timestamp");
      batch.push_back(std::move(obs));
      if (batch.size() >= 10000) {
        if (auto s = store_.InsertFileObservations(batch); !s.ok()) return s;
        batch.clear();
      }
      std::string sample = e.GetString("beffroi.sample.path");
      if (!sample.empty()) {
        // Its IOC hits are recorded with its YARA findings, so one file tells one story.
        samples[sample].push_back(SampleRef{std::move(facts), bundle_host, {}});
      } else if (auto s = recorder.Record(*host_id, m.info.host_name, matcher_.MatchIocs(facts),
                                          "bundle", *bundle_id);
                 !s.ok()) {
        return s;
      }
    }
    if (auto s = store_.InsertFileObservations(batch); !s.ok()) return s;
    if (auto s = host_store.InsertHostObservations(host_batch); !s.ok()) return s;
    if (auto s = net.Flush(); !s.ok()) return s;
    return ScanSamples(dir, samples, *bundle_id, recorder, out);
  }

  Status ScanSamples(const std::string& dir,
                     const std::map<std::string, std::vector<SampleRef>>& samples,
                     std::int64_t bundle_id, Recorder& recorder, BundleOutcome& out) {
    for (const auto& [rel, files] : samples) {
      std::string bad = CheckSample(rel, files);
      std::optional<std::string> bytes;
      if (bad.empty()) {
        auto content = ReadFileBounded(dir + "/" + rel, kMaxSampleBytes);
        if (content.ok()) {
          bytes = std::move(content).value();
          // The verdict is cached under this hash for later scans: it must be the hash of the
          // bytes scanned, not what the event stream claims.
          if (Sha256Hex(*bytes) != rel.substr(kSamplesDir.size() + 1)) {
            bad = "content does not match its name";
            bytes.reset();
          }
        } else {
          bad = content.error().message;
        }
      }
      if (!bad.empty()) {
        ++out.bad_samples;
        std::fprintf(stderr, "beffroi: warning: %s/%s: sample not scanned: %s\n", dir.c_str(),
                     rel.c_str(), bad.c_str());
      }
      std::string md5, filetype;
      if (bytes) {
        MultiHasher h(kMd5);
        h.Update(*bytes);
        md5 = h.Finish().md5;
        std::size_t head = std::min(bytes->size(), kFileTypeProbeBytes);
        filetype = std::string(
            DetectFileType({reinterpret_cast<const std::uint8_t*>(bytes->data()), head}));
      }
      std::size_t scanned_here = 0;
      for (const SampleRef& ref : files) {
        FileFacts facts = ref.facts;
        std::vector<correlate::Finding> findings;
        if (bytes && scanned_here < kMaxExternalsPerSample) {
          facts.digests.md5 = md5;  // from the bytes, whatever the event said
          facts.magic = filetype;
          yara::Externals ex = MakeExternals(facts);
          std::string key = VerdictKey(engine_, ex);
          auto cached = store_.GetVerdict(facts.digests.sha256, key);
          if (!cached.ok()) return cached.error();
          std::string verdict;
          if (cached->has_value()) {
            verdict = **cached;
          } else {
            auto result = matcher_.ScanBuffer(
                std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes->data()),
                                              bytes->size()),
                ex);
            if (!result.ok()) return result.error();
            ++out.samples_scanned;
            ++scanned_here;
            verdict = FileMatcher::VerdictJson(*result);
            if (!result->timed_out && !result->match_cap_reached) {
              if (auto s = store_.PutVerdict(facts.digests.sha256, key, verdict, NowTimestamp());
                  !s.ok()) {
                return s;
              }
            }
          }
          findings = matcher_.FindingsFromVerdict(verdict, facts);
        }
        auto iocs = matcher_.MatchIocs(facts);
        findings.insert(findings.end(), iocs.begin(), iocs.end());
        if (!ref.connection.empty()) {
          for (auto& f : findings)
            f.reasons["connection"] = ref.connection;
        }
        if (auto s = recorder.Record(ref.host.id, ref.host.name, findings, "bundle", bundle_id);
            !s.ok()) {
          return s;
        }
      }
    }
    return OkStatus();
  }

  // Why a sample cannot be trusted for YARA, or "" when it can: it must be a sample of this
  // bundle named by a SHA-256 that every file event pointing at it agrees with.
  static std::string CheckSample(const std::string& rel, const std::vector<SampleRef>& files) {
    std::string prefix = std::string(kSamplesDir) + "/";
    if (!IsSafeBundlePath(rel) || rel.rfind(prefix, 0) != 0 ||
        !IsHex(rel.substr(prefix.size()), 64)) {
      return "not a sample path of this bundle";
    }
    for (const SampleRef& f : files) {
      if (f.facts.digests.sha256 != rel.substr(prefix.size())) {
        return "an event's sha256 is not the sample's";
      }
    }
    return {};
  }

  const Engine& engine_;
  store::Store& store_;
  FileMatcher& matcher_;
  ObservationMatcher observations_;
  store::Who who_;
  std::int64_t window_ns_;
};

}  // namespace

int AnalyzeBundles(const EngineFlags& flags, const std::vector<std::string>& bundles,
                   double window_hours, bool json, const Args& argv_all) {
  auto engine = LoadEngine(flags);
  if (!engine.ok()) return Fail("analyze", engine.error().message, EngineErrorExit(engine.error()));
  for (const std::string& w : (*engine)->warnings)
    std::fprintf(stderr, "beffroi: warning: %s\n", w.c_str());
  auto store = OpenStore(flags);
  if (!store.ok()) return Fail("analyze", store.error().message);
  auto matcher = FileMatcher::Create(**engine);
  if (!matcher.ok()) return Fail("analyze", matcher.error().message);
  BundleIngest ingest(**engine, **store, **matcher, WhoIs(flags),
                      static_cast<std::int64_t>(window_hours * 3600e9));

  int exit_code = kExitOk;
  std::uint64_t findings = 0;
  nlohmann::json results = nlohmann::json::array();
  for (const std::string& dir : bundles) {
    BundleOutcome o = ingest.Ingest(dir);
    findings += o.counts.findings;
    nlohmann::json r = {{"bundle", dir},
                        {"status", o.status},
                        {"message", o.message},
                        {"bundle_id", o.bundle_id},
                        {"events", o.events},
                        {"files", o.files},
                        {"network_events", o.network},
                        {"host_observations", o.host},
                        {"samples_scanned", o.samples_scanned},
                        {"bad_lines", o.bad_lines},
                        {"bad_samples", o.bad_samples},
                        {"findings", o.counts.findings},
                        {"new_detections", o.counts.new_detections},
                        {"new_incidents", o.counts.new_incidents},
                        {"reopened_incidents", o.counts.reopened_incidents},
                        {"allowlisted", o.counts.allowlisted}};
    results.push_back(r);
    if (o.status == "refused") exit_code = kExitVerifyFailed;
    if (o.status == "error" && exit_code == kExitOk) exit_code = kExitError;
    if (o.status == "ingested" || o.status == "duplicate") {
      (void)(*store)->AppendAudit(
          WhoIs(flags), o.status == "ingested" ? "bundle.ingested" : "bundle.duplicate", "bundle",
          o.bundle_id,
          Dump(nlohmann::json{{"path", dir}, {"command_line", argv_all}, {"result", r}}),
          NowTimestamp());
    } else {
      (void)(*store)->AppendAudit(WhoIs(flags), "bundle." + o.status, "bundle", std::nullopt,
                                  Dump(nlohmann::json{{"path", dir}, {"message", o.message}}),
                                  NowTimestamp());
    }
    if (!json) {
      if (o.status == "ingested") {
        std::printf(
            "%s: ingested as bundle %lld: %llu events, %llu files, %llu samples scanned, %llu "
            "findings (%llu new incidents)\n",
            dir.c_str(), static_cast<long long>(o.bundle_id),
            static_cast<unsigned long long>(o.events), static_cast<unsigned long long>(o.files),
            static_cast<unsigned long long>(o.samples_scanned),
            static_cast<unsigned long long>(o.counts.findings),
            static_cast<unsigned long long>(o.counts.new_incidents));
      } else if (o.status == "duplicate") {
        std::printf("%s\n", o.message.c_str());
      } else {
        std::fprintf(stderr, "beffroi: analyze: %s\n", o.message.c_str());
      }
    }
  }
  if (json) std::cout << Dump(results, 2) << "\n";
  if (exit_code == kExitOk && findings > 0) exit_code = kExitDetections;
  return exit_code;
}

int RunAnalyze(const Args& args, const Args& argv_all) {
  EngineFlags flags;
  std::vector<std::string> bundles;
  bool json = false;
  double window_hours = 72;
  po::options_description desc("beffroi analyze BUNDLE... [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json),
                                                 "print the outcome as JSON")(
      "window", po::value(&window_hours)->default_value(window_hours),
      "hours within which findings of one threat on one host form one incident");
  AddDbFlag(desc, flags);
  AddEngineFlags(desc, flags);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "bundle", -1, &bundles, "analyze", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc << "\nExample:\n  beffroi analyze /media/usb/fs01-2021-06-21 --db city.db\n";
    return kExitOk;
  }
  if (bundles.empty()) return Fail("analyze", "give at least one BUNDLE directory", kExitUsage);
  if (auto s = ValidateEngineFlags(flags, window_hours); !s.ok())
    return Fail("analyze", s.error().message, kExitUsage);
  return AnalyzeBundles(flags, bundles, window_hours, json, argv_all);
}

}  // namespace beffroi::cli
