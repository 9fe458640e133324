#include "agents/net/flow/flow_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "tests/unit/agents/net/flow/stream_test_util.h"

namespace beffroi::net {
namespace {

using tcp_flag::kAck;
using tcp_flag::kFin;
using tcp_flag::kRst;
using tcp_flag::kSyn;

constexpr std::int64_t kSecond = 1'000'000'000;

// 10.0.0.1:40000 -> 192.0.2.80:80 over `protocol`; `n` varies the client port.
FiveTuple Tuple(std::uint8_t protocol = kIpProtoTcp, std::uint16_t n = 0) {
  FiveTuple t;
  t.src = IpAddress::V4(0x0A000001u);
  t.dst = IpAddress::V4(0xC0000250u);
  t.src_port = static_cast<std::uint16_t>(40000 + n);
  t.dst_port = 80;
  t.protocol = protocol;
  return t;
}

struct Ended {
  std::uint64_t id;
  EndReason reason;
  std::uint64_t packets;  // both sides
};

class FlowTableTest : public ::testing::Test {
 protected:
  void Make(FlowLimits limits = {}) {
    table_ = std::make_unique<FlowTable>(limits, [this](Flow& flow, EndReason reason) {
      ended_.push_back({flow.id, reason, flow.forward.packets + flow.reverse.packets});
    });
  }
  Flow& Packet(const FiveTuple& t, std::int64_t ts, std::uint8_t flags = kAck,
               std::uint32_t ip_length = 60, std::uint32_t payload = 0) {
    return table_->Track(t, ts, ip_length, payload, flags, dir_);
  }

  std::unique_ptr<FlowTable> table_;
  std::vector<Ended> ended_;
  Direction dir_ = Direction::kForward;
};

TEST_F(FlowTableTest, BothDirectionsFindOneFlowWithCountersPerSide) {
  Make();
  const FiveTuple t = Tuple();
  Flow& a = Packet(t, 0, kSyn, 60, 0);
  EXPECT_EQ(dir_, Direction::kForward);
  Flow& b = Packet(t.Reversed(), 1, kSyn | kAck, 60, 0);
  EXPECT_EQ(dir_, Direction::kReverse);
  Flow& c = Packet(t, 2, kAck, 552, 500);
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(&a, &c);
  EXPECT_EQ(table_->size(), 1u);
  EXPECT_EQ(a.key, t);
  EXPECT_EQ(a.id, 1u);
  EXPECT_EQ(a.forward.packets, 2u);
  EXPECT_EQ(a.forward.bytes, 612u);
  EXPECT_EQ(a.forward.payload_bytes, 500u);
  EXPECT_EQ(a.forward.tcp_flags, kSyn | kAck);
  EXPECT_EQ(a.reverse.packets, 1u);
  EXPECT_EQ(a.reverse.tcp_flags, kSyn | kAck);
  EXPECT_EQ(a.start_ns, 0);
  EXPECT_EQ(a.last_ns, 2);
}

TEST_F(FlowTableTest, SynAckSeenFirstMakesItsDestinationTheInitiator) {
  Make();
  const FiveTuple client_to_server = Tuple();
  Flow& f = Packet(client_to_server.Reversed(), 0, kSyn | kAck);
  EXPECT_EQ(f.key, client_to_server);
  EXPECT_EQ(dir_, Direction::kReverse);
  EXPECT_EQ(f.reverse.packets, 1u);
  Packet(client_to_server, 1, kAck);
  EXPECT_EQ(dir_, Direction::kForward);
}

TEST_F(FlowTableTest, IdleTimeoutsDependOnTheProtocol) {
  FlowLimits limits;
  limits.tcp_idle_ns = 300 * kSecond;
  limits.udp_idle_ns = 60 * kSecond;
  limits.other_idle_ns = 30 * kSecond;
  Make(limits);
  Packet(Tuple(kIpProtoTcp), 0);
  Packet(Tuple(kIpProtoUdp), 0, 0);
  Packet(Tuple(kIpProtoIcmp), 0, 0);
  table_->ExpireUpTo(30 * kSecond);  // exactly the timeout: not yet
  EXPECT_EQ(table_->size(), 3u);
  table_->ExpireUpTo(31 * kSecond);
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].id, 3u);
  table_->ExpireUpTo(61 * kSecond);
  ASSERT_EQ(ended_.size(), 2u);
  EXPECT_EQ(ended_[1].id, 2u);
  EXPECT_EQ(ended_[1].reason, EndReason::kIdle);
  table_->ExpireUpTo(301 * kSecond);
  ASSERT_EQ(ended_.size(), 3u);
  EXPECT_EQ(ended_[2].id, 1u);
  EXPECT_EQ(table_->size(), 0u);
  EXPECT_EQ(table_->stats().ended_idle, 3u);
}

