#include "analyzer/ioc/feed.h"

#include <algorithm>
#include <filesystem>

#include "analyzer/ioc/hash_index.h"
#include "analyzer/ioc/ioc_set.h"
#include "analyzer/ioc/list_loader.h"
#include "analyzer/ioc/network.h"
#include "analyzer/ioc/path_regex.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/text.h"

namespace beffroi::ioc {
namespace {

constexpr std::string_view kTypes[] = {"md5",    "sha1", "sha256", "filename", "ip",        "cidr",
                                       "domain", "url",  "ja3",    "ja4",      "user-agent"};

bool IsRegexSpecial(char c) {
  return std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos;
}

bool IsDigitChar(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::string_view FeedFormatName(FeedFormat format) {
  switch (format) {
    case FeedFormat::kAuto:
      return "auto";
    case FeedFormat::kMisp:
      return "misp";
    case FeedFormat::kStix:
      return "stix";
    case FeedFormat::kLoki:
      return "loki";
    case FeedFormat::kCsv:
      return "csv";
  }
  return "auto";
}

Result<FeedFormat> FeedFormatFromName(std::string_view name) {
  for (FeedFormat f : {FeedFormat::kAuto, FeedFormat::kMisp, FeedFormat::kStix, FeedFormat::kLoki,
                       FeedFormat::kCsv}) {
    if (ToLowerAscii(name) == FeedFormatName(f)) return f;
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown feed format '" + std::string(name) + "' (auto, misp, stix, loki, csv)");
}

void FeedContent::Warn(std::string text) {
  ++warning_count;
  if (warnings.size() < kMaxFeedWarnings) warnings.push_back(ToValidUtf8(text));
}

void FeedContent::Skip(const std::string& reason, std::string warning) {
  ++skipped[reason];
  if (!warning.empty()) Warn(std::move(warning));
}

std::size_t FeedContent::skipped_total() const {
  std::size_t n = 0;
  for (const auto& [reason, count] : skipped)
    n += count;
  return n;
}

bool IsIndicatorType(std::string_view type) {
  return std::find(std::begin(kTypes), std::end(kTypes), type) != std::end(kTypes);
}

Result<std::string> CanonicalIndicator(std::string_view type, std::string_view value) {
  value = TrimSpace(value);
  if (type == "md5" || type == "sha1" || type == "sha256") {
    std::optional<HashKind> kind = HashKindOfHex(value);
    if (!kind || HashKindName(*kind) != type) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "not a hex " + std::string(type) + " digest: " + Quote(value));
    }
    return ToLowerAscii(value);
  }
  if (type == "filename") {
    auto regex = PathRegex::Compile(value);
    if (!regex) return MakeError(ErrorCode::kInvalidArgument, regex.error().message);
    return std::string(value);
  }
  auto network = NetworkTypeFromName(type);
  if (!network) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "unknown indicator type '" + ToValidUtf8(type) + "'");
  }
  auto canonical = CanonicalNetworkValue(*network, value);
  if (!canonical) {
    return MakeError(ErrorCode::kInvalidArgument, canonical.error().message + ": " + Quote(value));
  }
  return canonical;
}

bool FeedContent::Add(FeedIndicator indicator) {
  auto canonical = CanonicalIndicator(indicator.type, indicator.value);
  if (!canonical) {
    Skip("invalid value", indicator.ref + ": " + canonical.error().message);
    return false;
  }
  indicator.value = std::move(canonical).value();
  indicator.comment = ToValidUtf8(indicator.comment);
  std::sort(indicator.techniques.begin(), indicator.techniques.end());
  indicator.techniques.erase(std::unique(indicator.techniques.begin(), indicator.techniques.end()),
                             indicator.techniques.end());
  indicators.push_back(std::move(indicator));
  return true;
}

std::string FileNameRegex(std::string_view name) {
  std::string out = name.find_first_of("/\\") == std::string_view::npos ? "(^|/)" : "";
  for (char c : name) {
    if (IsRegexSpecial(c)) out += '\\';
    out += c;
  }
  out += '$';
  return out;
}

std::optional<std::string> ExactFileName(std::string_view pattern) {
  constexpr std::string_view kStart = "(^|/)";
  if (pattern.size() <= kStart.size() + 1 || !pattern.starts_with(kStart) ||
      !pattern.ends_with('$'))
    return std::nullopt;
  std::string_view body = pattern.substr(kStart.size(), pattern.size() - kStart.size() - 1);
  std::string name;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\\') {
      if (i + 1 >= body.size() || !IsRegexSpecial(body[i + 1])) return std::nullopt;
      c = body[++i];
    } else if (IsRegexSpecial(c)) {
      return std::nullopt;
    }
    if (c == '/' || c == '\\') return std::nullopt;
    name += c;
  }
  return ToLowerAscii(name);
}

