#include "common/bundle.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/text.h"

namespace beffroi {

namespace fs = std::filesystem;

std::string RandomUuid() {
  std::uint8_t b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    // RAND_bytes only fails when the OS entropy source is unavailable; fall back to the
    // clock so an id is still unique per run, if not unpredictable.
    struct timespec ts {};
    clock_gettime(CLOCK_REALTIME, &ts);
    std::memcpy(b, &ts, std::min(sizeof ts, sizeof b));
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  std::string hex = HexEncode(std::span<const std::uint8_t>(b, 16));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

bool IsSafeBundlePath(std::string_view path) {
  if (path.empty() || path.size() > 4096 || path.front() == '/') return false;
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = path.find('/', start);
    std::string_view part =
        path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return path.find('\0') == std::string_view::npos && path.find('\\') == std::string_view::npos;
}

nlohmann::json ManifestToJson(const Manifest& m) {
  const BundleInfo& i = m.info;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : m.files) {
    files.push_back({{"path", f.path}, {"size", f.size}, {"sha256", f.sha256}});
  }
  return {
      {"schema", kBundleSchema},
      {"bundle_id", i.bundle_id},
      {"agent", {{"name", i.agent_name}, {"version", i.agent_version}, {"id", i.agent_id}}},
      {"host", {{"name", i.host_name}, {"id", i.host_id}}},
      {"operator",
       {{"os_user", i.os_user},
        {"os_uid", i.os_uid},
        {"examiner", i.examiner},
        {"case", i.case_id}}},
      {"command_line", i.command_line},
      {"started", i.started},
      {"ended", i.ended},
      {"files", files},
      {"stats", m.stats},
  };
}

namespace {

Status Field(const nlohmann::json& obj, const char* key, std::string& out,
             const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) {
    return MakeError(ErrorCode::kCorrupt, where + ": \"" + key + "\" missing or not a string");
  }
  out = it->get<std::string>();
  return OkStatus();
}

const nlohmann::json* Object(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return (it != obj.end() && it->is_object()) ? &*it : nullptr;
}

}  // namespace

Result<Manifest> ManifestFromJson(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) return MakeError(ErrorCode::kCorrupt, source + ": not a JSON object");
  Manifest m;
  std::string schema;
  if (auto s = Field(j, "schema", schema, source); !s.ok()) return s.error();
  if (schema != kBundleSchema) {
    return MakeError(ErrorCode::kUnsupported, source + ": unsupported schema \"" + schema + "\"");
  }
  BundleInfo& i = m.info;
  if (auto s = Field(j, "bundle_id", i.bundle_id, source); !s.ok()) return s.error();
  if (auto s = Field(j, "started", i.started, source); !s.ok()) return s.error();
  if (auto s = Field(j, "ended", i.ended, source); !s.ok()) return s.error();
  const nlohmann::json* agent = Object(j, "agent");
  const nlohmann::json* host = Object(j, "host");
  if (agent == nullptr || host == nullptr) {
    return MakeError(ErrorCode::kCorrupt, source + ": \"agent\" or \"host\" missing");
  }
  if (auto s = Field(*agent, "name", i.agent_name, source + ": agent"); !s.ok()) return s.error();
  if (auto s = Field(*agent, "version", i.agent_version, source + ": agent"); !s.ok())
    return s.error();
  (void)Field(*agent, "id", i.agent_id, source);
  if (auto s = Field(*host, "name", i.host_name, source + ": host"); !s.ok()) return s.error();
  (void)Field(*host, "id", i.host_id, source);
  if (const nlohmann::json* op = Object(j, "operator")) {
    (void)Field(*op, "os_user", i.os_user, source);
    (void)Field(*op, "examiner", i.examiner, source);
    (void)Field(*op, "case", i.case_id, source);
    if (auto it = op->find("os_uid"); it != op->end() && it->is_number_integer()) {
      i.os_uid = it->get<std::int64_t>();
    }
  }
  if (auto it = j.find("command_line"); it != j.end() && it->is_array()) {
    for (const auto& arg : *it) {
      if (arg.is_string()) i.command_line.push_back(arg.get<std::string>());
    }
  }
  auto files = j.find("files");
  if (files == j.end() || !files->is_array()) {
    return MakeError(ErrorCode::kCorrupt, source + ": \"files\" missing or not an array");
  }
  std::set<std::string> seen;
  for (std::size_t n = 0; n < files->size(); ++n) {
    const nlohmann::json& f = (*files)[n];
    std::string where = source + ": files[" + std::to_string(n) + "]";
    if (!f.is_object()) return MakeError(ErrorCode::kCorrupt, where + ": not an object");
    ManifestEntry e;
    if (auto s = Field(f, "path", e.path, where); !s.ok()) return s.error();
    if (auto s = Field(f, "sha256", e.sha256, where); !s.ok()) return s.error();
    auto size = f.find("size");
    if (size == f.end() || !size->is_number_integer() ||
        (!size->is_number_unsigned() && size->get<std::int64_t>() < 0)) {
      return MakeError(ErrorCode::kCorrupt, where + ": \"size\" missing or not a byte count");
    }
    e.size = size->get<std::uint64_t>();
    if (!IsSafeBundlePath(e.path) || e.path == kManifestName) {
      return MakeError(ErrorCode::kCorrupt, where + ": unsafe path \"" + e.path + "\"");
    }
    if (!IsHex(e.sha256, 64)) {
      return MakeError(ErrorCode::kCorrupt, where + ": \"sha256\" is not 64 hex digits");
    }
    if (!seen.insert(e.path).second) {
      return MakeError(ErrorCode::kCorrupt, where + ": \"" + e.path + "\" listed twice");
    }
    m.files.push_back(std::move(e));
  }
  if (auto it = j.find("stats"); it != j.end() && it->is_object()) m.stats = *it;
  return m;
}