TEST_F(FlowTableTest, IdleFlowEndsAtItsNextPacketEvenWithoutExpireUpTo) {
  Make();
  Packet(Tuple(kIpProtoUdp), 0, 0);
  Flow& f = Packet(Tuple(kIpProtoUdp), 61 * kSecond, 0);
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].reason, EndReason::kIdle);
  EXPECT_EQ(f.id, 2u);
  EXPECT_EQ(f.forward.packets, 1u);
}

TEST_F(FlowTableTest, ActiveTimeoutCutsALongFlowIntoRecords) {
  FlowLimits limits;
  limits.active_ns = 10 * kSecond;
  Make(limits);
  for (int i = 0; i <= 25; ++i)
    Packet(Tuple(), i * kSecond);
  ASSERT_EQ(ended_.size(), 2u);
  EXPECT_EQ(ended_[0].reason, EndReason::kActive);
  EXPECT_EQ(ended_[0].packets, 11u);  // 0..10 s
  EXPECT_EQ(ended_[1].packets, 11u);  // 11..21 s
  table_->EndAll();
  ASSERT_EQ(ended_.size(), 3u);
  EXPECT_EQ(ended_[2].id, 3u);
  EXPECT_EQ(ended_[2].packets, 4u);
  EXPECT_EQ(table_->stats().ended_active, 2u);
}

TEST_F(FlowTableTest, EvictsTheLeastRecentlyActiveWhenFull) {
  FlowLimits limits;
  limits.max_flows = 3;
  Make(limits);
  Packet(Tuple(kIpProtoTcp, 1), 1);
  Packet(Tuple(kIpProtoUdp, 2), 2, 0);
  Packet(Tuple(kIpProtoTcp, 3), 3);
  Packet(Tuple(kIpProtoTcp, 1).Reversed(), 4);  // flow 1 is recent again
  Packet(Tuple(kIpProtoTcp, 4), 5);
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].id, 2u);
  EXPECT_EQ(ended_[0].reason, EndReason::kEvicted);
  Packet(Tuple(kIpProtoTcp, 5), 6);
  ASSERT_EQ(ended_.size(), 2u);
  EXPECT_EQ(ended_[1].id, 3u);
  EXPECT_EQ(table_->size(), 3u);
  EXPECT_EQ(table_->stats().evicted, 2u);
  EXPECT_EQ(table_->stats().peak_flows, 3u);
}

TEST_F(FlowTableTest, ClosedFlowLingersThenEnds) {
  Make();
  const FiveTuple t = Tuple();
  Packet(t, 0, kSyn);
  Packet(t.Reversed(), 1, kSyn | kAck);
  EXPECT_FALSE(Packet(t, 2, kAck | kFin).tcp_closed());  // FIN one way only
  EXPECT_TRUE(Packet(t.Reversed(), 3, kAck | kFin).tcp_closed());
  EXPECT_TRUE(Packet(t, 4, kAck).tcp_closed());  // the last ACK: same flow, lingering
  EXPECT_EQ(table_->size(), 1u);
  table_->ExpireUpTo(4 + 5 * kSecond);
  EXPECT_TRUE(ended_.empty());
  table_->ExpireUpTo(5 + 5 * kSecond);
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].reason, EndReason::kTcpClosed);
  EXPECT_EQ(ended_[0].packets, 5u);
}

