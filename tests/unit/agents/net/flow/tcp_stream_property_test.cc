// Property tests and the truncation sweep for TcpStream: random segmentations of random streams
// (fixed seeds), and every prefix of every fixture, each segment also cut at every snaplen.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "agents/net/flow/tcp_stream.h"
#include "tests/unit/agents/net/flow/stream_test_util.h"

namespace beffroi::net {
namespace {

using testing::Bytes;
using testing::OneWay;

struct Cut {
  std::uint32_t offset;  // in the stream
  std::uint32_t length;
};

std::string RandomBytes(std::mt19937& rng, std::size_t n) {
  std::string s(n, '\0');
  for (char& c : s)
    c = static_cast<char>(rng() & 0xFF);
  return s;
}

std::uint32_t Uniform(std::mt19937& rng, std::uint32_t lo, std::uint32_t hi) {
  return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng);
}

// Random segments covering [0, n), plus duplicates and overlapping segments of the same data,
// shuffled.
std::vector<Cut> RandomCuts(std::mt19937& rng, std::uint32_t n) {
  std::vector<Cut> cuts;
  for (std::uint32_t off = 0; off < n;) {
    const std::uint32_t len = Uniform(rng, 1, std::min<std::uint32_t>(200, n - off));
    cuts.push_back({off, len});
    off += len;
  }
  const std::size_t extra = Uniform(rng, 0, static_cast<std::uint32_t>(cuts.size()));
  for (std::size_t i = 0; i < extra; ++i) {
    const std::uint32_t a = Uniform(rng, 0, n - 1);
    const std::uint32_t b = std::min(n, a + Uniform(rng, 1, 300));
    cuts.push_back({a, b - a});
  }
  std::shuffle(cuts.begin(), cuts.end(), rng);
  return cuts;
}

std::uint32_t RandomIsn(std::mt19937& rng, int iteration, std::uint32_t n) {
  // A quarter of the streams cross 0xFFFFFFFF.
  return iteration % 4 == 0 ? 0xFFFFFFFFu - Uniform(rng, 0, n) : static_cast<std::uint32_t>(rng());
}

TEST(TcpStreamProperty, ShuffledDuplicatedOverlappingSegmentsComeOutIdentical) {
  std::mt19937 rng(20240611);
  for (int iteration = 0; iteration < 4000; ++iteration) {
    const std::uint32_t n = Uniform(rng, 1, 2000);
    const std::string data = RandomBytes(rng, n);
    const std::uint32_t isn = RandomIsn(rng, iteration, n);
    OneWay w;
    w.Seg(isn, "", tcp_flag::kSyn);
    for (const Cut& c : RandomCuts(rng, n)) {
      const std::uint8_t flags =
          c.offset + c.length == n ? tcp_flag::kAck | tcp_flag::kFin : tcp_flag::kAck;
      w.Seg(isn + 1 + c.offset, std::string_view(data).substr(c.offset, c.length), flags);
    }
    ASSERT_EQ(w.sink.text, data) << "iteration " << iteration;
    ASSERT_EQ(w.sink.gaps, 0u) << "iteration " << iteration;
    ASSERT_EQ(w.sink.closes, 1) << "iteration " << iteration;
    ASSERT_TRUE(w.anomalies.names.empty()) << "iteration " << iteration;
    ASSERT_EQ(w.budget->used(), 0u) << "iteration " << iteration;
  }
}

// With tiny limits, snaplen cuts and ACKs for data not yet seen, bytes may be given up, but
// every byte delivered is the right one at the right place, and the stream is covered exactly.
TEST(TcpStreamProperty, UnderPressureEveryDeliveredByteIsInItsPlace) {
  std::mt19937 rng(77);
  for (int iteration = 0; iteration < 3000; ++iteration) {
    const std::uint32_t n = Uniform(rng, 1, 1500);
    const std::string data = RandomBytes(rng, n);
    const std::uint32_t isn = RandomIsn(rng, iteration, n);
    ReassemblyLimits limits;
    limits.max_buffered_per_stream = Uniform(rng, 1, 600);
    limits.max_buffered_total = Uniform(rng, 1, 900);
    limits.max_segments_per_stream = Uniform(rng, 1, 12);
    OneWay w(limits);
    w.Seg(isn, "", tcp_flag::kSyn);
    std::uint32_t sent_end = 0;
    for (const Cut& c : RandomCuts(rng, n)) {
      const std::uint8_t flags =
          c.offset + c.length == n ? tcp_flag::kAck | tcp_flag::kFin : tcp_flag::kAck;
      const std::uint32_t captured = rng() % 3 == 0 ? Uniform(rng, 0, c.length) : c.length;
      w.stream.OnSegment(isn + 1 + c.offset, flags,
                         Bytes(std::string_view(data).substr(c.offset, captured)), c.length, w.sink,
                         w.anomalies, *w.budget);
      sent_end = std::max(sent_end, c.offset + c.length);
      if (rng() % 4 == 0) w.Ack(isn + 1 + Uniform(rng, 0, sent_end));
      ASSERT_LE(w.budget->used(), limits.max_buffered_total);
      ASSERT_LE(w.stream.buffered_bytes(), limits.max_buffered_per_stream);
      ASSERT_LE(w.stream.buffered_segments(), limits.max_segments_per_stream);
    }
    w.Flush();
    const auto& stats = w.stream.stats();
    ASSERT_EQ(stats.delivered + stats.gap_bytes, n) << "iteration " << iteration;
    ASSERT_EQ(w.sink.text.size(), n);
    for (std::uint32_t i = 0; i < n; ++i) {
      ASSERT_TRUE(w.sink.text[i] == '~' || w.sink.text[i] == data[i])
          << "iteration " << iteration << " offset " << i;
    }
    ASSERT_EQ(w.sink.closes, 1);
    ASSERT_EQ(w.sink.empty_calls, 0);
    ASSERT_EQ(w.budget->used(), 0u);
  }
}

// Fixture segments, as offsets into kReference; offset -1 is the SYN.
struct FixtureSegment {
  int offset;
  std::uint32_t length;
  std::uint8_t flags;
};

constexpr std::string_view kReference = "The quick brown fox jumps over the lazy dog";  // 43

const std::vector<std::vector<FixtureSegment>>& Fixtures() {
  using namespace tcp_flag;  // NOLINT(build/namespaces)
  static const std::vector<std::vector<FixtureSegment>> fixtures = {
      // SYN, in order, FIN on the last segment.
      {{-1, 0, kSyn}, {0, 10, kAck}, {10, 16, kAck}, {26, 17, kAck | kFin}},
      // Reversed, so everything waits in the buffer until the first segment.
      {{-1, 0, kSyn}, {26, 17, kAck | kFin}, {10, 16, kAck}, {0, 10, kAck}},
      // Duplicates and partial overlaps, no SYN.
      {{0, 12, kAck}, {4, 4, kAck}, {20, 10, kAck}, {8, 20, kAck}, {0, 43, kAck | kFin}},
      // RST in the middle with data buffered behind a hole.
      {{-1, 0, kSyn}, {0, 5, kAck}, {15, 5, kAck}, {20, 0, kRst}, {5, 10, kAck}},
  };
  return fixtures;
}

void Feed(OneWay& w, const FixtureSegment& s, std::uint32_t captured) {
  constexpr std::uint32_t kIsn = 0xFFFFFFF8u;  // the fixtures cross the wrap as well
  const std::uint32_t seq = s.offset < 0 ? kIsn : kIsn + 1 + static_cast<std::uint32_t>(s.offset);
  const auto payload =
      kReference.substr(s.offset < 0 ? 0 : static_cast<std::size_t>(s.offset), captured);
  w.stream.OnSegment(seq, s.flags, Bytes(payload), s.length, w.sink, w.anomalies, *w.budget);
}

TEST(TcpStreamTruncation, EveryPrefixOfEveryFixtureEndsCleanly) {
  for (std::size_t f = 0; f < Fixtures().size(); ++f) {
    const auto& fixture = Fixtures()[f];
    // Every fixture's stream starts at kReference[0] (SYN first, or data at offset 0 first).
    for (std::size_t count = 0; count <= fixture.size(); ++count) {
      // The last segment of the prefix is also cut at every captured length (snaplen).
      const std::uint32_t last_length = count == 0 ? 0 : fixture[count - 1].length;
      for (std::uint32_t captured = 0; captured <= last_length; ++captured) {
        OneWay w;
        for (std::size_t i = 0; i + 1 < count; ++i)
          Feed(w, fixture[i], fixture[i].length);
        if (count > 0) Feed(w, fixture[count - 1], captured);
        w.Flush();
        const std::string where = "fixture " + std::to_string(f) + " prefix " +
                                  std::to_string(count) + " captured " + std::to_string(captured);
        ASSERT_EQ(w.sink.closes, 1) << where;
        ASSERT_EQ(w.sink.calls_after_close, 0) << where;
        ASSERT_LE(w.sink.text.size(), kReference.size()) << where;
        for (std::size_t i = 0; i < w.sink.text.size(); ++i) {
          ASSERT_TRUE(w.sink.text[i] == '~' || w.sink.text[i] == kReference[i]) << where;
        }
        ASSERT_TRUE(w.anomalies.names.empty()) << where;
        ASSERT_EQ(w.budget->used(), 0u) << where;
      }
    }
  }
}

}  // namespace
}  // namespace beffroi::net
