// The evidence event model: one JSON object per event, ECS field names, NDJSON on disk.
//
// An Event is a nested JSON object addressed with dotted ECS keys ("file.hash.sha256").
// Every event carries "schema": "beffroi/1", "@timestamp", "event.kind" and "event.dataset"
// (the discriminator: "beffroi.file", "beffroi.process", "beffroi.anomaly", ...; see
// docs/evidence-schema.md). Strings are forced to valid UTF-8 on the way in, so serialising an
// event never fails. Event is a value type (thread-compatible).
//
// NdjsonWriter appends events to a file, hashing every byte it writes so the bundle manifest
// needs no second read; it is thread-safe. NdjsonReader streams a file line by line with a
// bounded line length, reporting "FILE:LINE: message" for each bad line and going on.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/hash.h"
#include "common/result.h"

namespace beffroi {

inline constexpr std::string_view kSchemaVersion = "beffroi/1";
// One event line may not exceed this; a longer line is reported and skipped, never buffered.
inline constexpr std::size_t kMaxEventLineBytes = 16 * 1024 * 1024;

class Event {
 public:
  Event() : json_(nlohmann::json::object()) {}
  // A new event stamped now: schema, @timestamp, event.kind and event.dataset.
  static Event Make(std::string_view kind, std::string_view dataset);
  static Result<Event> Parse(std::string_view line);

  Event& Set(std::string_view dotted_key, std::string_view value);
  Event& Set(std::string_view dotted_key, const char* value) {
    return Set(dotted_key, std::string_view(value));
  }
  Event& Set(std::string_view dotted_key, const std::string& value) {
    return Set(dotted_key, std::string_view(value));
  }
  Event& Set(std::string_view dotted_key, std::int64_t value);
  Event& Set(std::string_view dotted_key, std::uint64_t value);
  Event& Set(std::string_view dotted_key, int value) {
    return Set(dotted_key, static_cast<std::int64_t>(value));
  }
  Event& Set(std::string_view dotted_key, unsigned value) {
    return Set(dotted_key, static_cast<std::uint64_t>(value));
  }
  Event& Set(std::string_view dotted_key, double value);
  Event& Set(std::string_view dotted_key, bool value);
  // Any JSON value; strings inside must already be valid UTF-8 (use ToValidUtf8).
  Event& SetJson(std::string_view dotted_key, nlohmann::json value);

  // The value at a dotted key, or nullptr.
  const nlohmann::json* Find(std::string_view dotted_key) const;
  // The string at a dotted key, or "" when absent or not a string.
  std::string GetString(std::string_view dotted_key) const;
  std::string dataset() const { return GetString("event.dataset"); }

  const nlohmann::json& json() const { return json_; }
  // Compact single-line JSON, no trailing newline.
  std::string Serialize() const;

 private:
  nlohmann::json& Slot(std::string_view dotted_key);
  nlohmann::json json_;
};

// An anomaly: something odd about the evidence itself (zeek's "weird"). `name` is stable and
// dotted ("file.permission_denied", "dns.pointer_loop"); `message` says what happened.
Event MakeAnomaly(std::string_view name, std::string_view message);

class NdjsonWriter {
 public:
  // Creates `path` (it must not exist: evidence is never overwritten).
  static Result<std::unique_ptr<NdjsonWriter>> Create(const std::string& path);
  // Takes ownership of a descriptor opened for writing; `name` is used in errors.
  static std::unique_ptr<NdjsonWriter> FromFd(int fd, std::string name);
  ~NdjsonWriter();
  NdjsonWriter(const NdjsonWriter&) = delete;
  NdjsonWriter& operator=(const NdjsonWriter&) = delete;

  Status Write(const Event& event);
  // Flushes and fsyncs; further writes fail. Idempotent.
  Status Close();

  std::uint64_t events_written() const;
  std::uint64_t bytes_written() const;
  // SHA-256 of everything written; valid after Close().
  std::string sha256() const;

 private:
  explicit NdjsonWriter(int fd, std::string path);
  Status FlushLocked();

  mutable std::mutex mu_;
  int fd_;
  std::string path_;
  std::string buffer_;
  MultiHasher hasher_{kSha256};
  std::string sha256_;
  std::uint64_t events_ = 0;
  std::uint64_t bytes_ = 0;
  bool closed_ = false;
  Status sticky_error_;
};

class NdjsonReader {
 public:
  static Result<std::unique_ptr<NdjsonReader>> Open(const std::string& path);
  ~NdjsonReader();
  NdjsonReader(const NdjsonReader&) = delete;
  NdjsonReader& operator=(const NdjsonReader&) = delete;

  // The next event; std::nullopt at end of file. A bad line yields an Error
  // ("FILE:LINE: message") and the next call continues after it. A read error is final.
  Result<std::optional<Event>> Next();
  std::uint64_t line_number() const { return line_; }

 private:
  NdjsonReader(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  std::FILE* file_;
  std::string path_;
  std::uint64_t line_ = 0;
  bool failed_ = false;
};

}  // namespace beffroi
