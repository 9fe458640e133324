#include "analyzer/ioc/list_loader.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "common/text.h"

namespace beffroi::ioc {
namespace {

// Scores far outside 0..100 are clamped anyway; saturating here keeps the arithmetic safe.
constexpr long kScoreSaturation = 1'000'000'000;
constexpr std::size_t kQuotedValueLength = 64;

std::uint32_t StoredLine(std::uint64_t line) {
  return static_cast<std::uint32_t>(
      std::min<std::uint64_t>(line, std::numeric_limits<std::uint32_t>::max()));
}

std::string_view BaseName(std::string_view path) {
  std::size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool HasAlnum(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

}  // namespace

std::string_view TrimSpace(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
  while (!s.empty() && blank(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && blank(s.back()))
    s.remove_suffix(1);
  return s;
}

std::string Quote(std::string_view value) {
  bool cut = value.size() > kQuotedValueLength;
  std::string out = "'" + ToValidUtf8(value.substr(0, kQuotedValueLength));
  out += cut ? "...'" : "'";
  return out;
}

std::optional<long> ParseInteger(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = std::min(kScoreSaturation, value * 10 + (c - '0'));
  }
  return negative ? -value : value;
}

ListLoader::ListLoader(IocStore& store, std::string name, IocFormat format)
    : store_(store), name_(std::move(name)), format_(format), file_id_(store.Intern(name_)) {
  summary_.path = name_;
  if (format_ == IocFormat::kAuto) format_ = FormatFromFileName(BaseName(name_));
}

Status ListLoader::Run(LineReader& reader) {
  Line line;
  while (!stopped_ && reader.Next(line)) {
    if (line.too_long) {
      Warn(line.number, "line longer than " + std::to_string(kMaxLineLength) + " bytes skipped");
      csv_ = CsvRecordBuilder();
      continue;
    }
    HandleLine(line.text, line.number);
  }
  Finish();
  return reader.status();
}

void ListLoader::HandleLine(std::string_view text, std::uint64_t number) {
  if (format_ == IocFormat::kCsv && csv_.pending()) {
    ParseCsvLine(text, number);  // inside a quoted field: blank and '#' lines are data
    return;
  }
  std::string_view line = TrimSpace(text);
  if (line.empty()) return;
  if (line.front() == '#') {
    // Loki: the last comment line describes the entries below it. Decoration lines
    // ("# ------") do not replace it.
    std::size_t start = line.find_first_not_of('#');
    std::string_view body = start == line.npos ? std::string_view() : TrimSpace(line.substr(start));
    if (HasAlnum(body)) section_comment_ = ToValidUtf8(body);
    return;
  }
  if (format_ == IocFormat::kAuto) format_ = SniffFormat(line);
  switch (format_) {
    case IocFormat::kHashList:
      ParseHashLine(line, number, /*allowlist=*/false);
      break;
    case IocFormat::kTrustedHashList:
      ParseHashLine(line, number, /*allowlist=*/true);
      break;
    case IocFormat::kFilenameList:
      ParseFilenameLine(line, number);
      break;
    case IocFormat::kNetworkList:
      ParseC2Line(line, number);
      break;
    case IocFormat::kCsv:
      ParseCsvLine(text, number);
      break;
    case IocFormat::kAllowlist:
      ParseAllowlistLine(line, number);
      break;
    case IocFormat::kAuto:
      break;
  }
}

void ListLoader::Finish() {
  if (format_ == IocFormat::kCsv && csv_.pending()) {
    Warn(csv_.first_line(), "unterminated quoted field at the end of the file");
  }
  std::size_t md5 = store_.iocs.md5.Commit();
  std::size_t sha1 = store_.iocs.sha1.Commit();
  std::size_t sha256 = store_.iocs.sha256.Commit();
  std::size_t allowed =
      store_.allowed.md5.Commit() + store_.allowed.sha1.Commit() + store_.allowed.sha256.Commit();
  summary_.counts.md5 -= md5;
  summary_.counts.sha1 -= sha1;
  summary_.counts.sha256 -= sha256;
  summary_.counts.allowlist_hash -= allowed;
  store_.duplicates += md5 + sha1 + sha256 + allowed;
  summary_.format = format_;
  store_.files.push_back(std::move(summary_));
}

void ListLoader::Warn(std::uint64_t line, std::string_view message) {
  ++summary_.warnings;
  std::string text = name_;
  if (line > 0) text += ":" + std::to_string(line);
  text += ": ";
  text += message;
  store_.AddWarning(std::move(text), stored_warnings_);
}

bool ListLoader::TakeEntry(std::uint64_t line) {
  if (entries_ >= store_.limits.max_entries_per_file) {
    Warn(line, "more than " + std::to_string(store_.limits.max_entries_per_file) +
                   " entries; the rest of the file is ignored");
    stopped_ = true;
    summary_.truncated = true;
    return false;
  }
  ++entries_;
  return true;
}

std::optional<int> ListLoader::ParseScore(std::string_view text, int fallback, std::uint64_t line) {
  text = TrimSpace(text);
  if (text.empty()) return fallback;
  std::optional<long> value = ParseInteger(text);
  if (!value) {
    Warn(line, "score " + Quote(text) + " is not an integer; line skipped");
    return std::nullopt;
  }
  long clamped = std::clamp<long>(*value, kMinScore, kMaxScore);
  if (clamped != *value) {
    Warn(line, "score " + std::to_string(*value) + " outside " + std::to_string(kMinScore) + ".." +
                   std::to_string(kMaxScore) + ", clamped to " + std::to_string(clamped));
  }
  return static_cast<int>(clamped);
}

std::uint32_t ListLoader::Description(std::string_view own_comment) {
  own_comment = TrimSpace(own_comment);
  std::string_view text = own_comment.empty() ? std::string_view(section_comment_) : own_comment;
  // Consecutive entries usually share their description: skip the UTF-8 check and the lookup.
  if (last_description_id_ != 0 && text == last_description_) return last_description_id_;
  std::uint32_t id = store_.Intern(own_comment.empty() ? text : ToValidUtf8(text));
  last_description_ = text;
  last_description_id_ = id;
  return id;
}

void ListLoader::AddHash(HashKind kind, std::string_view hex, int score, std::string_view comment,
                         std::uint64_t line, bool allowlist) {
  if (!allowlist && IsTrivialContentHash(hex)) {
    Warn(line,
         "hash of empty content (or of a lone newline) ignored: it would flag every "
         "such file");
    return;
  }
  if (!TakeEntry(line)) return;
  HashMeta meta{allowlist ? 0 : Description(comment), file_id_, StoredLine(line),
                static_cast<std::uint8_t>(score)};
  HashIndexes& target = allowlist ? store_.allowed : store_.iocs;
  IocCounts& counts = summary_.counts;
  bool added = false;
  switch (kind) {
    case HashKind::kMd5: {
      std::array<std::uint8_t, 16> digest;
      added = DecodeHex(hex, digest);
      if (added) target.md5.Add(digest, meta);
      if (added && !allowlist) ++counts.md5;
      break;
    }
    case HashKind::kSha1: {
      std::array<std::uint8_t, 20> digest;
      added = DecodeHex(hex, digest);
      if (added) target.sha1.Add(digest, meta);
      if (added && !allowlist) ++counts.sha1;
      break;
    }
    case HashKind::kSha256: {
      std::array<std::uint8_t, 32> digest;
      added = DecodeHex(hex, digest);
      if (added) target.sha256.Add(digest, meta);
      if (added && !allowlist) ++counts.sha256;
      break;
    }
  }
  if (added && allowlist) ++counts.allowlist_hash;
}

void ListLoader::AddFilename(std::string_view regex, std::string_view fp_regex, int score,
                             std::string_view comment, std::uint64_t line) {
  Result<PathRegex> compiled = PathRegex::Compile(regex);
  if (!compiled) {
    Warn(line, compiled.error().message + ": " + Quote(regex));
    return;
  }
  std::optional<PathRegex> false_positive;
  fp_regex = TrimSpace(fp_regex);
  if (!fp_regex.empty()) {
    Result<PathRegex> fp = PathRegex::Compile(fp_regex);
    if (!fp) {
      Warn(line,
           "false-positive " + fp.error().message + ": " + Quote(fp_regex) + "; entry skipped");
      return;
    }
    false_positive = std::move(fp).value();
  }
  if (!TakeEntry(line)) return;
  store_.filenames.push_back(FilenameIoc{std::move(compiled).value(), std::move(false_positive),
                                         score, Description(comment), file_id_, StoredLine(line),
                                         0});
  ++summary_.counts.filename;
}

void ListLoader::AddNetwork(NetworkType type, std::string_view value, int score,
                            std::string_view comment, std::uint64_t line) {
  value = TrimSpace(value);
  Result<std::string> canonical = CanonicalNetworkValue(type, value);
  if (!canonical) {
    Warn(line, canonical.error().message + ": " + Quote(value));
    return;
  }
  if (!TakeEntry(line)) return;
  store_.network.push_back(NetworkIndicator{type,
                                            std::move(canonical).value(),
                                            score,
                                            store_.String(Description(comment)),
                                            store_.Source(file_id_, StoredLine(line)),
                                            {},
                                            {}});
  IocCounts& c = summary_.counts;
  switch (type) {
    case NetworkType::kIp:
      ++c.ip;
      break;
    case NetworkType::kCidr:
      ++c.cidr;
      break;
    case NetworkType::kDomain:
      ++c.domain;
      break;
    case NetworkType::kUrl:
      ++c.url;
      break;
    case NetworkType::kJa3:
      ++c.ja3;
      break;
    case NetworkType::kJa4:
      ++c.ja4;
      break;
    case NetworkType::kUserAgent:
      ++c.user_agent;
      break;
  }
}

void ListLoader::AddAllowlistPath(std::string_view regex, std::uint64_t line) {
  Result<PathRegex> compiled = PathRegex::Compile(TrimSpace(regex));
  if (!compiled) {
    Warn(line, compiled.error().message + ": " + Quote(regex));
    return;
  }
  if (!TakeEntry(line)) return;
  store_.allowed_paths.push_back(
      AllowlistPath{std::move(compiled).value(), file_id_, StoredLine(line)});
  ++summary_.counts.allowlist_path;
}

}  // namespace beffroi::ioc
