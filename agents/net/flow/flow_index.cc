#include "agents/net/flow/flow_index.h"

#include <cstring>
#include <random>

#include "agents/net/flow/flow_table.h"

namespace beffroi::net {
namespace {

// The first bucket array; it doubles while the index is more than half full, up to twice the
// table's bound, so a small capture does not pay for 262144 flows up front.
constexpr std::size_t kInitialSlots = 1024;

// murmur3's 64-bit finaliser: every input bit affects every output bit.
std::uint64_t Mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

std::uint64_t EndpointHash(const IpAddress& address, std::uint16_t port, std::uint64_t seed) {
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
  std::memcpy(&lo, address.bytes().data(), 8);
  std::memcpy(&hi, address.bytes().data() + 8, 8);
  const std::uint64_t tag =
      (std::uint64_t{port} << 8) | static_cast<std::uint64_t>(address.family());
  return Mix(Mix(lo ^ seed) ^ hi ^ (tag * 0x9e3779b97f4a7c15ULL));
}

std::uint64_t RandomSeed() {
  try {
    std::random_device device;
    return (std::uint64_t{device()} << 32) ^ device();
  } catch (...) {  // no entropy source: a fixed seed only weakens flood resistance
    return 0x2545f4914f6cdd1dULL;
  }
}

bool SameEndpoints(const FiveTuple& a, const FiveTuple& b) {
  return a.src_port == b.src_port && a.dst_port == b.dst_port && a.src == b.src && a.dst == b.dst;
}

bool SameConversation(const FiveTuple& a, const FiveTuple& b) {
  if (a.protocol != b.protocol) return false;
  return SameEndpoints(a, b) ||
         (a.src_port == b.dst_port && a.dst_port == b.src_port && a.src == b.dst && a.dst == b.src);
}

std::size_t RoundUpToPowerOfTwo(std::size_t n) {
  std::size_t p = 1;
  while (p < n)
    p <<= 1;
  return p;
}

}  // namespace

FlowIndex::FlowIndex(std::size_t max_entries)
    : max_slots_(RoundUpToPowerOfTwo(2 * std::max<std::size_t>(max_entries, 1))),
      seed_(RandomSeed()) {
  slots_.resize(std::min(kInitialSlots, max_slots_));
}

std::uint64_t FlowIndex::Hash(const FiveTuple& tuple) const {
  // Addition is symmetric: both directions give the same hash.
  const std::uint64_t sum = EndpointHash(tuple.src, tuple.src_port, seed_) +
                            EndpointHash(tuple.dst, tuple.dst_port, seed_);
  return Mix(sum ^ (std::uint64_t{tuple.protocol} << 56) ^ seed_);
}

Flow* FlowIndex::Find(const FiveTuple& tuple, std::uint64_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  // At most half full, so an empty slot ends every probe; the count bound is a backstop.
  for (std::size_t i = hash & mask, n = 0; n < slots_.size(); i = (i + 1) & mask, ++n) {
    const Slot& slot = slots_[i];
    if (slot.flow == nullptr) return nullptr;
    if (slot.hash == hash && SameConversation(slot.flow->key, tuple)) return slot.flow;
  }
  return nullptr;
}

bool FlowIndex::Place(Flow* flow, std::uint64_t hash) {
  const std::size_t mask = slots_.size() - 1;
  // Never full (see Insert), so an empty slot comes; the count bound is a backstop.
  for (std::size_t i = hash & mask, n = 0; n < slots_.size(); i = (i + 1) & mask, ++n) {
    if (slots_[i].flow == nullptr) {
      slots_[i] = {hash, flow};
      return true;
    }
  }
  return false;
}

void FlowIndex::Grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  for (const Slot& slot : old) {
    if (slot.flow != nullptr) Place(slot.flow, slot.hash);
  }
}

void FlowIndex::Insert(Flow* flow, std::uint64_t hash) {
  // Keep the load at or under one half; at max_slots_ the table's own bound keeps it there.
  if (2 * (size_ + 1) > slots_.size() && slots_.size() < max_slots_) Grow();
  if (Place(flow, hash)) ++size_;
}

void FlowIndex::Erase(const Flow* flow, std::uint64_t hash) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash & mask;
  for (std::size_t n = 0; slots_[i].flow != flow; i = (i + 1) & mask, ++n) {
    if (slots_[i].flow == nullptr || n == slots_.size()) return;  // not indexed
  }
  // Backward-shift deletion: pull later entries of the run into the hole when their home slot
  // does not lie between the hole and them, so every probe still reaches its entry.
  std::size_t hole = i;
  for (std::size_t j = (hole + 1) & mask, n = 0; slots_[j].flow != nullptr && n < slots_.size();
       j = (j + 1) & mask, ++n) {
    const std::size_t home = slots_[j].hash & mask;
    const bool home_in_gap = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (!home_in_gap) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot{};
  --size_;
}

}  // namespace beffroi::net
