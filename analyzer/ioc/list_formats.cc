// The line formats of ListLoader (see rules/ioc/README.md for the user-facing description).
#include <algorithm>
#include <array>

#include "analyzer/ioc/list_loader.h"
#include "common/text.h"

namespace beffroi::ioc {
namespace {

// Splits `line` at its first ';': {before, after}; `after` is empty without a ';'.
std::pair<std::string_view, std::string_view> SplitSemicolon(std::string_view line) {
  std::size_t semi = line.find(';');
  if (semi == std::string_view::npos) return {line, {}};
  return {line.substr(0, semi), line.substr(semi + 1)};
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && ToLowerAscii(text.substr(0, prefix.size())) == prefix;
}

std::string_view HashTypeLabel(HashKind kind) {
  switch (kind) {
    case HashKind::kMd5:
      return "32 digit hex MD5";
    case HashKind::kSha1:
      return "40 digit hex SHA-1";
    case HashKind::kSha256:
      return "64 digit hex SHA-256";
  }
  return "hex hash";
}

std::optional<HashKind> HashKindFromName(std::string_view name) {
  for (HashKind kind : {HashKind::kMd5, HashKind::kSha1, HashKind::kSha256}) {
    if (name == HashKindName(kind)) return kind;
  }
  return std::nullopt;
}

constexpr std::string_view kCsvTypes =
    "md5, sha1, sha256, hash, filename, ip, cidr, domain, url, ja3, ja4, user-agent";

}  // namespace

// HASH;SCORE;COMMENT | HASH;COMMENT | HASH. The second field is a score only when it is an
// integer, so a comment that contains ';' survives whole.
void ListLoader::ParseHashLine(std::string_view line, std::uint64_t number, bool allowlist) {
  auto [hex, rest] = SplitSemicolon(line);
  hex = TrimSpace(hex);
  std::optional<HashKind> kind = HashKindOfHex(hex);
  if (!kind) {
    Warn(number, "not a 32, 40 or 64 digit hex hash: " + Quote(hex));
    return;
  }
  int score = kDefaultHashScore;
  std::string_view comment = rest;
  auto [head, tail] = SplitSemicolon(rest);
  bool empty_score = TrimSpace(head).empty() && rest.find(';') != std::string_view::npos;
  if (empty_score || ParseInteger(TrimSpace(head))) {  // "HASH;;COMMENT": default score
    score = ParseScore(head, kDefaultHashScore, number).value_or(kDefaultHashScore);
    comment = tail;
  }
  AddHash(*kind, hex, score, comment, number, allowlist);
}

// REGEX;SCORE;FP_REGEX | REGEX;SCORE | REGEX (Loki splits on ';', so REGEX holds none; the
// false-positive regex takes the rest of the line).
void ListLoader::ParseFilenameLine(std::string_view line, std::uint64_t number) {
  auto [regex, rest] = SplitSemicolon(line);
  auto [score_text, fp_regex] = SplitSemicolon(rest);
  regex = TrimSpace(regex);
  if (regex.empty()) {
    Warn(number, "empty regex");
    return;
  }
  std::optional<int> score = ParseScore(score_text, kDefaultFilenameScore, number);
  if (!score) return;
  AddFilename(regex, fp_regex, *score, {}, number);
}

// DOMAIN|IP|CIDR[;SCORE[;COMMENT]] (THOR's optional score; Loki ignores it).
void ListLoader::ParseC2Line(std::string_view line, std::uint64_t number) {
  auto [value, rest] = SplitSemicolon(line);
  auto [score_text, comment] = SplitSemicolon(rest);
  value = TrimSpace(value);
  std::optional<int> score = ParseScore(score_text, kDefaultNetworkScore, number);
  if (!score) return;
  AddNetwork(ClassifyC2Value(value), value, *score, comment, number);
}

// [md5|sha1|sha256 (':' | ' ')] HEX [(';' | ' ' | '#') COMMENT]  |  path:REGEX
void ListLoader::ParseAllowlistLine(std::string_view line, std::uint64_t number) {
  if (StartsWithNoCase(line, "path:")) {
    AddAllowlistPath(line.substr(5), number);
    return;
  }
  std::optional<HashKind> expected;
  for (HashKind kind : {HashKind::kSha256, HashKind::kSha1, HashKind::kMd5}) {
    std::string_view name = HashKindName(kind);
    if (line.size() > name.size() && StartsWithNoCase(line, name) &&
        (line[name.size()] == ':' || line[name.size()] == ' ' || line[name.size()] == '\t')) {
      expected = kind;
      line = TrimSpace(line.substr(name.size() + 1));
      break;
    }
  }
  std::string_view hex = line.substr(0, line.find_first_of(" \t;#"));
  std::optional<HashKind> kind = HashKindOfHex(hex);
  if (!kind) {
    Warn(number, "not a 32, 40 or 64 digit hex hash, nor path:REGEX: " + Quote(hex));
    return;
  }
  if (expected && *kind != *expected) {
    Warn(number, "not a " + std::string(HashTypeLabel(*expected)) + ": " + Quote(hex));
    return;
  }
  AddHash(*kind, hex, kMinScore, {}, number, /*allowlist=*/true);
}

void ListLoader::ParseCsvLine(std::string_view line, std::uint64_t number) {
  switch (csv_.Add(line, number)) {
    case CsvRecordBuilder::State::kNeedMore:
      return;
    case CsvRecordBuilder::State::kTooLong:
      Warn(csv_.first_line(),
           "CSV record longer than " + std::to_string(kMaxLineLength) + " bytes skipped");
      return;
    case CsvRecordBuilder::State::kComplete:
      ParseCsvRecord(csv_.record(), csv_.first_line());
      return;
  }
}

bool ListLoader::ParseCsvHeader(const std::vector<std::string>& fields, std::uint64_t number) {
  // A header names a "type" column first, or names both "type" and "value"/"indicator".
  std::vector<std::string> names;
  for (const std::string& field : fields)
    names.push_back(ToLowerAscii(TrimSpace(field)));
  auto has = [&](std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  bool header =
      (!names.empty() && names[0] == "type") || (has("type") && (has("value") || has("indicator")));
  if (!header) {
    Warn(number, "no CSV header line; reading columns as type,value,score,comment");
    return false;
  }
  CsvColumns columns;
  columns.score.reset();
  columns.comment.reset();
  bool has_type = false;
  bool has_value = false;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    if (name == "type") {
      columns.type = i;
      has_type = true;
    } else if (name == "value" || name == "indicator") {
      columns.value = i;
      has_value = true;
    } else if (name == "score") {
      columns.score = i;
    } else if (name == "comment" || name == "description") {
      columns.comment = i;
    }
  }
  if (has_type && has_value) {
    csv_columns_ = columns;
  } else {
    Warn(number, "CSV header has no 'value' column; reading columns as type,value,score,comment");
  }
  return true;
}

void ListLoader::ParseCsvRecord(std::string_view record, std::uint64_t number) {
  Result<std::vector<std::string>> split = SplitCsvRecord(record);
  if (!split) {
    Warn(number, split.error().message);
    return;
  }
  const std::vector<std::string>& fields = *split;
  if (!csv_started_) {
    csv_started_ = true;
    if (ParseCsvHeader(fields, number)) return;
  }
  const CsvColumns& col = csv_columns_;
  if (fields.size() <= std::max(col.type, col.value)) {
    Warn(number, "CSV record has " + std::to_string(fields.size()) +
                     " field(s); expected type,value[,score[,comment]]");
    return;
  }
  auto optional_field = [&](std::optional<std::size_t> i) -> std::string_view {
    return i && *i < fields.size() ? std::string_view(fields[*i]) : std::string_view();
  };
  std::string type = ToLowerAscii(TrimSpace(fields[col.type]));
  std::string_view value = fields[col.value];
  std::string_view score_text = optional_field(col.score);
  std::string_view comment = optional_field(col.comment);

  if (std::optional<HashKind> named = HashKindFromName(type); named || type == "hash") {
    std::string_view hex = TrimSpace(value);
    std::optional<HashKind> kind = HashKindOfHex(hex);
    if (named && kind != named) {
      Warn(number, "not a " + std::string(HashTypeLabel(*named)) + ": " + Quote(value));
      return;
    }
    if (!kind) {
      Warn(number, "not a 32, 40 or 64 digit hex hash: " + Quote(value));
      return;
    }
    std::optional<int> score = ParseScore(score_text, kDefaultHashScore, number);
    if (score) AddHash(*kind, hex, *score, comment, number, /*allowlist=*/false);
  } else if (type == "filename") {
    std::optional<int> score = ParseScore(score_text, kDefaultFilenameScore, number);
    if (score) AddFilename(value, {}, *score, comment, number);
  } else if (std::optional<NetworkType> network = NetworkTypeFromName(type)) {
    std::optional<int> score = ParseScore(score_text, kDefaultNetworkScore, number);
    if (score) AddNetwork(*network, value, *score, comment, number);
  } else {
    Warn(number, "unknown type " + Quote(type) + " (known: " + std::string(kCsvTypes) + ")");
  }
}

}  // namespace beffroi::ioc