namespace {

Result<Manifest> ParseManifest(const std::string& text, const std::string& path) {
  auto j = ParseJson(text, path);
  if (!j.ok()) return j.error();
  auto m = ManifestFromJson(*j, path);
  if (!m.ok()) return m.error();
  // What makes a bundle a bundle: the event stream is listed, and every sample is named by
  // its own content hash.
  bool has_events = false;
  for (const ManifestEntry& e : m->files) {
    if (e.path == kEventsName) has_events = true;
    std::string prefix = std::string(kSamplesDir) + "/";
    if (e.path.rfind(prefix, 0) == 0 && e.path.substr(prefix.size()) != ToLowerAscii(e.sha256)) {
      return MakeError(ErrorCode::kCorrupt,
                       path + ": sample " + e.path + " is not named by its sha256 " + e.sha256);
    }
  }
  if (!has_events) {
    return MakeError(ErrorCode::kCorrupt, path + ": does not list " + std::string(kEventsName));
  }
  return m;
}

}  // namespace

Result<Manifest> ReadManifest(const std::string& bundle_dir) {
  std::string path = bundle_dir + "/" + std::string(kManifestName);
  auto text = ReadFileBounded(path, kMaxManifestBytes);
  if (!text.ok()) return text.error();
  return ParseManifest(*text, path);
}

