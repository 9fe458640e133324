#include "analyzer/ioc/line_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace beffroi::ioc {
namespace {

// Bytes requested from the source per read; the buffer holds one maximal line plus one read.
constexpr std::size_t kFillChunk = 64 * 1024;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

}  // namespace

LineReader::LineReader(int fd, std::string_view what)
    : fd_(fd), what_(what), buffer_(kMaxLineLength + kFillChunk) {}

LineReader::LineReader(std::string_view text) : text_(text) {}

long LineReader::Fill(char* dst, std::size_t n) {
  for (;;) {
    ssize_t got = ::read(fd_, dst, n);
    if (got >= 0) return static_cast<long>(got);
    if (errno == EINTR) continue;
    status_ = MakeError(ErrorCode::kIo, "read " + std::string(what_) + ": " + std::strerror(errno));
    return -1;
  }
}

bool LineReader::ReadMore() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  std::size_t room = buffer_.size() - end_;
  if (room == 0) return false;
  long got = Fill(buffer_.data() + end_, std::min(room, kFillChunk));
  if (got <= 0) {
    eof_ = true;
    return false;
  }
  end_ += static_cast<std::size_t>(got);
  return true;
}

bool LineReader::SkipRestOfLine() {
  begin_ = end_ = 0;
  while (!eof_) {
    long got = Fill(buffer_.data(), kFillChunk);
    if (got <= 0) {
      eof_ = true;
      return false;
    }
    const char* start = buffer_.data();
    const char* newline =
        static_cast<const char*>(std::memchr(start, '\n', static_cast<std::size_t>(got)));
    if (newline != nullptr) {
      begin_ = static_cast<std::size_t>(newline - start) + 1;
      end_ = static_cast<std::size_t>(got);
      return true;
    }
  }
  return false;
}

bool LineReader::NextFromText(Line& line) {
  if (!started_) {
    started_ = true;
    if (text_.starts_with(kUtf8Bom)) text_pos_ = kUtf8Bom.size();
  }
  if (text_pos_ >= text_.size()) return false;
  std::string_view rest = text_.substr(text_pos_);
  std::size_t newline = rest.find('\n');
  std::string_view text = rest.substr(0, newline);
  text_pos_ += newline == std::string_view::npos ? rest.size() : newline + 1;
  if (text.ends_with('\r')) text.remove_suffix(1);
  line.number = ++line_number_;
  line.too_long = text.size() > kMaxLineLength;
  line.text = line.too_long ? std::string_view() : text;
  return true;
}

bool LineReader::Next(Line& line) {
  if (fd_ < 0) return NextFromText(line);
  if (!started_) {
    started_ = true;
    while (end_ - begin_ < kUtf8Bom.size() && ReadMore()) {
    }
    std::string_view head(buffer_.data() + begin_, end_ - begin_);
    if (head.starts_with(kUtf8Bom)) begin_ += kUtf8Bom.size();
  }
  for (;;) {
    const char* start = buffer_.data() + begin_;
    std::size_t available = end_ - begin_;
    const char* newline = static_cast<const char*>(std::memchr(start, '\n', available));
    if (newline != nullptr || (eof_ && available > 0)) {
      std::size_t length =
          newline != nullptr ? static_cast<std::size_t>(newline - start) : available;
      begin_ += newline != nullptr ? length + 1 : length;
      std::string_view text(start, length);
      if (text.ends_with('\r')) text.remove_suffix(1);
      line.number = ++line_number_;
      line.too_long = text.size() > kMaxLineLength;
      line.text = line.too_long ? std::string_view() : text;
      return true;
    }
    if (eof_) return false;
    if (available > kMaxLineLength + 1) {  // +1: a maximal line may still end with "\r\n"
      line.number = ++line_number_;
      line.too_long = true;
      line.text = std::string_view();
      SkipRestOfLine();
      return true;
    }
    ReadMore();
  }
}

}  // namespace beffroi::ioc