std::vector<std::string> TechniqueIds(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i + 5 <= text.size(); ++i) {
    if (text[i] != 'T' || (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) != 0)))
      continue;
    std::size_t j = i + 1;
    while (j < text.size() && IsDigitChar(text[j]))
      ++j;
    if (j - i - 1 != 4) continue;
    std::size_t end = j;
    if (end + 4 <= text.size() && text[end] == '.' && IsDigitChar(text[end + 1]) &&
        IsDigitChar(text[end + 2]) && IsDigitChar(text[end + 3]) &&
        (end + 4 == text.size() || !IsDigitChar(text[end + 4]))) {
      end += 4;
    } else if (end < text.size() && std::isalnum(static_cast<unsigned char>(text[end])) != 0) {
      continue;
    }
    out.emplace_back(text.substr(i, end - i));
    i = end - 1;
  }
  return out;
}

int MispThreatLevelScore(std::string_view level, int fallback) {
  if (level == "1") return 85;  // high
  if (level == "2") return 70;  // medium
  if (level == "3") return 50;  // low
  return fallback;              // 4: undefined
}

int DefaultScoreFor(std::string_view type) {
  if (type == "md5" || type == "sha1" || type == "sha256") return kDefaultHashScore;
  if (type == "filename") return kDefaultFilenameScore;
  return kDefaultNetworkScore;
}

std::string FeedContentHash(const std::vector<FeedIndicator>& indicators) {
  std::vector<const FeedIndicator*> sorted;
  sorted.reserve(indicators.size());
  for (const FeedIndicator& i : indicators)
    sorted.push_back(&i);
  std::sort(sorted.begin(), sorted.end(), [](const FeedIndicator* a, const FeedIndicator* b) {
    return std::tie(a->type, a->value) < std::tie(b->type, b->value);
  });
  MultiHasher hasher(kSha256);
  std::string record;
  for (const FeedIndicator* i : sorted) {
    record.clear();
    record += i->type + '\0' + i->value + '\0' + std::to_string(i->score) + '\0' + i->playbook +
              '\0' + i->comment + '\0';
    for (const std::string& t : i->techniques)
      record += t + ',';
    record += '\n';
    hasher.Update(record);
  }
  return hasher.Finish().sha256;
}

std::size_t MergeDuplicates(std::vector<FeedIndicator>& v) {
  std::stable_sort(v.begin(), v.end(), [](const FeedIndicator& a, const FeedIndicator& b) {
    return std::tie(a.type, a.value) < std::tie(b.type, b.value);
  });
  std::size_t out = 0;
  std::size_t merged = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (out > 0 && v[out - 1].type == v[i].type && v[out - 1].value == v[i].value) {
      FeedIndicator& keep = v[out - 1];
      keep.score = std::max(keep.score, v[i].score);
      keep.techniques.insert(keep.techniques.end(), v[i].techniques.begin(), v[i].techniques.end());
      std::sort(keep.techniques.begin(), keep.techniques.end());
      keep.techniques.erase(std::unique(keep.techniques.begin(), keep.techniques.end()),
                            keep.techniques.end());
      if (keep.playbook.empty()) keep.playbook = v[i].playbook;
      if (keep.comment.empty()) keep.comment = v[i].comment;
      ++merged;
      continue;
    }
    if (out != i) v[out] = std::move(v[i]);
    ++out;
  }
  v.resize(out);
  return merged;
}

Status LoadIocLists(const std::string& path, FeedFormat format, FeedContent& out) {
  IocSet set;
  std::error_code ec;
  Status status;
  if (std::filesystem::is_directory(path, ec)) {
    status = set.LoadDirectory(path);
  } else {
    status = set.Load(path, format == FeedFormat::kCsv ? IocFormat::kCsv : IocFormat::kAuto);
  }
  IocSummary summary = set.summary();
  for (const FileSummary& f : summary.files) {
    out.files.push_back(f.path);
    if (f.format == IocFormat::kTrustedHashList || f.format == IocFormat::kAllowlist) {
      out.Skip("known-good list: not imported as indicators",
               f.path + ": a known-good list, not indicators; use --allowlist for it");
    }
  }
  for (const std::string& w : set.warnings())
    out.Skip("invalid line", w);
  if (summary.warnings > set.warnings().size()) {
    out.skipped["invalid line"] += summary.warnings - set.warnings().size();
    out.warning_count += summary.warnings - set.warnings().size();
  }
  for (ExportedIndicator& e : set.Indicators()) {
    ++out.objects;
    FeedIndicator i;
    i.type = std::move(e.type);
    i.value = std::move(e.value);
    i.score = e.score;
    i.comment = std::move(e.description);
    i.techniques = TechniqueIds(i.comment);
    i.ref = std::move(e.source);
    out.Add(std::move(i));
  }
  return status;
}

}  // namespace beffroi::ioc