Result<VerifyReport> VerifyBundle(const std::string& bundle_dir,
                                  const std::string& expected_manifest_sha256) {
  std::string manifest_path = bundle_dir + "/" + std::string(kManifestName);
  struct stat st {};
  if (::lstat(bundle_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return MakeError(ErrorCode::kNotFound, bundle_dir + ": not a bundle directory");
  }
  if (::lstat(manifest_path.c_str(), &st) != 0) {
    return MakeError(ErrorCode::kNotFound,
                     manifest_path + ": missing (the bundle is incomplete or not a bundle)");
  }
  // One read: the bytes hashed for the custody record are the bytes checked.
  auto text = ReadFileBounded(manifest_path, kMaxManifestBytes);
  if (!text.ok()) return text.error();
  auto manifest = ParseManifest(*text, manifest_path);
  if (!manifest.ok()) return manifest.error();
  VerifyReport report;
  report.manifest_sha256 = Sha256Hex(*text);
  if (!expected_manifest_sha256.empty() &&
      ToLowerAscii(expected_manifest_sha256) != report.manifest_sha256) {
    report.errors.push_back(std::string(kManifestName) + ": sha256 " + report.manifest_sha256 +
                            " is not the expected " + expected_manifest_sha256);
  }

  std::map<std::string, const ManifestEntry*> listed;
  for (const auto& e : manifest->files)
    listed[e.path] = &e;

  // Everything actually present, without following symlinks.
  std::error_code ec;
  fs::recursive_directory_iterator it(bundle_dir, fs::directory_options::none, ec);
  if (ec) return MakeError(ErrorCode::kIo, "list " + bundle_dir + ": " + ec.message());
  std::set<std::string> present;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      report.errors.push_back(bundle_dir + ": " + ec.message());
      break;
    }
    std::string rel = it->path().lexically_relative(bundle_dir).generic_string();
    auto status = it->symlink_status(ec);
    if (fs::is_directory(status)) continue;
    if (rel == kManifestName) continue;
    if (!fs::is_regular_file(status)) {
      report.added.push_back(rel + " (not a regular file)");
      continue;
    }
    present.insert(rel);
    if (!listed.count(rel)) report.added.push_back(rel);
  }
  for (const auto& [path, entry] : listed) {
    if (!present.count(path)) {
      report.missing.push_back(path);
      continue;
    }
    std::string full = bundle_dir + "/" + path;
    auto fd = OpenForEvidenceRead(full);
    if (!fd.ok()) {
      report.errors.push_back(fd.error().message);
      continue;
    }
    struct stat fst {};
    if (::fstat(fd->get(), &fst) != 0 || !S_ISREG(fst.st_mode)) {
      report.errors.push_back(full + ": not a regular file");
      continue;
    }
    auto digests = HashFd(fd->get(), full, kSha256);
    if (!digests.ok()) {
      report.errors.push_back(digests.error().message);
      continue;
    }
    auto size = static_cast<std::uint64_t>(fst.st_size);
    ++report.files_checked;
    report.bytes_checked += size;
    if (digests->sha256 != ToLowerAscii(entry->sha256) || size != entry->size) {
      report.altered.push_back(path + ": expected sha256 " + entry->sha256 + " size " +
                               std::to_string(entry->size) + ", found sha256 " + digests->sha256 +
                               " size " + std::to_string(size));
    }
  }
  return report;
}

// ---------------------------------------------------------------------------------------------

