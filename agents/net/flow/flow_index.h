// FlowIndex: the flow table's hash index from a conversation, in either direction, to its Flow.
//
// Open addressing with linear probing over {hash, Flow*} slots, at most half full, with
// backward-shift deletion (no tombstones). Each slot caches the full hash, so a probe touches a
// Flow only when the hashes agree: a lookup costs one cache line of slots, not a chain of nodes.
// The hash is direction-independent (both directions of a conversation land in the same slot,
// with no Canonical() ordering needed) and keyed with a per-index random seed, so an attacker who
// chooses tuples cannot aim them at one chain. Internal to FlowTable: it does not own the Flows.
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "agents/net/protocol/ip/address.h"

namespace beffroi::net {

struct Flow;

class FlowIndex {
 public:
  explicit FlowIndex(std::size_t max_entries);

  std::uint64_t Hash(const FiveTuple& tuple) const;
  // The flow whose key is `tuple` or its reverse; nullptr when there is none.
  Flow* Find(const FiveTuple& tuple, std::uint64_t hash) const;
  // `flow` (whose key hashes to `hash`) must not be indexed yet, and the caller keeps at most
  // max_entries flows indexed; grows the slots when needed.
  void Insert(Flow* flow, std::uint64_t hash);
  void Erase(const Flow* flow, std::uint64_t hash);
  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    Flow* flow = nullptr;
  };
  void Grow();
  bool Place(Flow* flow, std::uint64_t hash);

  std::vector<Slot> slots_;  // size is a power of two
  std::size_t size_ = 0;
  std::size_t max_slots_;
  std::uint64_t seed_;
};

}  // namespace beffroi::net
