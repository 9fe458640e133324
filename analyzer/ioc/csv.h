// RFC 4180 CSV records for IOC lists: quoted fields, "" for a quote, separators and line breaks
// inside quotes.
//
// Internal to beffroi_ioc. CsvRecordBuilder glues physical lines into one record while a
// quoted field is open, bounded by kMaxLineLength bytes per record; SplitCsvRecord cuts a
// record into fields. Unquoted fields are trimmed of spaces and tabs, quoted ones are kept
// exactly. Value types; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace beffroi::ioc {

// Fields of one record, or an error ("unexpected character after a closing quote",
// "unterminated quoted field").
Result<std::vector<std::string>> SplitCsvRecord(std::string_view record);

class CsvRecordBuilder {
 public:
  enum class State { kComplete, kNeedMore, kTooLong };

  // Adds one physical line (without its terminator). kComplete: record() holds a whole record
  // that started at first_line(). kNeedMore: a quoted field spans the line break; feed the
  // next line. kTooLong: the record grew past kMaxLineLength and was dropped.
  State Add(std::string_view line, std::uint64_t line_number);
  // True when a record is half-built (end of input inside a quoted field).
  bool pending() const { return pending_; }
  const std::string& record() const { return record_; }
  std::uint64_t first_line() const { return first_line_; }

 private:
  void Scan(std::string_view text);

  std::string record_;
  std::uint64_t first_line_ = 0;
  bool pending_ = false;
  bool in_quotes_ = false;
  bool at_field_start_ = true;
};

}  // namespace beffroi::ioc
