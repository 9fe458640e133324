#include "agents/net/protocol/ip/fragment_reassembler.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "tests/unit/agents/net/protocol/ip/test_util.h"

namespace beffroi::net::ip {
namespace {

using fixtures::RecordingSink;

constexpr std::int64_t kSecond = 1'000'000'000;

// A datagram's fragmentable part: bytes 0, 1, 2, ... so that any misplaced copy shows.
std::vector<std::uint8_t> Pattern(std::size_t n, std::uint8_t start = 0) {
  std::vector<std::uint8_t> out(n);
  std::iota(out.begin(), out.end(), start);
  return out;
}

FragmentKey Key(std::uint32_t id = 7, std::uint8_t last_octet = 1) {
  const std::uint8_t src[4] = {10, 0, 0, last_octet};
  const std::uint8_t dst[4] = {10, 0, 0, 2};
  return FragmentKey{IpAddress::V4(src), IpAddress::V4(dst), id, 17};
}

Fragment Piece(const std::vector<std::uint8_t>& whole, std::uint32_t offset, std::uint32_t length,
               bool more, FragmentKey key = Key()) {
  return Fragment{key, offset, more, std::span(whole).subspan(offset, length), 20, 64};
}

class ReassemblerTest : public ::testing::Test {
 protected:
  FragmentResult Add(const Fragment& fragment) {
    return reassembler_.Add(fragment, out_, info_, sink_);
  }
  FragmentReassembler reassembler_;
  std::vector<std::uint8_t> out_;
  Reassembled info_;
  RecordingSink sink_;
};

TEST_F(ReassemblerTest, OutOfOrderFragmentsComplete) {
  const auto whole = Pattern(40);
  EXPECT_EQ(Add(Piece(whole, 32, 8, false)), FragmentResult::kPending);
  EXPECT_EQ(Add(Piece(whole, 16, 16, true)), FragmentResult::kPending);
  EXPECT_EQ(reassembler_.stats().pending, 1u);
  ASSERT_EQ(Add(Piece(whole, 0, 16, true)), FragmentResult::kComplete);
  EXPECT_EQ(out_, whole);
  EXPECT_EQ(info_.fragments, 3u);
  EXPECT_EQ(info_.ttl, 64);
  EXPECT_TRUE(sink_.names.empty());
  EXPECT_EQ(reassembler_.stats().reassembled, 1u);
  EXPECT_EQ(reassembler_.stats().pending, 0u);
  EXPECT_EQ(reassembler_.stats().buffered_bytes, 0u);
}

TEST_F(ReassemblerTest, DifferentKeysDoNotMix) {
  const auto whole = Pattern(16);
  EXPECT_EQ(Add(Piece(whole, 0, 8, true, Key(1))), FragmentResult::kPending);
  EXPECT_EQ(Add(Piece(whole, 8, 8, false, Key(2))), FragmentResult::kPending);
  EXPECT_EQ(Add(Piece(whole, 8, 8, false, Key(1, 9))), FragmentResult::kPending);
  EXPECT_EQ(reassembler_.stats().pending, 3u);
  EXPECT_EQ(Add(Piece(whole, 8, 8, false, Key(1))), FragmentResult::kComplete);
}

TEST_F(ReassemblerTest, OverlapWithSameDataIsQuiet) {
  const auto whole = Pattern(32);
  EXPECT_EQ(Add(Piece(whole, 0, 16, true)), FragmentResult::kPending);
  EXPECT_EQ(Add(Piece(whole, 8, 16, true)), FragmentResult::kPending);  // retransmitted overlap
  ASSERT_EQ(Add(Piece(whole, 16, 16, false)), FragmentResult::kComplete);
  EXPECT_EQ(out_, whole);
  EXPECT_TRUE(sink_.names.empty());
  EXPECT_EQ(reassembler_.stats().overlap_mismatches, 0u);
}

TEST_F(ReassemblerTest, OverlapWithDifferentDataKeepsTheFirst) {
  const auto whole = Pattern(32);
  auto evil = whole;
  for (std::size_t i = 8; i < 24; ++i)
    evil[i] = 0xEE;
  EXPECT_EQ(Add(Piece(whole, 0, 16, true)), FragmentResult::kPending);
  // Overlaps [8,16) with different bytes, fills the gap [16,24) with its own.
  EXPECT_EQ(Add(Piece(evil, 8, 16, true)), FragmentResult::kPending);
  ASSERT_EQ(sink_.names.size(), 1u);
  EXPECT_EQ(sink_.names[0], "ip.fragment_overlap_mismatch");
  ASSERT_EQ(Add(Piece(whole, 24, 8, false)), FragmentResult::kComplete);
  ASSERT_EQ(out_.size(), 32u);
  EXPECT_EQ(out_[8], whole[8]) << "first data kept in the overlap";
  EXPECT_EQ(out_[16], 0xEE) << "the gap took the second fragment's bytes";
  EXPECT_EQ(out_[24], whole[24]);
  EXPECT_EQ(reassembler_.stats().overlap_mismatches, 1u);
}

TEST_F(ReassemblerTest, FragmentPastTheMaximumIsRefused) {
  const auto data = Pattern(16);
  const Fragment fragment{Key(), 65520, false, data, 20, 64};  // 20 + 65520 + 16 > 65535
  EXPECT_EQ(Add(fragment), FragmentResult::kDropped);
  ASSERT_EQ(sink_.names.size(), 1u);
  EXPECT_EQ(sink_.names[0], "ip.fragment_too_large");
  EXPECT_EQ(reassembler_.stats().pending, 0u);
  // 20 + 65512 + 3 = 65535 is allowed.
  const Fragment last{Key(), 65512, false, std::span(data).first(3), 20, 64};
  EXPECT_EQ(Add(last), FragmentResult::kPending);
}

TEST_F(ReassemblerTest, NonFinalFragmentMustBeMultipleOfEight) {
  const auto whole = Pattern(20);
  EXPECT_EQ(Add(Piece(whole, 0, 12, true)), FragmentResult::kDropped);
  ASSERT_EQ(sink_.names.size(), 1u);
  EXPECT_EQ(sink_.names[0], "ip.fragment_bad_length");
}

TEST_F(ReassemblerTest, ConflictingEndsAreRefused) {
  const auto whole = Pattern(48);
  EXPECT_EQ(Add(Piece(whole, 0, 8, true)), FragmentResult::kPending);
  EXPECT_EQ(Add(Piece(whole, 16, 8, false)), FragmentResult::kPending);   // end 24
  EXPECT_EQ(Add(Piece(whole, 16, 16, false)), FragmentResult::kDropped);  // end 32
  EXPECT_EQ(Add(Piece(whole, 24, 8, true)), FragmentResult::kDropped);    // past the end
  EXPECT_EQ(sink_.names.size(), 2u);
  for (const auto& name : sink_.names)
    EXPECT_EQ(name, "ip.fragment_bad_length");
  ASSERT_EQ(Add(Piece(whole, 8, 8, true)), FragmentResult::kComplete);
  EXPECT_EQ(out_.size(), 24u);
}

TEST(FragmentReassembler, FragmentLimitDropsTheDatagram) {
  FragmentLimits limits;
  limits.max_fragments_per_datagram = 3;
  FragmentReassembler reassembler(limits);
  const auto whole = Pattern(64);
  std::vector<std::uint8_t> out;
  Reassembled info;
  RecordingSink sink;
  for (std::uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(reassembler.Add(Piece(whole, i * 8, 8, true), out, info, sink),
              FragmentResult::kPending);
  }
  EXPECT_EQ(reassembler.Add(Piece(whole, 24, 8, true), out, info, sink), FragmentResult::kDropped);
  ASSERT_EQ(sink.names.size(), 1u);
  EXPECT_EQ(sink.names[0], "ip.fragment_limit");
  EXPECT_EQ(reassembler.stats().pending, 0u);
  EXPECT_EQ(reassembler.stats().buffered_bytes, 0u);
}

TEST(FragmentReassembler, TimeoutFollowsCaptureTime) {
  FragmentReassembler reassembler;  // 30 s
  const auto whole = Pattern(16);
  std::vector<std::uint8_t> out;
  Reassembled info;
  RecordingSink sink;
  reassembler.Advance(100 * kSecond);
  EXPECT_EQ(reassembler.Add(Piece(whole, 0, 8, true), out, info, sink), FragmentResult::kPending);
  reassembler.Advance(130 * kSecond);  // exactly the timeout: still kept
  EXPECT_EQ(reassembler.stats().pending, 1u);
  reassembler.Advance(50 * kSecond);  // time never goes back
  reassembler.Advance(130 * kSecond + 1);
  EXPECT_EQ(reassembler.stats().pending, 0u);
  EXPECT_EQ(reassembler.stats().timeouts, 1u);
  // The late second half starts a new datagram that cannot complete.
  EXPECT_EQ(reassembler.Add(Piece(whole, 8, 8, false), out, info, sink), FragmentResult::kPending);
  EXPECT_TRUE(sink.names.empty()) << "timeouts are counted, not reported";
}

TEST(FragmentReassembler, PendingLimitEvictsTheOldest) {
  FragmentLimits limits;
  limits.max_pending_datagrams = 2;
  FragmentReassembler reassembler(limits);
  const auto whole = Pattern(16);
  std::vector<std::uint8_t> out;
  Reassembled info;
  RecordingSink sink;
  for (std::uint32_t id = 1; id <= 3; ++id) {
    EXPECT_EQ(reassembler.Add(Piece(whole, 0, 8, true, Key(id)), out, info, sink),
              FragmentResult::kPending);
  }
  ASSERT_EQ(sink.names.size(), 1u);
  EXPECT_EQ(sink.names[0], "ip.fragment_evicted");
  EXPECT_NE(sink.details[0].find("id 1 "), std::string::npos) << sink.details[0];
  EXPECT_EQ(reassembler.stats().evictions, 1u);
  // Datagram 1 is gone; 2 and 3 still complete.
  EXPECT_EQ(reassembler.Add(Piece(whole, 8, 8, false, Key(1)), out, info, sink),
            FragmentResult::kPending);
  EXPECT_EQ(reassembler.Add(Piece(whole, 8, 8, false, Key(3)), out, info, sink),
            FragmentResult::kComplete);
}

TEST(FragmentReassembler, BufferedBytesLimitEvictsTheOldest) {
  FragmentLimits limits;
  limits.max_buffered_bytes = 10000;  // room for two 4 KiB buffers, not three
  FragmentReassembler reassembler(limits);
  const auto whole = Pattern(16);
  std::vector<std::uint8_t> out;
  Reassembled info;
  RecordingSink sink;
  for (std::uint32_t id = 1; id <= 3; ++id) {
    EXPECT_EQ(reassembler.Add(Piece(whole, 0, 8, true, Key(id)), out, info, sink),
              FragmentResult::kPending);
    EXPECT_LE(reassembler.stats().buffered_bytes, limits.max_buffered_bytes);
  }
  EXPECT_EQ(reassembler.stats().evictions, 1u);
  EXPECT_EQ(reassembler.stats().pending, 2u);
  ASSERT_EQ(sink.names.size(), 1u);
  EXPECT_EQ(sink.names[0], "ip.fragment_evicted");
  // A single datagram larger than the whole budget is evicted itself.
  const auto big = Pattern(16);
  EXPECT_EQ(reassembler.Add(Fragment{Key(9), 60000, false, big, 20, 64}, out, info, sink),
            FragmentResult::kDropped);
  EXPECT_LE(reassembler.stats().buffered_bytes, limits.max_buffered_bytes);
}

TEST(FragmentReassembler, ManyTinyFragmentsStayBounded) {
  // 8-byte fragments in reverse order, every second one missing: the covered list stays bounded
  // by the fragment limit and nothing completes.
  FragmentReassembler reassembler;
  const auto whole = Pattern(2048);
  std::vector<std::uint8_t> out;
  Reassembled info;
  RecordingSink sink;
  int dropped = 0;
  for (std::uint32_t offset = 2040;; offset -= 16) {
    if (reassembler.Add(Piece(whole, offset, 8, offset != 2040), out, info, sink) ==
        FragmentResult::kDropped) {
      ++dropped;
    }
    if (offset < 16) break;
  }
  EXPECT_EQ(dropped, 1);  // the 65th fragment hits the limit of 64
  EXPECT_TRUE(sink.Has("ip.fragment_limit"));
}

}  // namespace
}  // namespace beffroi::net::ip
