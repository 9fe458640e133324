// Known-answer tests for TcpStream. Streams start with a SYN at ISN 1000 unless said otherwise,
// so the first data byte has seq 1001; the sink renders data as text and gap bytes as '~'.
#include "agents/net/flow/tcp_stream.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "tests/unit/agents/net/flow/stream_test_util.h"

namespace beffroi::net {
namespace {

using tcp_flag::kAck;
using tcp_flag::kFin;
using tcp_flag::kRst;
using tcp_flag::kSyn;
using testing::Bytes;
using testing::OneWay;

constexpr std::uint32_t kIsn = 1000;
constexpr std::uint32_t kData = kIsn + 1;  // seq of stream offset 0

void Open(OneWay& w, std::uint32_t isn = kIsn) {
  w.Seg(isn, "", kSyn);
}

TEST(TcpStream, DeliversInOrderDataWithoutCopying) {
  OneWay w;
  Open(w);
  const std::string hello = "Hello ";
  const std::string world = "World";
  w.stream.OnSegment(kData, kAck, Bytes(hello), 6, w.sink, w.anomalies, *w.budget);
  w.stream.OnSegment(kData + 6, kAck, Bytes(world), 5, w.sink, w.anomalies, *w.budget);
  EXPECT_EQ(w.sink.text, "Hello World");
  ASSERT_EQ(w.sink.data_pointers.size(), 2u);
  EXPECT_EQ(w.sink.data_pointers[0], Bytes(hello).data());  // the caller's bytes, not a copy
  EXPECT_EQ(w.sink.data_pointers[1], Bytes(world).data());
  EXPECT_EQ(w.stream.stats().delivered, 11u);
  EXPECT_EQ(w.stream.stats().gaps, 0u);
  EXPECT_EQ(w.stream.next_offset(), 11u);
  EXPECT_TRUE(w.anomalies.names.empty());
}

TEST(TcpStream, ReordersThreeSegmentsArrivingThirdFirstSecond) {
  OneWay w;
  Open(w);
  w.Seg(kData + 6, "CCC");  // third
  EXPECT_EQ(w.sink.text, "");
  EXPECT_EQ(w.stream.buffered_bytes(), 3u);
  w.Seg(kData, "AAA");  // first
  EXPECT_EQ(w.sink.text, "AAA");
  w.Seg(kData + 3, "BBB");  // second fills the hole and releases the third
  EXPECT_EQ(w.sink.text, "AAABBBCCC");
  EXPECT_EQ(w.stream.buffered_bytes(), 0u);
  EXPECT_EQ(w.budget->used(), 0u);
  EXPECT_EQ(w.stream.stats().out_of_order_segments, 1u);
  EXPECT_EQ(w.stream.stats().gaps, 0u);
}

TEST(TcpStream, DropsRetransmissionOfDeliveredBytes) {
  OneWay w;
  Open(w);
  w.Seg(kData, "abc");
  w.Seg(kData, "abc");
  EXPECT_EQ(w.sink.text, "abc");
  EXPECT_EQ(w.stream.stats().retransmitted_bytes, 3u);
  EXPECT_EQ(w.stream.stats().overlaps, 1u);
  EXPECT_TRUE(w.anomalies.names.empty());
}

TEST(TcpStream, TrimsPartialOverlapsWithSameData) {
  OneWay w;
  Open(w);
  w.Seg(kData, "abcdef");
  w.Seg(kData + 3, "defghi");  // overlaps delivered "def"
  EXPECT_EQ(w.sink.text, "abcdefghi");
  w.Seg(kData + 12, "mnop");  // buffered
  w.Seg(kData + 10, "klmn");  // overlaps buffered "mn"
  w.Seg(kData + 9, "jk");     // fills the hole, overlaps the new "k"
  EXPECT_EQ(w.sink.text, "abcdefghijklmnop");
  EXPECT_EQ(w.stream.stats().retransmitted_bytes, 3u + 2u + 1u);
  EXPECT_EQ(w.stream.stats().overlaps, 3u);
  EXPECT_EQ(w.stream.stats().overlap_mismatches, 0u);
  EXPECT_TRUE(w.anomalies.names.empty());
}

TEST(TcpStream, KeepsFirstDataWhenAnOverlapDiffers) {
  OneWay w;
  Open(w);
  w.Seg(kData + 4, "XYZ");   // buffered first: offsets 4..6
  w.Seg(kData + 3, "QQQQ");  // offsets 3..6, differs from the buffered 4..6
  EXPECT_EQ(w.anomalies.Count("tcp.segment_overlap_mismatch"), 1);
  w.Seg(kData, "abcdefgh");  // in order, differs from both: first kept again
  EXPECT_EQ(w.anomalies.Count("tcp.segment_overlap_mismatch"), 2);
  EXPECT_EQ(w.sink.text, "abcQXYZh");
  EXPECT_EQ(w.stream.stats().overlap_mismatches, 2u);
}

TEST(TcpStream, DeliversWhenAHoleIsFilledLater) {
  OneWay w;
  Open(w);
  w.Seg(kData, "abc");
  w.Seg(kData + 6, "ghi");
  EXPECT_EQ(w.sink.text, "abc");
  w.Seg(kData + 3, "def");
  EXPECT_EQ(w.sink.text, "abcdefghi");
  EXPECT_EQ(w.sink.gaps, 0u);
}

TEST(TcpStream, DeclaresNeverFilledHolesAsGapsAtFlowEnd) {
  OneWay w;
  Open(w);
  w.Seg(kData, "abc");
  w.Seg(kData + 6, "ghi");  // hole of 3
  w.Seg(kData + 11, "mn");  // hole of 2
  w.Flush();
  EXPECT_EQ(w.sink.text, "abc~~~ghi~~mn");
  EXPECT_EQ(w.sink.gaps, 2u);
  EXPECT_EQ(w.sink.gap_bytes, 5u);
  EXPECT_EQ(w.stream.stats().gap_bytes, 5u);
  EXPECT_EQ(w.sink.closes, 1);
  EXPECT_EQ(w.budget->used(), 0u);
  w.Flush();  // once only
  EXPECT_EQ(w.sink.closes, 1);
}

TEST(TcpStream, PeerAckAboveAHoleDeclaresTheGap) {
  OneWay w;
  Open(w);
  w.Seg(kData, "abc");
  w.Seg(kData + 6, "ghi");
  w.Ack(kData + 2);  // behind what we have: nothing
  EXPECT_EQ(w.sink.text, "abc");
  w.Ack(kData + 7);  // the receiver has 3..5, which we never saw
  EXPECT_EQ(w.sink.text, "abc~~~ghi");
  w.Ack(kData + 12);  // nothing buffered: the three bytes after "ghi" were lost too
  EXPECT_EQ(w.sink.text, "abc~~~ghi~~~");
  w.Seg(kData + 9, "jkl");  // arrives after all: already declared lost
  EXPECT_EQ(w.sink.text, "abc~~~ghi~~~");
  EXPECT_EQ(w.stream.stats().retransmitted_bytes, 3u);
}

TEST(TcpStream, PeerAckOfTheFinIsNotData) {
  OneWay w;
  Open(w);
  w.Seg(kData + 3, "def", kAck | kFin);  // FIN at offset 6, seq kData + 6
  w.Ack(kData + 7);                      // acknowledges the FIN's own sequence number
  EXPECT_EQ(w.sink.text, "~~~def");
  EXPECT_EQ(w.sink.closes, 1);
}

TEST(TcpStream, IgnoresAnAckAbsurdlyFarAhead) {
  OneWay w;
  Open(w);
  w.Seg(kData, "abc");
  w.Ack(kData + (1u << 30) + 100);
  EXPECT_EQ(w.anomalies.Count("tcp.ack_jump"), 1);
  EXPECT_EQ(w.sink.text, "abc");
}

TEST(TcpStream, HandlesSequenceWraparound) {
  for (bool reversed : {false, true}) {
    OneWay w;
    const std::uint32_t isn = 0xFFFFFFF0u;
    Open(w, isn);
    // Offsets 0..9 at seq 0xFFFFFFF1..0xFFFFFFFA, 10..19 at 0xFFFFFFFB..0x00000004, 20 at 5.
    if (reversed) {
      w.Seg(isn + 11, "KLMNOPQRST");  // wrapped seq
      w.Seg(isn + 1, "ABCDEFGHIJ");
    } else {
      w.Seg(isn + 1, "ABCDEFGHIJ");
      w.Seg(isn + 11, "KLMNOPQRST");
    }
    w.Seg(5, "UVW");
    EXPECT_EQ(w.sink.text, "ABCDEFGHIJKLMNOPQRSTUVW") << reversed;
    EXPECT_EQ(w.sink.gaps, 0u);
  }
}

TEST(TcpStream, MapsOffsetsBeyondFourGigabytes) {
  OneWay w;
  Open(w, 0);
  w.Seg(1, "a");
  std::uint32_t ack = 2;
  for (int i = 0; i < 5; ++i) {  // the receiver keeps acknowledging data the capture missed
    ack += 900u << 20;
    w.Ack(ack);
  }
  EXPECT_GT(w.stream.next_offset(), std::uint64_t{1} << 32);
  w.Seg(ack, "z");
  EXPECT_EQ(w.sink.text.back(), 'z');
  EXPECT_EQ(w.stream.stats().delivered, 2u);
  EXPECT_EQ(w.stream.stats().gap_bytes, 5ull * (900u << 20));
}

TEST(TcpStream, StartsDataAfterTheIsnAndHandlesSynData) {
  OneWay w;
  w.Seg(kIsn, "hi", kSyn);  // data on the SYN starts at ISN + 1
  EXPECT_TRUE(w.stream.syn_seen());
  EXPECT_EQ(w.stream.base_seq(), kData);
  w.Seg(kIsn, "", kSyn);  // retransmitted SYN: harmless
  w.Seg(kData + 2, " there");
  w.Seg(kIsn, "Xhi");  // covers the SYN's sequence number and delivered bytes
  EXPECT_EQ(w.sink.text, "hi there");
  w.Seg(kIsn + 500, "", kSyn);
  EXPECT_EQ(w.anomalies.Count("tcp.syn_inside_connection"), 1);
}

TEST(TcpStream, StartsMidStreamAtTheFirstDataSegment) {
  OneWay w;
  w.Seg(777, "");  // a pure ACK does not anchor the stream
  EXPECT_FALSE(w.stream.started());
  w.Seg(777777, "abc");
  EXPECT_TRUE(w.stream.started());
  EXPECT_FALSE(w.stream.syn_seen());
  w.Seg(777780, "def");
  EXPECT_EQ(w.sink.text, "abcdef");
  w.Seg(777776, "", kSyn);  // the SYN, captured late, agrees with where we started
  EXPECT_TRUE(w.stream.syn_seen());
  EXPECT_TRUE(w.anomalies.names.empty());
}

TEST(TcpStream, RstFlushesWhatIsHeldAndCloses) {
  OneWay w;
  Open(w);
  w.Seg(kData, "abc");
  w.Seg(kData + 6, "ghi");
  w.Seg(kData + 9, "", kRst);
  EXPECT_EQ(w.sink.text, "abc~~~ghi");
  EXPECT_EQ(w.sink.closes, 1);
  EXPECT_TRUE(w.stream.closed());
  w.Seg(kData + 9, "more");
  w.Flush();
  EXPECT_EQ(w.sink.text, "abc~~~ghi");
  EXPECT_EQ(w.sink.closes, 1);
  EXPECT_EQ(w.sink.calls_after_close, 0);
  EXPECT_EQ(w.budget->used(), 0u);
}

TEST(TcpStream, ReportsDataAfterFin) {
  OneWay w;
  Open(w);
  w.Seg(kData, "abc", kAck | kFin);  // FIN at offset 3
  EXPECT_EQ(w.sink.closes, 1);
  w.Seg(kData, "abc", kAck | kFin);  // retransmission: fine
  EXPECT_TRUE(w.anomalies.names.empty());
  w.Seg(kData + 4, "xyz");
  EXPECT_EQ(w.anomalies.Count("tcp.data_after_fin"), 1);
  EXPECT_EQ(w.sink.text, "abc");
  EXPECT_EQ(w.sink.calls_after_close, 0);
}

TEST(TcpStream, ClosesWhenAnEarlyFinIsReachedAndDropsDataBeyondIt) {
  OneWay w;
  Open(w);
  w.Seg(kData + 12, "mn");               // buffered beyond where the FIN will be
  w.Seg(kData + 6, "ghi", kAck | kFin);  // FIN at offset 9, out of order
  EXPECT_EQ(w.anomalies.Count("tcp.data_after_fin"), 1);
  EXPECT_EQ(w.stream.buffered_bytes(), 3u);
  w.Seg(kData + 8, "ijk");  // crosses the FIN: "i" kept, "jk" dropped
  EXPECT_EQ(w.anomalies.Count("tcp.data_after_fin"), 2);
  EXPECT_EQ(w.sink.closes, 0);
  w.Seg(kData, "abcdef");
  EXPECT_EQ(w.sink.text, "abcdefghi");
  EXPECT_EQ(w.sink.closes, 1);
  EXPECT_EQ(w.budget->used(), 0u);
  w.Seg(kData + 20, "", kAck | kFin);
  EXPECT_EQ(w.sink.closes, 1);
}

TEST(TcpStream, ReportsAFinThatContradictsTheFirst) {
  OneWay w;
  Open(w);
  w.Seg(kData + 6, "", kAck | kFin);
  w.Seg(kData + 4, "", kAck | kFin);
  EXPECT_EQ(w.anomalies.Count("tcp.inconsistent_fin"), 1);
  OneWay v;
  Open(v);
  v.Seg(kData, "abcdef");
  v.Seg(kData + 2, "", kAck | kFin);  // behind delivered data: ignored
  EXPECT_EQ(v.anomalies.Count("tcp.inconsistent_fin"), 1);
  EXPECT_EQ(v.sink.closes, 0);
}

TEST(TcpStream, GivesUpTheOldestHoleWhenTheStreamBudgetIsFull) {
  ReassemblyLimits limits;
  limits.max_buffered_per_stream = 8;
  OneWay w(limits);
  Open(w);
  w.Seg(kData, "abc");
  w.Seg(kData + 9, "ddd");     // offsets 9..11, buffered
  w.Seg(kData + 19, "eee");    // 19..21, buffered: 6 bytes held
  w.Seg(kData + 29, "fffff");  // 5 more would exceed 8: give up the hole 3..8
  EXPECT_EQ(w.sink.text, "abc~~~~~~ddd");
  EXPECT_EQ(w.anomalies.Count("tcp.reassembly_limit"), 1);
  EXPECT_EQ(w.stream.buffered_bytes(), 8u);
  w.Seg(kData + 40, "gggggggg");  // must give up twice more; reported once per stream
  EXPECT_EQ(w.anomalies.Count("tcp.reassembly_limit"), 1);
  EXPECT_LE(w.stream.buffered_bytes(), 8u);
  w.Flush();
  EXPECT_EQ(w.sink.text, "abc~~~~~~ddd~~~~~~~eee~~~~~~~fffff~~~~~~gggggggg");
  EXPECT_EQ(w.budget->used(), 0u);
}

TEST(TcpStream, StreamsSharingASmallTotalBudgetGiveUpTheirOwnHoles) {
  ReassemblyLimits limits;
  limits.max_buffered_total = 10;
  ReassemblyBudget shared(limits);
  OneWay a(shared);
  OneWay b(shared);
  Open(a);
  Open(b, 5000);
  a.Seg(kData + 2, "AAAAAAAA");  // 8 of the 10 bytes
  EXPECT_EQ(shared.used(), 8u);
  b.Seg(5001 + 3, "BBBB");  // cannot buffer: b gives up its hole and delivers
  EXPECT_EQ(b.sink.text, "~~~BBBB");
  EXPECT_EQ(b.anomalies.Count("tcp.reassembly_limit"), 1);
  EXPECT_EQ(shared.used(), 8u);
  EXPECT_EQ(a.sink.text, "");  // a keeps waiting
  a.Seg(kData, "aa");
  EXPECT_EQ(a.sink.text, "aaAAAAAAAA");
  EXPECT_EQ(shared.used(), 0u);
  EXPECT_LE(shared.peak(), 10u);
}

TEST(TcpStream, GivesUpWhenTheSegmentCountLimitIsHit) {
  ReassemblyLimits limits;
  limits.max_segments_per_stream = 2;
  OneWay w(limits);
  Open(w);
  w.Seg(kData + 2, "c");
  w.Seg(kData + 4, "e");
  EXPECT_EQ(w.stream.buffered_segments(), 2u);
  w.Seg(kData + 6, "g");  // a third run: give up the hole 0..1
  EXPECT_EQ(w.sink.text, "~~c");
  EXPECT_EQ(w.stream.buffered_segments(), 2u);
  EXPECT_EQ(w.anomalies.Count("tcp.reassembly_limit"), 1);
  w.Seg(kData + 3, "d");
  EXPECT_EQ(w.sink.text, "~~cde");
}

TEST(TcpStream, SnaplenCutTailBecomesAGap) {
  OneWay w;
  Open(w);
  w.Seg(kData, "abcdef", kAck, 10);  // 10 bytes on the wire, 6 captured
  EXPECT_EQ(w.sink.text, "abcdef~~~~");
  EXPECT_EQ(w.stream.next_offset(), 10u);
  w.Seg(kData + 10, "klm");
  EXPECT_EQ(w.sink.text, "abcdef~~~~klm");

  OneWay v;  // the same out of order: the missing tail waits in the buffer as a marker
  Open(v);
  v.Seg(kData + 10, "klm");
  v.Seg(kData + 4, "efg", kAck, 6);  // offsets 4..6 captured, 7..9 missing
  EXPECT_EQ(v.stream.buffered_bytes(), 6u);
  v.Seg(kData, "abcd");
  EXPECT_EQ(v.sink.text, "abcdefg~~~klm");
  EXPECT_EQ(v.sink.gaps, 1u);
}

TEST(TcpStream, DropsASegmentAbsurdlyFarAhead) {
  OneWay w;
  Open(w);
  w.Seg(kData, "abc");
  w.Seg(kData + 3 + (1u << 30) + 5, "x");
  EXPECT_EQ(w.anomalies.Count("tcp.seq_jump"), 1);
  EXPECT_EQ(w.stream.buffered_segments(), 0u);
  EXPECT_EQ(w.stream.stats().dropped_bytes, 1u);
  w.Seg(kData + 3, "def");
  EXPECT_EQ(w.sink.text, "abcdef");
}

TEST(TcpStream, ZeroLengthSegmentsCarryOnlyFlags) {
  OneWay w;
  Open(w);
  w.Seg(kData, "abc");
  for (int i = 0; i < 5; ++i)
    w.Seg(kData + 3, "");
  w.Seg(kData + 2, "");  // keep-alive at seq - 1
  EXPECT_EQ(w.sink.text, "abc");
  EXPECT_EQ(w.sink.empty_calls, 0);
  EXPECT_EQ(w.stream.stats().retransmitted_bytes, 0u);
}

TEST(TcpStream, FlushOfAStreamWithOnlyAFinAheadDeclaresTheMissingBytes) {
  OneWay w;
  Open(w);
  w.Seg(kData + 5, "", kAck | kFin);
  w.Flush();
  EXPECT_EQ(w.sink.text, "~~~~~");
  EXPECT_EQ(w.sink.closes, 1);
}

}  // namespace
}  // namespace beffroi::net