namespace {

Status Fsync(int fd, const std::string& what) {
  if (::fsync(fd) != 0)
    return MakeError(ErrorCode::kIo, "fsync " + what + ": " + std::strerror(errno));
  return OkStatus();
}

// An existing output directory must be ours alone and empty.
Status CheckExistingOutput(const std::string& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    return MakeError(ErrorCode::kIo, "stat " + dir + ": " + std::strerror(errno));
  }
  std::error_code ec;
  if (!S_ISDIR(st.st_mode) || !fs::is_empty(dir, ec) || ec) {
    return MakeError(ErrorCode::kInvalidArgument,
                     dir +
                         ": already exists and is not an empty directory (evidence is never "
                         "overwritten; choose a new --out)");
  }
  if (st.st_uid != ::geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     dir +
                         ": exists but is not owned by us or is writable by others; let the "
                         "agent create the bundle directory itself");
  }
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<BundleWriter>> BundleWriter::Create(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0750) != 0) {
    if (errno != EEXIST)
      return MakeError(ErrorCode::kIo, "create " + dir + ": " + std::strerror(errno));
    if (auto s = CheckExistingOutput(dir); !s.ok()) return s.error();
  }
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir_fd.valid())
    return MakeError(ErrorCode::kIo, "open " + dir + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(dir_fd.get(), &st) != 0 || st.st_uid != ::geteuid() ||
      (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return MakeError(ErrorCode::kInvalidArgument, dir + ": not a private directory of ours");
  }
  std::string samples_name(kSamplesDir);
  if (::mkdirat(dir_fd.get(), samples_name.c_str(), 0750) != 0) {
    return MakeError(ErrorCode::kIo,
                     "create " + dir + "/" + samples_name + ": " + std::strerror(errno));
  }
  UniqueFd samples_fd(::openat(dir_fd.get(), samples_name.c_str(),
                               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!samples_fd.valid()) {
    return MakeError(ErrorCode::kIo,
                     "open " + dir + "/" + samples_name + ": " + std::strerror(errno));
  }
  std::string events_path = dir + "/" + std::string(kEventsName);
  int events_fd = ::openat(dir_fd.get(), std::string(kEventsName).c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (events_fd < 0)
    return MakeError(ErrorCode::kIo, "create " + events_path + ": " + std::strerror(errno));
  return std::unique_ptr<BundleWriter>(new BundleWriter(
      dir, std::move(dir_fd), std::move(samples_fd), NdjsonWriter::FromFd(events_fd, events_path)));
}

Result<PartialSample> BundleWriter::NewPartialSample() {
  std::string name;
  {
    std::lock_guard<std::mutex> lock(mu_);
    name = ".partial-" + std::to_string(++partial_counter_);
  }
  int fd = ::openat(samples_fd_.get(), name.c_str(),
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    return MakeError(ErrorCode::kIo, "create " + dir_ + "/" + std::string(kSamplesDir) + "/" +
                                         name + ": " + std::strerror(errno));
  }
  return PartialSample{UniqueFd(fd), name};
}

void BundleWriter::DiscardSample(const PartialSample& partial) {
  ::unlinkat(samples_fd_.get(), partial.name.c_str(), 0);
}

Result<bool> BundleWriter::CommitSample(const PartialSample& partial, const std::string& sha256,
                                        std::uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  if (samples_.count(sha256)) {
    ::unlinkat(samples_fd_.get(), partial.name.c_str(), 0);
    return false;
  }
  if (::renameat(samples_fd_.get(), partial.name.c_str(), samples_fd_.get(), sha256.c_str()) != 0) {
    int err = errno;
    ::unlinkat(samples_fd_.get(), partial.name.c_str(), 0);
    return MakeError(ErrorCode::kIo, "store sample " + dir_ + "/" + std::string(kSamplesDir) + "/" +
                                         sha256 + ": " + std::strerror(err));
  }
  samples_[sha256] = size;
  sample_bytes_ += size;
  return true;
}

std::uint64_t BundleWriter::samples_stored() const {
  std::lock_guard<std::mutex> lock(mu_);
  return samples_.size();
}

std::uint64_t BundleWriter::sample_bytes_stored() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sample_bytes_;
}

Result<UniqueFd> BundleWriter::CreateExtraFile(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string rel = std::string(kExtraDir) + "/" + name;
  if (name.find('/') != std::string::npos || !IsSafeBundlePath(rel)) {
    return MakeError(ErrorCode::kInvalidArgument, "bad bundle file name: " + name);
  }
  if (!extra_fd_.valid()) {
    const std::string sub(kExtraDir);
    if (::mkdirat(dir_fd_.get(), sub.c_str(), 0755) != 0 && errno != EEXIST) {
      return MakeError(ErrorCode::kIo, "create " + dir_ + "/" + sub + ": " + std::strerror(errno));
    }
    UniqueFd fd(
        ::openat(dir_fd_.get(), sub.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid())
      return MakeError(ErrorCode::kIo, "open " + dir_ + "/" + sub + ": " + std::strerror(errno));
    extra_fd_ = std::move(fd);
  }
  UniqueFd fd(::openat(extra_fd_.get(), name.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid())
    return MakeError(ErrorCode::kIo, "create " + dir_ + "/" + rel + ": " + std::strerror(errno));
  return fd;
}

Status BundleWriter::AddExtraFile(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string full = dir_ + "/" + std::string(kExtraDir) + "/" + name;
  if (!extra_fd_.valid()) return MakeError(ErrorCode::kInternal, full + ": never created");
  UniqueFd fd(::openat(extra_fd_.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return MakeError(ErrorCode::kIo, "open " + full + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return MakeError(ErrorCode::kIo, full + ": not a regular file");
  if (auto s = Fsync(fd.get(), full); !s.ok()) return s.error();
  auto digests = HashFd(fd.get(), full, kSha256);
  if (!digests.ok()) return digests.error();
  ::fchmod(fd.get(), 0444);
  extra_files_.push_back({std::string(kExtraDir) + "/" + name,
                          static_cast<std::uint64_t>(st.st_size), digests->sha256});
  return OkStatus();
}

Status BundleWriter::ChownTo(unsigned uid, unsigned gid) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto u = static_cast<uid_t>(uid);
  const auto g = static_cast<gid_t>(gid);
  if (::fchown(dir_fd_.get(), u, g) != 0 || ::fchown(samples_fd_.get(), u, g) != 0)
    return MakeError(ErrorCode::kIo, "chown " + dir_ + ": " + std::strerror(errno));
  if (::fchownat(dir_fd_.get(), std::string(kEventsName).c_str(), u, g, AT_SYMLINK_NOFOLLOW) != 0)
    return MakeError(ErrorCode::kIo, "chown " + dir_ + "/events.ndjson: " + std::strerror(errno));
  return OkStatus();
}

Result<std::string> BundleWriter::Finish(BundleInfo info, nlohmann::json stats) {
  if (auto s = events_->Close(); !s.ok()) return s.error();
  Manifest m;
  m.info = std::move(info);
  m.stats = std::move(stats);
  m.files.push_back({std::string(kEventsName), events_->bytes_written(), events_->sha256()});
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [sha, size] : samples_) {
      m.files.push_back({std::string(kSamplesDir) + "/" + sha, size, sha});
    }
    for (const auto& extra : extra_files_)
      m.files.push_back(extra);
    if (extra_fd_.valid()) {
      if (auto s = Fsync(extra_fd_.get(), dir_ + "/" + std::string(kExtraDir)); !s.ok())
        return s.error();
    }
  }
  std::string text =
      ManifestToJson(m).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  // Samples and the event stream are durable before the manifest that vouches for them. Writers
  // that store many small samples (stream payloads) skip the per-file fsync: one syncfs here
  // covers their data.
  if (::syncfs(dir_fd_.get()) != 0)
    return MakeError(ErrorCode::kIo, "sync " + dir_ + ": " + std::strerror(errno));
  if (auto s = Fsync(samples_fd_.get(), dir_ + "/samples"); !s.ok()) return s.error();
  std::string tmp = std::string(kManifestName) + ".tmp";
  std::string manifest_path = dir_ + "/" + std::string(kManifestName);
  UniqueFd fd(::openat(dir_fd_.get(), tmp.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444));
  if (!fd.valid())
    return MakeError(ErrorCode::kIo, "create " + manifest_path + ".tmp: " + std::strerror(errno));
  if (auto s = WriteAll(fd.get(), text.data(), text.size(), manifest_path); !s.ok())
    return s.error();
  if (auto s = Fsync(fd.get(), manifest_path); !s.ok()) return s.error();
  if (::close(fd.release()) != 0)
    return MakeError(ErrorCode::kIo, "close " + manifest_path + ": " + std::strerror(errno));
  if (::renameat(dir_fd_.get(), tmp.c_str(), dir_fd_.get(), std::string(kManifestName).c_str()) !=
      0) {
    return MakeError(ErrorCode::kIo, "rename " + manifest_path + ": " + std::strerror(errno));
  }
  if (auto s = Fsync(dir_fd_.get(), dir_); !s.ok()) return s.error();
  return Sha256Hex(text);
}

}  // namespace beffroi
