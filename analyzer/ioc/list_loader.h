// ListLoader: reads one IOC list (any IocFormat) line by line into an IocStore.
//
// Internal to beffroi_ioc. One loader per file: it resolves kAuto, tracks the "# comment"
// section that describes the entries below it, turns every bad line into a warning
// "FILE:LINE: message", enforces the per-file entry limit, and at the end commits the hash
// indexes and appends the file's FileSummary. The line formats live in list_formats.cc, the
// framework in list_loader.cc. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/ioc/csv.h"
#include "analyzer/ioc/hash_index.h"
#include "analyzer/ioc/ioc_set.h"
#include "analyzer/ioc/ioc_store.h"
#include "analyzer/ioc/line_reader.h"
#include "analyzer/ioc/network.h"

namespace beffroi::ioc {

class ListLoader {
 public:
  // `name` is the file as the user named it; it prefixes every warning and source.
  ListLoader(IocStore& store, std::string name, IocFormat format);

  // Reads every line; the returned Status is the reader's (an I/O error), never a line's.
  Status Run(LineReader& reader);

 private:
  struct CsvColumns {
    std::size_t type = 0;
    std::size_t value = 1;
    std::optional<std::size_t> score = 2;
    std::optional<std::size_t> comment = 3;
  };

  // list_loader.cc: framework.
  void HandleLine(std::string_view text, std::uint64_t number);
  void Finish();
  void Warn(std::uint64_t line, std::string_view message);
  // False (after a warning, once) when the file already gave max_entries_per_file entries.
  bool TakeEntry(std::uint64_t line);
  // Parses an optional score: nullopt (after a warning) when `text` is not an integer;
  // `fallback` when it is empty; clamped to kMinScore..kMaxScore with a warning.
  std::optional<int> ParseScore(std::string_view text, int fallback, std::uint64_t line);
  std::uint32_t Description(std::string_view own_comment);
  // `hex` must be a valid digest of `kind` (HashKindOfHex).
  void AddHash(HashKind kind, std::string_view hex, int score, std::string_view comment,
               std::uint64_t line, bool allowlist);
  void AddFilename(std::string_view regex, std::string_view fp_regex, int score,
                   std::string_view comment, std::uint64_t line);
  void AddNetwork(NetworkType type, std::string_view value, int score, std::string_view comment,
                  std::uint64_t line);
  void AddAllowlistPath(std::string_view regex, std::uint64_t line);

  // list_formats.cc: one function per line format.
  void ParseHashLine(std::string_view line, std::uint64_t number, bool allowlist);
  void ParseFilenameLine(std::string_view line, std::uint64_t number);
  void ParseC2Line(std::string_view line, std::uint64_t number);
  void ParseAllowlistLine(std::string_view line, std::uint64_t number);
  void ParseCsvLine(std::string_view line, std::uint64_t number);
  void ParseCsvRecord(std::string_view record, std::uint64_t number);
  bool ParseCsvHeader(const std::vector<std::string>& fields, std::uint64_t number);

  IocStore& store_;
  std::string name_;
  IocFormat format_;
  std::uint32_t file_id_;
  FileSummary summary_;
  std::string section_comment_;
  std::string last_description_;  // as written; id 0 means none yet
  std::uint32_t last_description_id_ = 0;
  std::size_t entries_ = 0;
  std::size_t stored_warnings_ = 0;
  bool stopped_ = false;
  CsvRecordBuilder csv_;
  CsvColumns csv_columns_;
  bool csv_started_ = false;
};

// Helpers shared by the two halves, exposed for the tests.
std::string_view TrimSpace(std::string_view s);
// "'value'" shortened to 64 bytes and made valid UTF-8, for warning messages.
std::string Quote(std::string_view value);
// Integer with an optional sign; saturates far outside the score range; nullopt otherwise.
std::optional<long> ParseInteger(std::string_view text);

}  // namespace beffroi::ioc
