#include "agents/net/protocol/dns/tcp_framer.h"

#include <gtest/gtest.h>

#include <vector>

#include "dns_fixtures.h"

namespace beffroi::net::dns {
namespace {

using testing::Hex;
using Bytes = std::vector<std::uint8_t>;

// Feeds `bytes` and collects the messages handed out.
void FeedInto(TcpFramer& framer, const Bytes& bytes, std::vector<Bytes>& out) {
  framer.Feed(bytes,
              [&](std::span<const std::uint8_t> m) { out.emplace_back(m.begin(), m.end()); });
}

Bytes Framed(const Bytes& message) {
  Bytes out = {static_cast<std::uint8_t>(message.size() >> 8),
               static_cast<std::uint8_t>(message.size())};
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

Bytes Concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

TEST(DnsTcpFramer, TwoMessagesInOneFeed) {
  const Bytes q = Hex(testing::kQuery);
  const Bytes r = Hex(testing::kCnameChain);
  TcpFramer framer;
  std::vector<Bytes> got;
  FeedInto(framer, Concat(Framed(q), Framed(r)), got);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], q);
  EXPECT_EQ(got[1], r);
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(DnsTcpFramer, OneMessageOverThreeFeeds) {
  const Bytes r = Hex(testing::kCnameChain);
  const Bytes framed = Framed(r);
  TcpFramer framer;
  std::vector<Bytes> got;
  // Split inside the length prefix and inside the message.
  FeedInto(framer, Bytes(framed.begin(), framed.begin() + 1), got);
  FeedInto(framer, Bytes(framed.begin() + 1, framed.begin() + 20), got);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(framer.buffered(), 20u);
  FeedInto(framer, Bytes(framed.begin() + 20, framed.end()), got);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], r);
}

TEST(DnsTcpFramer, EverySplitPointGivesTheSameMessages) {
  const Bytes stream = Concat(Framed(Hex(testing::kQuery)), Framed(Hex(testing::kMxTxt)));
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    TcpFramer framer;
    std::vector<Bytes> got;
    FeedInto(framer, Bytes(stream.begin(), stream.begin() + static_cast<long>(cut)), got);
    FeedInto(framer, Bytes(stream.begin() + static_cast<long>(cut), stream.end()), got);
    ASSERT_EQ(got.size(), 2u) << "cut " << cut;
    EXPECT_EQ(got[1], Hex(testing::kMxTxt));
  }
}

TEST(DnsTcpFramer, GapInsideAMessageDropsItAndStaysAligned) {
  const Bytes a = Framed(Hex(testing::kCnameChain));
  const Bytes b = Framed(Hex(testing::kQuery));
  TcpFramer framer;
  std::vector<Bytes> got;
  FeedInto(framer, Bytes(a.begin(), a.begin() + 10), got);
  framer.Gap(5);  // octets 10..14 lost
  FeedInto(framer, Concat(Bytes(a.begin() + 15, a.end()), b), got);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], Hex(testing::kQuery));
  EXPECT_EQ(framer.resyncs(), 0u);
}

TEST(DnsTcpFramer, GapOfUnknownLengthDropsThePartialMessage) {
  const Bytes a = Framed(Hex(testing::kCnameChain));
  const Bytes b = Framed(Hex(testing::kQuery));
  TcpFramer framer;
  std::vector<Bytes> got;
  FeedInto(framer, Bytes(a.begin(), a.begin() + 10), got);
  framer.OnGap();  // the brief's name for Gap()
  EXPECT_EQ(framer.buffered(), 0u);
  FeedInto(framer, b, got);  // the next message starts right after the gap
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], Hex(testing::kQuery));
  EXPECT_EQ(framer.resyncs(), 1u);
}

TEST(DnsTcpFramer, GapPastTheMessageEndMustGuess) {
  const Bytes a = Framed(Hex(testing::kQuery));
  TcpFramer framer;
  std::vector<Bytes> got;
  FeedInto(framer, Bytes(a.begin(), a.begin() + 10), got);
  framer.Gap(a.size());  // reaches past the end of `a`
  EXPECT_EQ(framer.resyncs(), 1u);
  FeedInto(framer, a, got);
  ASSERT_EQ(got.size(), 1u);
}

TEST(DnsTcpFramer, ZeroLengthAndMaximumLengthMessages) {
  Bytes stream = {0x00, 0x00};  // an empty message: handed out, Parse reports it
  Bytes big(TcpFramer::kMaxMessageSize, 0xab);
  stream = Concat(stream, Framed(big));
  TcpFramer framer;
  std::vector<Bytes> got;
  for (std::uint8_t byte : stream)
    FeedInto(framer, Bytes{byte}, got);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].empty());
  EXPECT_EQ(got[1], big);
}

}  // namespace
}  // namespace beffroi::net::dns
