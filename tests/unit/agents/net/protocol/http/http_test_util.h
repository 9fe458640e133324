// Test helpers for the HTTP parser: an Observer that writes every callback as one line of
// text (body data merged, so that how the bytes were cut does not show), a recording anomaly
// sink, and a script of feeds/gaps/closes that can be replayed cut in different ways.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agents/net/protocol/http/connection.h"

namespace beffroi::net::http::test {

inline std::string DirName(Direction d) {
  return d == Direction::kClientToServer ? "c2s" : "s2c";
}

class Recorder final : public Observer {
 public:
  void OnRequest(const Request& r) override {
    events.push_back("req " + std::to_string(r.index) + " " + r.method + " " + r.uri + " " +
                     r.version + " host=" + r.host + " ua=" + r.user_agent +
                     " ct=" + r.content_type + " ref=" + r.referer + Framing(r));
  }
  void OnResponse(const Response& r) override {
    events.push_back("resp " + std::to_string(r.index) + " " + std::to_string(r.status) + " " +
                     r.version + " reason=" + r.reason + " ct=" + r.content_type +
                     " server=" + r.server + " loc=" + r.location + Framing(r));
  }
  void OnBodyData(Direction dir, std::uint64_t index,
                  std::span<const std::uint8_t> chunk) override {
    const std::string prefix = "body " + DirName(dir) + " " + std::to_string(index) + " ";
    if (chunk.empty()) events.push_back("EMPTY CHUNK");  // the parser should never do this
    if (events.empty() || events.back().rfind(prefix, 0) != 0) events.push_back(prefix);
    events.back().append(chunk.begin(), chunk.end());
  }
  void OnBodyEnd(Direction dir, std::uint64_t index, BodyEnd how) override {
    const char* h = how == BodyEnd::kComplete    ? "complete"
                    : how == BodyEnd::kTruncated ? "truncated"
                                                 : "unbounded";
    events.push_back("end " + DirName(dir) + " " + std::to_string(index) + " " + h);
  }

  std::vector<std::string> events;

 private:
  template <typename M>
  static std::string Framing(const M& m) {
    return " cl=" + (m.content_length ? std::to_string(*m.content_length) : std::string("-")) +
           (m.chunked ? " chunked" : "");
  }
};

class RecordingSink final : public AnomalySink {
 public:
  void Report(std::string_view name, std::string_view) override { names.emplace_back(name); }
  std::vector<std::string> names;
};

// One action on a connection.
struct Action {
  enum Kind { kFeed, kGap, kClose } kind;
  Direction dir;
  std::string bytes;         // kFeed
  std::uint64_t length = 0;  // kGap
};

inline Action C(std::string_view s) {
  return {Action::kFeed, Direction::kClientToServer, std::string(s)};
}
inline Action S(std::string_view s) {
  return {Action::kFeed, Direction::kServerToClient, std::string(s)};
}
inline Action GapC(std::uint64_t n) {
  return {Action::kGap, Direction::kClientToServer, {}, n};
}
inline Action GapS(std::uint64_t n) {
  return {Action::kGap, Direction::kServerToClient, {}, n};
}
inline Action CloseC() {
  return {Action::kClose, Direction::kClientToServer, {}};
}
inline Action CloseS() {
  return {Action::kClose, Direction::kServerToClient, {}};
}

struct Outcome {
  std::vector<std::string> events;
  std::vector<std::string> anomalies;
  bool active = true;
};

inline std::span<const std::uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Replays `script`. With `split_action` = i, the i-th feed is given in two parts cut at
// `split_at`; with `byte_by_byte`, every feed is given one octet at a time.
inline Outcome Replay(const std::vector<Action>& script, std::size_t split_action = SIZE_MAX,
                      std::size_t split_at = 0, bool byte_by_byte = false, Limits limits = {}) {
  Recorder rec;
  RecordingSink sink;
  Connection conn(rec, sink, limits);
  for (std::size_t i = 0; i < script.size(); ++i) {
    const Action& a = script[i];
    if (a.kind == Action::kGap) {
      conn.Gap(a.dir, a.length);
    } else if (a.kind == Action::kClose) {
      conn.Close(a.dir);
    } else if (byte_by_byte) {
      for (std::size_t k = 0; k < a.bytes.size(); ++k)
        conn.Feed(a.dir, Bytes(a.bytes).subspan(k, 1));
    } else if (i == split_action) {
      conn.Feed(a.dir, Bytes(a.bytes).first(split_at));
      conn.Feed(a.dir, Bytes(a.bytes).subspan(split_at));
    } else {
      conn.Feed(a.dir, Bytes(a.bytes));
    }
  }
  return {rec.events, sink.names, conn.active()};
}

}  // namespace beffroi::net::http::test
