// LineReader: bounded line-by-line reading of an IOC list from a file descriptor or a buffer.
//
// Internal to beffroi_ioc. Memory stays bounded whatever the input: a line longer than
// kMaxLineLength is never buffered whole; it is skipped and reported as too long, and reading
// resumes at the next line. Lines come without their "\n" or "\r\n"; a UTF-8 byte order mark
// at the start of the input is dropped. The reader borrows the descriptor or the buffer, which
// must outlive it. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace beffroi::ioc {

// Longest line kept, without its line terminator. Real IOC lines are well under 1 KiB; the
// bound only exists so that a hostile or corrupt list cannot make us buffer gigabytes.
inline constexpr std::size_t kMaxLineLength = 64 * 1024;

struct Line {
  std::string_view text;     // valid until the next call to Next()
  std::uint64_t number = 0;  // 1-based
  bool too_long = false;     // text is empty; the line was longer than kMaxLineLength
};

class LineReader {
 public:
  // Reads from `fd` (not owned); `what` names it in error messages.
  LineReader(int fd, std::string_view what);
  // Reads from `text` (borrowed).
  explicit LineReader(std::string_view text);

  // Returns true and fills `line` for the next line, false at the end of the input. A read
  // error ends the input and is kept in status().
  bool Next(Line& line);
  const Status& status() const { return status_; }

 private:
  // A buffer needs no copy: lines are slices of it.
  bool NextFromText(Line& line);
  // Reads up to `n` bytes from the descriptor into `dst`; returns the count, 0 at the end, -1
  // on error.
  long Fill(char* dst, std::size_t n);
  // Makes room and reads more bytes; returns false at the end of the input or on error.
  bool ReadMore();
  // Discards bytes up to and including the next newline; false when the input ended first.
  bool SkipRestOfLine();

  int fd_ = -1;
  std::string_view what_;
  std::string_view text_;  // buffer mode (fd_ < 0)
  std::size_t text_pos_ = 0;
  std::vector<char> buffer_;  // descriptor mode: one maximal line plus one read
  std::size_t begin_ = 0;     // first unread byte in buffer_
  std::size_t end_ = 0;       // one past the last valid byte in buffer_
  bool eof_ = false;
  bool started_ = false;
  std::uint64_t line_number_ = 0;
  Status status_;
};

}  // namespace beffroi::ioc
