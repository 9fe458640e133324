// Evidence bundles: a directory holding events.ndjson, samples/<sha256> and manifest.json.
//
// The manifest is the chain of custody: every file of the bundle with its size and SHA-256,
// the agent and its version, the host, who ran it (OS user, examiner, case), the command line,
// and the start and end times. It is written last, atomically; a bundle without one is
// incomplete. VerifyBundle re-hashes everything and names each file that is missing, added or
// altered; it never trusts a path from the manifest (absolute paths, "..", and anything that
// is not a plain relative name inside the bundle are refused).
//
// BundleWriter is thread-safe: workers add samples concurrently; each SHA-256 is stored once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/event.h"
#include "common/fs.h"
#include "common/result.h"

namespace beffroi {

inline constexpr std::string_view kManifestName = "manifest.json";
inline constexpr std::string_view kEventsName = "events.ndjson";
inline constexpr std::string_view kSamplesDir = "samples";
inline constexpr std::string_view kExtraDir = "captures";
inline constexpr std::string_view kBundleSchema = "beffroi-bundle/1";
// A manifest larger than this is refused unread (a million samples fit in ~150 MiB).
inline constexpr std::size_t kMaxManifestBytes = 256 * 1024 * 1024;

struct ManifestEntry {
  std::string path;  // relative to the bundle, '/'-separated
  std::uint64_t size = 0;
  std::string sha256;
};

struct BundleInfo {
  std::string bundle_id;  // random UUID
  std::string agent_name;
  std::string agent_version;
  std::string agent_id;
  std::string host_name;
  std::string host_id;
  std::string os_user;
  std::int64_t os_uid = -1;
  std::string examiner;
  std::string case_id;
  std::vector<std::string> command_line;
  std::string started;  // RFC 3339
  std::string ended;    // RFC 3339
};

struct Manifest {
  BundleInfo info;
  std::vector<ManifestEntry> files;
  nlohmann::json stats = nlohmann::json::object();
};

nlohmann::json ManifestToJson(const Manifest& m);
// Validates structure, types, hex digests and every path. `source` names the file in errors.
Result<Manifest> ManifestFromJson(const nlohmann::json& j, const std::string& source);
Result<Manifest> ReadManifest(const std::string& bundle_dir);

// True for "events.ndjson", "samples/<name>": relative, no "." or ".." component, no empty
// component, no NUL, no backslash.
bool IsSafeBundlePath(std::string_view path);

struct VerifyReport {
  std::vector<std::string> missing;  // listed, not present
  std::vector<std::string> added;    // present, not listed
  std::vector<std::string> altered;  // present, size or SHA-256 differs ("path: expected X, got Y")
  std::vector<std::string> errors;   // could not be checked (unreadable, not a regular file)
  std::uint64_t files_checked = 0;
  std::uint64_t bytes_checked = 0;
  std::string manifest_sha256;
  bool ok() const { return missing.empty() && added.empty() && altered.empty() && errors.empty(); }
};

// Fails (Error) only when the manifest itself cannot be read or parsed; every other fault is
// listed in the report. `expected_manifest_sha256` (from the chain-of-custody record), when
// given, must match the manifest that was read.
Result<VerifyReport> VerifyBundle(const std::string& bundle_dir,
                                  const std::string& expected_manifest_sha256 = "");

// A sample copy in progress: an exclusive new file inside samples/, named .partial-N.
struct PartialSample {
  UniqueFd fd;
  std::string name;
};

class BundleWriter {
 public:
  // Creates `dir` with samples/ and events.ndjson. An existing `dir` is accepted only if it is
  // an empty directory (not a symlink) owned by us and writable by nobody else: whoever else
  // controls the directory could swap samples/ for a link and make a root agent write where
  // they choose. Everything afterwards goes through directory descriptors (openat, renameat),
  // never through paths that could be swapped.
  static Result<std::unique_ptr<BundleWriter>> Create(const std::string& dir);

  NdjsonWriter& events() { return *events_; }
  const std::string& dir() const { return dir_; }

  // An exclusive new file inside samples/ for a sample being copied.
  Result<PartialSample> NewPartialSample();
  // Discards a partial copy.
  void DiscardSample(const PartialSample& partial);
  // Makes a finished, closed partial copy samples/<sha256> (read-only). Returns false (and
  // removes the partial file) when that SHA-256 is already stored. The caller has fsynced it.
  Result<bool> CommitSample(const PartialSample& partial, const std::string& sha256,
                            std::uint64_t size);
  std::uint64_t samples_stored() const;
  std::uint64_t sample_bytes_stored() const;

  // An extra evidence file (a raw capture file, say) at kExtraDir/<name>, created exclusively
  // and read-only for others. Write it, close it, then AddExtraFile(name) hashes it for the
  // manifest. `name` is a plain file name (no '/').
  Result<UniqueFd> CreateExtraFile(const std::string& name);
  Status AddExtraFile(const std::string& name);

  // Hands the bundle to another account (a live capture that drops root after opening the
  // interface keeps writing into it).
  Status ChownTo(unsigned uid, unsigned gid);

  // Closes the event stream and writes manifest.json; returns the manifest's SHA-256.
  Result<std::string> Finish(BundleInfo info, nlohmann::json stats);

 private:
  BundleWriter(std::string dir, UniqueFd dir_fd, UniqueFd samples_fd,
               std::unique_ptr<NdjsonWriter> events)
      : dir_(std::move(dir)),
        dir_fd_(std::move(dir_fd)),
        samples_fd_(std::move(samples_fd)),
        events_(std::move(events)) {}

  std::string dir_;
  UniqueFd dir_fd_;
  UniqueFd samples_fd_;
  std::unique_ptr<NdjsonWriter> events_;
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> samples_;  // sha256 -> size
  UniqueFd extra_fd_;                             // kExtraDir, created on first use
  std::vector<ManifestEntry> extra_files_;
  std::uint64_t sample_bytes_ = 0;
  std::uint64_t partial_counter_ = 0;
};

// A random RFC 4122 version-4 UUID (OpenSSL's RAND_bytes).
std::string RandomUuid();

}  // namespace beffroi
