#include "common/event.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/fs.h"
#include "common/json.h"
#include "common/text.h"

namespace beffroi {

namespace {
constexpr std::size_t kWriterBufferBytes = 256 * 1024;
}

Event Event::Make(std::string_view kind, std::string_view dataset) {
  Event e;
  e.Set("schema", kSchemaVersion);
  e.Set("@timestamp", NowTimestamp());
  e.Set("event.kind", kind);
  e.Set("event.dataset", dataset);
  return e;
}

Event MakeAnomaly(std::string_view name, std::string_view message) {
  Event e = Event::Make("event", "beffroi.anomaly");
  e.Set("event.action", name);
  e.Set("beffroi.anomaly.name", name);
  e.Set("error.message", message);
  return e;
}

Result<Event> Event::Parse(std::string_view line) {
  auto parsed = ParseJson(line, "");
  if (!parsed.ok()) return parsed.error();
  nlohmann::json j = std::move(parsed).value();
  if (!j.is_object()) return MakeError(ErrorCode::kCorrupt, "event is not a JSON object");
  auto it = j.find("schema");
  if (it == j.end() || !it->is_string()) {
    return MakeError(ErrorCode::kCorrupt, "event has no \"schema\" field");
  }
  if (it->get_ref<const std::string&>() != kSchemaVersion) {
    return MakeError(ErrorCode::kUnsupported,
                     "unsupported schema \"" + it->get<std::string>() + "\"");
  }
  Event e;
  e.json_ = std::move(j);
  return e;
}

nlohmann::json& Event::Slot(std::string_view dotted_key) {
  // "@timestamp" and other keys without dots are top-level; each dot opens a nested object.
  nlohmann::json* node = &json_;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = dotted_key.find('.', start);
    std::string part(dotted_key.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (!node->is_object()) *node = nlohmann::json::object();
    node = &(*node)[part];
    if (dot == std::string_view::npos) return *node;
    start = dot + 1;
  }
}

Event& Event::Set(std::string_view k, std::string_view v) {
  Slot(k) = IsValidUtf8(v) ? std::string(v) : ToValidUtf8(v);
  return *this;
}
Event& Event::Set(std::string_view k, std::int64_t v) {
  Slot(k) = v;
  return *this;
}
Event& Event::Set(std::string_view k, std::uint64_t v) {
  Slot(k) = v;
  return *this;
}
Event& Event::Set(std::string_view k, double v) {
  Slot(k) = v;
  return *this;
}
Event& Event::Set(std::string_view k, bool v) {
  Slot(k) = v;
  return *this;
}
Event& Event::SetJson(std::string_view k, nlohmann::json v) {
  Slot(k) = std::move(v);
  return *this;
}

const nlohmann::json* Event::Find(std::string_view dotted_key) const {
  const nlohmann::json* node = &json_;
  std::size_t start = 0;
  for (;;) {
    if (!node->is_object()) return nullptr;
    std::size_t dot = dotted_key.find('.', start);
    std::string part(dotted_key.substr(start, dot == std::string_view::npos ? dot : dot - start));
    auto it = node->find(part);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string_view::npos) return node;
    start = dot + 1;
  }
}

std::string Event::GetString(std::string_view dotted_key) const {
  const nlohmann::json* v = Find(dotted_key);
  return (v != nullptr && v->is_string()) ? v->get<std::string>() : std::string();
}

std::string Event::Serialize() const {
  // `replace` keeps serialisation total even if a caller slipped invalid UTF-8 in via SetJson.
  return json_.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// ---------------------------------------------------------------------------------------------

NdjsonWriter::NdjsonWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
  buffer_.reserve(kWriterBufferBytes);
}

NdjsonWriter::~NdjsonWriter() {
  (void)Close();
}

Result<std::unique_ptr<NdjsonWriter>> NdjsonWriter::Create(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return MakeError(ErrorCode::kIo, "create " + path + ": " + std::strerror(errno));
  return std::unique_ptr<NdjsonWriter>(new NdjsonWriter(fd, path));
}

std::unique_ptr<NdjsonWriter> NdjsonWriter::FromFd(int fd, std::string name) {
  return std::unique_ptr<NdjsonWriter>(new NdjsonWriter(fd, std::move(name)));
}

Status NdjsonWriter::Write(const Event& event) {
  std::string line = event.Serialize();
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return MakeError(ErrorCode::kInternal, "write " + path_ + ": writer is closed");
  if (!sticky_error_.ok()) return sticky_error_;
  buffer_ += line;
  ++events_;
  if (buffer_.size() >= kWriterBufferBytes) return FlushLocked();
  return OkStatus();
}

Status NdjsonWriter::FlushLocked() {
  if (buffer_.empty()) return OkStatus();
  Status s = WriteAll(fd_, buffer_.data(), buffer_.size(), path_);
  if (!s.ok()) {
    sticky_error_ = s;
    return s;
  }
  hasher_.Update(buffer_);
  bytes_ += buffer_.size();
  buffer_.clear();
  return OkStatus();
}

Status NdjsonWriter::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return sticky_error_;
  closed_ = true;
  Status s = FlushLocked();
  if (s.ok() && ::fsync(fd_) != 0) {
    s = MakeError(ErrorCode::kIo, "fsync " + path_ + ": " + std::strerror(errno));
  }
  if (::close(fd_) != 0 && s.ok()) {
    s = MakeError(ErrorCode::kIo, "close " + path_ + ": " + std::strerror(errno));
  }
  sha256_ = hasher_.Finish().sha256;
  if (!s.ok()) sticky_error_ = s;
  return s;
}

std::uint64_t NdjsonWriter::events_written() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}
std::uint64_t NdjsonWriter::bytes_written() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_ + buffer_.size();
}
std::string NdjsonWriter::sha256() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sha256_;
}

// ---------------------------------------------------------------------------------------------

Result<std::unique_ptr<NdjsonReader>> NdjsonReader::Open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rbe");
  if (f == nullptr) return MakeError(ErrorCode::kIo, "open " + path + ": " + std::strerror(errno));
  return std::unique_ptr<NdjsonReader>(new NdjsonReader(f, path));
}

NdjsonReader::~NdjsonReader() {
  std::fclose(file_);
}

Result<std::optional<Event>> NdjsonReader::Next() {
  if (failed_) return std::optional<Event>();
  std::string line;
  for (;;) {
    line.clear();
    bool too_long = false;
    bool saw_any = false;
    int c;
    while ((c = getc_unlocked(file_)) != EOF) {
      saw_any = true;
      if (c == '\n') break;
      if (line.size() < kMaxEventLineBytes) {
        line.push_back(static_cast<char>(c));
      } else {
        too_long = true;  // keep consuming up to the newline, but buffer nothing more
      }
    }
    if (std::ferror(file_)) {
      failed_ = true;
      return MakeError(ErrorCode::kIo, path_ + ":" + std::to_string(line_ + 1) +
                                           ": read error: " + std::strerror(errno));
    }
    if (!saw_any) return std::optional<Event>();
    ++line_;
    if (too_long) {
      return MakeError(ErrorCode::kCorrupt, path_ + ":" + std::to_string(line_) +
                                                ": line longer than " +
                                                std::to_string(kMaxEventLineBytes) + " bytes");
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
    auto ev = Event::Parse(line);
    if (!ev.ok()) {
      return MakeError(ev.error().code,
                       path_ + ":" + std::to_string(line_) + ": " + ev.error().message);
    }
    return std::optional<Event>(std::move(ev).value());
  }
}

}  // namespace beffroi
