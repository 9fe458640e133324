#include "analyzer/ioc/csv.h"

#include "analyzer/ioc/line_reader.h"

namespace beffroi::ioc {
namespace {

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::vector<std::string>> SplitCsvRecord(std::string_view record) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  for (;;) {
    while (i < record.size() && (record[i] == ' ' || record[i] == '\t'))
      ++i;
    std::string field;
    if (i < record.size() && record[i] == '"') {
      ++i;
      bool closed = false;
      while (i < record.size()) {
        char c = record[i++];
        if (c != '"') {
          field += c;
        } else if (i < record.size() && record[i] == '"') {
          field += '"';
          ++i;
        } else {
          closed = true;
          break;
        }
      }
      if (!closed) return MakeError(ErrorCode::kCorrupt, "unterminated quoted field");
      while (i < record.size() && (record[i] == ' ' || record[i] == '\t'))
        ++i;
      if (i < record.size() && record[i] != ',') {
        return MakeError(ErrorCode::kCorrupt, "unexpected character after a closing quote");
      }
    } else {
      std::size_t comma = record.find(',', i);
      if (comma == std::string_view::npos) comma = record.size();
      field = std::string(TrimBlanks(record.substr(i, comma - i)));
      i = comma;
    }
    fields.push_back(std::move(field));
    if (i >= record.size()) break;
    ++i;  // the comma
  }
  return fields;
}

void CsvRecordBuilder::Scan(std::string_view text) {
  // Quotes only open at the start of a field; inside an open field every quote toggles ("" closes
  // and reopens), so this tracks RFC 4180 quoting without splitting.
  for (char c : text) {
    if (in_quotes_) {
      if (c == '"') in_quotes_ = false;
    } else if (c == '"' && at_field_start_) {
      in_quotes_ = true;
    } else if (c == ',') {
      at_field_start_ = true;
    } else if (c != ' ' && c != '\t') {
      at_field_start_ = false;
    }
  }
}

CsvRecordBuilder::State CsvRecordBuilder::Add(std::string_view line, std::uint64_t line_number) {
  if (!pending_) {
    record_.clear();
    first_line_ = line_number;
    in_quotes_ = false;
    at_field_start_ = true;
  } else {
    record_ += '\n';
  }
  if (record_.size() + line.size() > kMaxLineLength) {
    record_.clear();
    pending_ = false;
    return State::kTooLong;
  }
  record_ += line;
  Scan(line);
  pending_ = in_quotes_;
  return pending_ ? State::kNeedMore : State::kComplete;
}

}  // namespace beffroi::ioc
