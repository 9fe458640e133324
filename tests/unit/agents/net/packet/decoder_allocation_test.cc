// Decode() must not allocate on the path of an unfragmented packet: this binary counts every
// operator new and checks the count does not move while the fixtures are decoded.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "agents/net/packet/decoder.h"
#include "tests/unit/agents/net/packet/frames.h"

namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace beffroi::net {
namespace {

TEST(DecoderAllocation, UnfragmentedPacketsDoNotAllocate) {
  const auto frames = fixtures::WellFormedFrames();
  Decoder decoder;
  NullAnomalySink sink;
  Packet packet;
  const std::size_t before = g_allocations.load();
  std::int64_t ts = 0;
  for (int round = 0; round < 3; ++round) {
    for (const auto& f : frames) {
      (void)decoder.Decode(f.dlt, f.bytes, static_cast<std::uint32_t>(f.bytes.size()), ++ts, packet,
                           sink);
    }
  }
  EXPECT_EQ(g_allocations.load(), before);
  // The counter works: a fragment allocates its datagram.
  const auto udp = fixtures::Hex("1f90 1f90 0020 0000 0001020304050607");
  const auto fragment = fixtures::Ipv4Fragment(1, 0, true, udp);
  (void)decoder.Decode(12, fragment, 0, ++ts, packet, sink);
  EXPECT_GT(g_allocations.load(), before);
}

}  // namespace
}  // namespace beffroi::net
