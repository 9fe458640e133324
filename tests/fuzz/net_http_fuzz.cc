// Fuzzes the HTTP/1.x connection parser. The input is a script: each step starts with a
// control octet c — bit 0 picks the direction; bits 1-2 = 0..2 feed the next
// 1 + (c>>3)^2 octets, 3 is a close (bit 3 set) or a gap of (c>>4) octets (15: 1 MiB).
// At the end both directions are closed. The observer checks the Observer contract: every head
// but interim 1xx responses is followed by exactly one body end, no data outside a body, no empty
// chunk, and every string is valid UTF-8 within the field limit.
#include <cstdint>
#include <span>
#include <string>

#include "agents/net/protocol/anomaly.h"
#include "agents/net/protocol/http/connection.h"
#include "common/text.h"

namespace {

using beffroi::net::http::BodyEnd;
using beffroi::net::http::Direction;

constexpr std::size_t kFieldLimit = beffroi::net::http::Limits{}.max_field_length;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

void CheckText(const std::string& s) {
  Check(s.size() <= kFieldLimit && beffroi::IsValidUtf8(s));
}

class CheckingObserver final : public beffroi::net::http::Observer {
 public:
  void OnRequest(const beffroi::net::http::Request& r) override {
    for (const std::string* s :
         {&r.method, &r.uri, &r.version, &r.host, &r.user_agent, &r.content_type, &r.referer}) {
      CheckText(*s);
    }
    Open(0, r.index);
  }
  void OnResponse(const beffroi::net::http::Response& r) override {
    for (const std::string* s : {&r.version, &r.reason, &r.content_type, &r.server, &r.location}) {
      CheckText(*s);
    }
    Check(r.status >= 0 && r.status <= 999);
    if (r.status < 100 || r.status >= 200 || r.status == 101) Open(1, r.index);  // not interim
  }
  void OnBodyData(Direction dir, std::uint64_t index,
                  std::span<const std::uint8_t> chunk) override {
    const int d = dir == Direction::kClientToServer ? 0 : 1;
    Check(open_[d] && index_[d] == index && !chunk.empty());
  }
  void OnBodyEnd(Direction dir, std::uint64_t index, BodyEnd) override {
    const int d = dir == Direction::kClientToServer ? 0 : 1;
    Check(open_[d] && index_[d] == index);
    open_[d] = false;
  }
  bool any_open() const { return open_[0] || open_[1]; }

 private:
  void Open(int d, std::uint64_t index) {
    Check(!open_[d]);
    open_[d] = true;
    index_[d] = index;
  }
  bool open_[2] = {false, false};
  std::uint64_t index_[2] = {0, 0};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  CheckingObserver observer;
  beffroi::net::NullAnomalySink sink;
  beffroi::net::http::Connection conn(observer, sink);
  // Each pass consumes the control octet at least: bounded by the input size.
  while (!in.empty()) {
    const std::uint8_t c = in[0];
    in = in.subspan(1);
    const Direction dir = (c & 1) ? Direction::kServerToClient : Direction::kClientToServer;
    const int kind = (c >> 1) & 3;
    if (kind == 3) {
      if (c & 8) {
        conn.Close(dir);
      } else {
        conn.Gap(dir, (c >> 4) == 15 ? (1u << 20) : (c >> 4));
      }
      continue;
    }
    const std::size_t want = 1 + static_cast<std::size_t>(c >> 3) * (c >> 3);
    const std::size_t n = want < in.size() ? want : in.size();
    conn.Feed(dir, in.first(n));
    in = in.subspan(n);
  }
  conn.Close(Direction::kClientToServer);
  conn.Close(Direction::kServerToClient);
  Check(!observer.any_open());
  Check(!conn.active());
  return 0;
}
