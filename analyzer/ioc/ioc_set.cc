#include "analyzer/ioc/ioc_set.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "analyzer/ioc/feed.h"
#include "analyzer/ioc/ioc_store.h"
#include "analyzer/ioc/line_reader.h"
#include "analyzer/ioc/list_loader.h"
#include "common/fs.h"
#include "common/text.h"

namespace beffroi::ioc {
namespace {

template <std::size_t N>
void MatchHashes(const HashIndex<N>& index, std::string_view hex, HashKind kind,
                 const IocStore& store, std::vector<IocHit>& hits) {
  std::array<std::uint8_t, N> digest;
  if (index.empty() || !DecodeHex(hex, digest)) return;
  for (const HashEntry<N>& entry : index.Find(digest)) {
    const IocContext& context = store.GetContext(entry.meta.context);
    hits.push_back(IocHit{"ioc.hash", HexEncode(entry.digest), std::string(HashKindEcsField(kind)),
                          entry.meta.score, store.String(entry.meta.description),
                          store.Source(entry.meta.file, entry.meta.line), context.techniques,
                          context.playbook});
  }
}

template <std::size_t N>
void ExportHashes(const HashIndex<N>& index, HashKind kind, const IocStore& store,
                  std::vector<ExportedIndicator>& out) {
  for (const HashEntry<N>& e : index.entries()) {
    out.push_back(ExportedIndicator{std::string(HashKindName(kind)), HexEncode(e.digest),
                                    e.meta.score, store.String(e.meta.description),
                                    store.Source(e.meta.file, e.meta.line)});
  }
}

template <std::size_t N>
bool AddDigest(HashIndex<N>& index, std::string_view hex, const HashMeta& meta) {
  std::array<std::uint8_t, N> digest;
  if (!DecodeHex(hex, digest)) return false;
  index.Add(digest, meta);
  return true;
}

}  // namespace

IocSet::IocSet(IocLimits limits) : store_(std::make_unique<IocStore>(limits)) {}
IocSet::~IocSet() = default;
IocSet::IocSet(IocSet&&) noexcept = default;
IocSet& IocSet::operator=(IocSet&&) noexcept = default;

Status IocSet::Load(const std::string& path, IocFormat format) {
  // O_NONBLOCK: opening a FIFO put in place of a list must not hang; regular files ignore it.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    ErrorCode code = errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo;
    return MakeError(code, "open " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return MakeError(ErrorCode::kIo, "stat " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return MakeError(ErrorCode::kInvalidArgument, "open " + path + ": not a regular file");
  }
  LineReader reader(fd.get(), path);
  ListLoader loader(*store_, path, format);
  return loader.Run(reader);
}

Status IocSet::LoadText(std::string_view name, std::string_view text, IocFormat format) {
  LineReader reader(text);
  ListLoader loader(*store_, std::string(name), format);
  return loader.Run(reader);
}

Status IocSet::LoadDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return MakeError(ErrorCode::kIo, "list " + dir + ": " + ec.message());
  std::vector<std::string> names;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return MakeError(ErrorCode::kIo, "list " + dir + ": " + ec.message());
    names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  Status result;
  for (const std::string& name : names) {
    std::string path = (fs::path(dir) / name).string();
    IocFormat format = FormatFromFileName(name);
    if (name.starts_with('.') || format == IocFormat::kAuto || !fs::is_regular_file(path, ec)) {
      store_->skipped_files.push_back(path);
      continue;
    }
    Status status = Load(path, format);
    if (!status.ok() && result.ok()) result = status;
  }
  return result;
}

Status IocSet::LoadAllowlist(const std::string& path) {
  return Load(path, IocFormat::kAllowlist);
}

bool IocSet::needs_md5() const {
  return !store_->iocs.md5.empty() || !store_->allowed.md5.empty();
}

bool IocSet::needs_sha1() const {
  return !store_->iocs.sha1.empty() || !store_->allowed.sha1.empty();
}

std::vector<IocHit> IocSet::MatchFile(std::string_view path, const Digests& digests) const {
  std::vector<IocHit> hits;
  if (IsAllowlisted(path, digests)) return hits;
  const IocStore& store = *store_;
  MatchHashes(store.iocs.md5, digests.md5, HashKind::kMd5, store, hits);
  MatchHashes(store.iocs.sha1, digests.sha1, HashKind::kSha1, store, hits);
  MatchHashes(store.iocs.sha256, digests.sha256, HashKind::kSha256, store, hits);
  if (!store.exact_names.empty()) {
    std::size_t slash = path.find_last_of("/\\");
    std::string name =
        ToLowerAscii(slash == std::string_view::npos ? path : path.substr(slash + 1));
    auto [first, last] = store.exact_names.equal_range(name);
    for (auto it = first; it != last; ++it) {
      const NameIoc& ioc = it->second;
      const IocContext& context = store.GetContext(ioc.context);
      hits.push_back(IocHit{"ioc.filename", ioc.pattern, "file.path", ioc.score,
                            store.String(ioc.description), store.Source(ioc.file, 0),
                            context.techniques, context.playbook});
    }
  }
  if (store.filenames.empty() || path.size() > kMaxMatchedPathLength) return hits;
  std::string lowered = ToLowerAscii(path);
  for (const FilenameIoc& ioc : store.filenames) {
    if (!ioc.regex.Matches(path, lowered)) continue;
    if (ioc.false_positive && ioc.false_positive->Matches(path, lowered)) continue;
    const IocContext& context = store.GetContext(ioc.context);
    hits.push_back(IocHit{"ioc.filename", ToValidUtf8(ioc.regex.pattern()), "file.path", ioc.score,
                          store.String(ioc.description), store.Source(ioc.file, ioc.line),
                          context.techniques, context.playbook});
  }
  return hits;
}

bool IocSet::IsAllowlisted(std::string_view path, const Digests& digests) const {
  const IocStore& store = *store_;
  if (store.allowed.md5.Contains(digests.md5) || store.allowed.sha1.Contains(digests.sha1) ||
      store.allowed.sha256.Contains(digests.sha256)) {
    return true;
  }
  if (store.allowed_paths.empty() || path.size() > kMaxMatchedPathLength) return false;
  std::string lowered = ToLowerAscii(path);
  return std::any_of(store.allowed_paths.begin(), store.allowed_paths.end(),
                     [&](const AllowlistPath& p) { return p.regex.Matches(path, lowered); });
}

bool IocSet::AddFeedIndicator(std::string_view source, const FeedIndicator& indicator) {
  IocStore& store = *store_;
  std::size_t ignored = 0;
  auto warn = [&](const std::string& why) {
    store.AddWarning(
        std::string(source) + ": " + indicator.type + " " + Quote(indicator.value) + ": " + why,
        ignored);
    return false;
  };
  int score = std::clamp(indicator.score, kMinScore, kMaxScore);
  std::uint32_t file = store.Intern(source);
  std::uint32_t context = store.Context(indicator.techniques, indicator.playbook);
  const std::string& type = indicator.type;
  if (type == "md5" || type == "sha1" || type == "sha256") {
    if (IsTrivialContentHash(indicator.value)) return warn("hash of empty content ignored");
    HashMeta meta{store.Intern(indicator.comment), file, 0, static_cast<std::uint8_t>(score),
                  context};
    bool ok = type == "md5"    ? AddDigest(store.iocs.md5, indicator.value, meta)
              : type == "sha1" ? AddDigest(store.iocs.sha1, indicator.value, meta)
                               : AddDigest(store.iocs.sha256, indicator.value, meta);
    return ok ? true : warn("not a hex digest");
  }
  if (type == "filename") {
    if (auto name = ExactFileName(indicator.value)) {
      store.exact_names.emplace(std::move(*name),
                                NameIoc{ToValidUtf8(indicator.value), score,
                                        store.Intern(indicator.comment), file, context});
      return true;
    }
    auto regex = PathRegex::Compile(indicator.value);
    if (!regex) return warn(regex.error().message);
    store.filenames.push_back(FilenameIoc{std::move(regex).value(), std::nullopt, score,
                                          store.Intern(indicator.comment), file, 0, context});
    return true;
  }
  auto network = NetworkTypeFromName(type);
  if (!network) return warn("unknown indicator type");
  auto canonical = CanonicalNetworkValue(*network, indicator.value);
  if (!canonical) return warn(canonical.error().message);
  store.network.push_back(NetworkIndicator{*network, std::move(canonical).value(), score,
                                           indicator.comment, std::string(source),
                                           indicator.techniques, indicator.playbook});
  return true;
}

void IocSet::CommitFeed() {
  IocStore& store = *store_;
  store.duplicates +=
      store.iocs.md5.Commit() + store.iocs.sha1.Commit() + store.iocs.sha256.Commit();
}

std::vector<ExportedIndicator> IocSet::Indicators() const {
  const IocStore& store = *store_;
  std::vector<ExportedIndicator> out;
  ExportHashes(store.iocs.md5, HashKind::kMd5, store, out);
  ExportHashes(store.iocs.sha1, HashKind::kSha1, store, out);
  ExportHashes(store.iocs.sha256, HashKind::kSha256, store, out);
  for (const FilenameIoc& f : store.filenames) {
    out.push_back(ExportedIndicator{"filename", f.regex.pattern(), f.score,
                                    store.String(f.description), store.Source(f.file, f.line)});
  }
  for (const auto& [name, n] : store.exact_names) {
    out.push_back(ExportedIndicator{"filename", n.pattern, n.score, store.String(n.description),
                                    store.Source(n.file, 0)});
  }
  for (const NetworkIndicator& n : store.network) {
    out.push_back(ExportedIndicator{std::string(NetworkTypeName(n.type)), n.value, n.score,
                                    n.description, n.source});
  }
  return out;
}

const std::vector<NetworkIndicator>& IocSet::network() const {
  return store_->network;
}

const std::vector<std::string>& IocSet::warnings() const {
  return store_->warnings;
}

IocSummary IocSet::summary() const {
  const IocStore& store = *store_;
  IocSummary out;
  IocCounts& c = out.counts;
  c.md5 = store.iocs.md5.size();
  c.sha1 = store.iocs.sha1.size();
  c.sha256 = store.iocs.sha256.size();
  c.filename = store.filenames.size() + store.exact_names.size();
  for (const FileSummary& file : store.files) {
    c.ip += file.counts.ip;
    c.cidr += file.counts.cidr;
    c.domain += file.counts.domain;
    c.url += file.counts.url;
    c.ja3 += file.counts.ja3;
    c.ja4 += file.counts.ja4;
    c.user_agent += file.counts.user_agent;
  }
  c.allowlist_hash =
      store.allowed.md5.size() + store.allowed.sha1.size() + store.allowed.sha256.size();
  c.allowlist_path = store.allowed_paths.size();
  out.warnings = store.warning_count;
  out.duplicates = store.duplicates;
  out.files = store.files;
  out.skipped_files = store.skipped_files;
  return out;
}

}  // namespace beffroi::ioc