TEST_F(FlowTableTest, SynOnAClosedTupleStartsANewFlow) {
  Make();
  const FiveTuple t = Tuple();
  Packet(t, 0, kSyn);
  Packet(t.Reversed(), 1, kRst | kAck);
  Packet(t, 2, kAck);  // a late packet: still the old flow
  EXPECT_TRUE(ended_.empty());
  Flow& f = Packet(t, 3, kSyn);
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].reason, EndReason::kTcpClosed);
  EXPECT_EQ(ended_[0].packets, 3u);
  EXPECT_EQ(f.id, 2u);
  EXPECT_FALSE(f.tcp_closed());
  EXPECT_EQ(table_->stats().tuple_reuses, 1u);
  Packet(t, 4, kSyn);  // a retransmitted SYN on an open flow is the same flow
  EXPECT_EQ(ended_.size(), 1u);
}

TEST_F(FlowTableTest, EndAllEndsEveryFlowOldestFirst) {
  Make();
  Packet(Tuple(kIpProtoTcp, 1), 10);
  Packet(Tuple(kIpProtoUdp, 2), 5, 0);  // earlier timestamp, but seen later: the clock holds
  Packet(Tuple(kIpProtoIcmp, 3), 20, 0);
  table_->EndAll();
  ASSERT_EQ(ended_.size(), 3u);
  for (const Ended& e : ended_)
    EXPECT_EQ(e.reason, EndReason::kEndOfCapture);
  EXPECT_EQ(ended_[0].id, 1u);
  EXPECT_EQ(ended_[1].id, 2u);
  EXPECT_EQ(ended_[2].id, 3u);
  EXPECT_EQ(table_->size(), 0u);
  EXPECT_EQ(table_->stats().ended_end_of_capture, 3u);
}

TEST_F(FlowTableTest, EndingAFlowReturnsItsUnflushedReassemblyBudget) {
  Make();
  testing::TextSink sink;
  NullAnomalySink anomalies;
  Flow& f = Packet(Tuple(), 0, kSyn);
  f.stream(Direction::kForward)
      .OnSegment(1000, kSyn, {}, 0, sink, anomalies, table_->reassembly_budget());
  const std::string later = "buffered behind a hole";
  f.stream(Direction::kForward)
      .OnSegment(1100, kAck, testing::Bytes(later), static_cast<std::uint32_t>(later.size()), sink,
                 anomalies, table_->reassembly_budget());
  EXPECT_EQ(table_->reassembly_budget().used(), later.size());
  table_->EndAll();  // the callback does not flush: the table still releases the bytes
  EXPECT_EQ(table_->reassembly_budget().used(), 0u);
}

TEST_F(FlowTableTest, ExtremeTimestampsDoNotOverflow) {
  Make();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  Packet(Tuple(kIpProtoUdp, 1), kMin, 0);
  Packet(Tuple(kIpProtoUdp, 2), -5, 0);
  Packet(Tuple(kIpProtoUdp, 1), kMax, 0);  // flow 1 idle for "ever": a new flow
  table_->ExpireUpTo(kMin);
  table_->ExpireUpTo(kMax);
  EXPECT_EQ(table_->size(), 1u);  // the one just seen at kMax
  table_->EndAll();
  EXPECT_EQ(table_->stats().created, 3u);
  EXPECT_EQ(ended_.size(), 3u);
}

TEST(EndReason, HasStableNames) {
  EXPECT_EQ(EndReasonName(EndReason::kIdle), "idle");
  EXPECT_EQ(EndReasonName(EndReason::kActive), "active");
  EXPECT_EQ(EndReasonName(EndReason::kEvicted), "evicted");
  EXPECT_EQ(EndReasonName(EndReason::kTcpClosed), "tcp_closed");
  EXPECT_EQ(EndReasonName(EndReason::kEndOfCapture), "end_of_capture");
}

}  // namespace
}  // namespace beffroi::net
