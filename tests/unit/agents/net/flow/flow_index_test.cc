#include "agents/net/flow/flow_index.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

#include "agents/net/flow/flow_table.h"

namespace beffroi::net {
namespace {

FiveTuple TupleNumber(std::uint32_t n) {
  FiveTuple t;
  t.src = IpAddress::V4(0x0A000000u + (n % 7));  // few addresses: tuples differ mostly by port
  t.dst = IpAddress::V4(0xC0000201u);
  t.src_port = static_cast<std::uint16_t>(1024 + n);
  t.dst_port = 53;
  t.protocol = n % 3 == 0 ? kIpProtoTcp : kIpProtoUdp;
  return t;
}

TEST(FlowIndex, BothDirectionsHashAlikeAndFindTheFlow) {
  FlowIndex index(16);
  Flow flow;
  flow.key = TupleNumber(1);
  const std::uint64_t hash = index.Hash(flow.key);
  EXPECT_EQ(index.Hash(flow.key.Reversed()), hash);
  index.Insert(&flow, hash);
  EXPECT_EQ(index.Find(flow.key, hash), &flow);
  EXPECT_EQ(index.Find(flow.key.Reversed(), hash), &flow);
  FiveTuple other_protocol = flow.key;
  other_protocol.protocol = kIpProtoIcmp;
  EXPECT_EQ(index.Find(other_protocol, index.Hash(other_protocol)), nullptr);
  index.Erase(&flow, hash);
  EXPECT_EQ(index.Find(flow.key, hash), nullptr);
  EXPECT_EQ(index.size(), 0u);
}

// Random inserts and erases (backward-shift deletion, growth up to the bound) against a
// reference set: every present flow is found from both directions, no absent one is.
TEST(FlowIndex, AgreesWithAReferenceUnderRandomInsertsAndErases) {
  constexpr std::uint32_t kTuples = 3000;
  constexpr std::size_t kMax = 1000;
  auto flows = std::make_unique<Flow[]>(kTuples);
  std::vector<bool> present(kTuples, false);
  std::vector<std::uint64_t> hashes(kTuples);
  FlowIndex index(kMax);
  for (std::uint32_t i = 0; i < kTuples; ++i) {
    flows[i].key = TupleNumber(i);
    hashes[i] = index.Hash(flows[i].key);
  }
  std::mt19937 rng(5);
  std::size_t count = 0;
  for (int step = 0; step < 200000; ++step) {
    const auto i = static_cast<std::uint32_t>(rng() % kTuples);
    if (present[i]) {
      index.Erase(&flows[i], hashes[i]);
      present[i] = false;
      --count;
    } else if (count < kMax) {
      index.Insert(&flows[i], hashes[i]);
      present[i] = true;
      ++count;
    }
    const auto probe = static_cast<std::uint32_t>(rng() % kTuples);
    const FiveTuple t = step % 2 == 0 ? flows[probe].key : flows[probe].key.Reversed();
    ASSERT_EQ(index.Find(t, hashes[probe]), present[probe] ? &flows[probe] : nullptr)
        << "step " << step;
    ASSERT_EQ(index.size(), count);
  }
  for (std::uint32_t i = 0; i < kTuples; ++i) {
    ASSERT_EQ(index.Find(flows[i].key, hashes[i]) != nullptr, present[i]) << i;
  }
}

}  // namespace
}  // namespace beffroi::net
