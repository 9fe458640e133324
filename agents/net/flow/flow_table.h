// FlowTable: the bounded table of live conversations (flows) of one capture.
//
// Flows are keyed by the direction-independent 5-tuple, so both directions of a conversation
// find the same Flow; Flow::key keeps the initiator's direction. The table ends flows on idle
// timeout (per protocol), active timeout (a long flow is cut into several records, NetFlow /
// IPFIX style), TCP close (FIN both ways or RST, after a short linger) and, when full, evicts the
// least recently active flow. Time is capture time only: packet timestamps, never the wall clock;
// a timestamp that goes backwards never moves the table's clock back.
//
// Ownership: the table owns its Flows, in a pool that grows up to max_flows and recycles them
// (creating a flow allocates nothing once the pool has grown); a Flow& stays valid until the flow
// ends. Each Flow owns the pipeline's FlowState and its two TcpStreams; the table owns the
// ReassemblyBudget those streams share. Every flow ends exactly once through the EndCallback,
// called before the flow is recycled (the pipeline flushes its streams and writes the flow event
// there; whatever it leaves buffered is then discarded); the callback must not call back into
// the table. Flows still present when the table is destroyed are dropped without a callback: call
// EndAll() first. Not thread-safe: one table per worker thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "agents/net/flow/flow_index.h"
#include "agents/net/flow/tcp_stream.h"
#include "agents/net/protocol/ip/address.h"

namespace beffroi::net {

enum class Direction : std::uint8_t {
  kForward,  // as the first packet went: from the initiator
  kReverse,
};

inline Direction Opposite(Direction d) {
  return d == Direction::kForward ? Direction::kReverse : Direction::kForward;
}

struct FlowSide {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;  // IP bytes
  std::uint64_t payload_bytes = 0;
  std::uint8_t tcp_flags = 0;  // OR of the flags seen
};

// The pipeline's per-flow data (parsers, payload samples); the Flow owns it.
class FlowState {
 public:
  virtual ~FlowState() = default;
};

struct Flow {
  Flow() = default;
  Flow(const Flow&) = delete;
  Flow& operator=(const Flow&) = delete;

  // As the first packet went (initiator = key.src); for TCP, a first packet that is a SYN-ACK
  // is flipped, its destination being the initiator.
  FiveTuple key;
  std::int64_t start_ns = 0;  // first packet
  std::int64_t last_ns = 0;   // latest packet timestamp
  FlowSide forward;
  FlowSide reverse;
  std::uint64_t id = 0;          // sequential from 1, unique within a table
  std::array<TcpStream, 2> tcp;  // indexed by Direction; used for TCP only
  std::unique_ptr<FlowState> state;

  FlowSide& side(Direction d) { return d == Direction::kForward ? forward : reverse; }
  const FlowSide& side(Direction d) const { return d == Direction::kForward ? forward : reverse; }
  TcpStream& stream(Direction d) { return tcp[static_cast<std::size_t>(d)]; }
  // FIN seen both ways, or a RST: the flow now only lingers for late packets.
  bool tcp_closed() const { return closed_; }

 private:
  friend class FlowTable;
  void Reset();

  Flow* lru_prev_ = nullptr;  // also the pool's free list, while the flow is unused
  Flow* lru_next_ = nullptr;
  std::uint64_t hash_ = 0;           // FlowIndex hash of key
  std::int64_t start_clock_ = 0;     // the table's clock at the first packet
  std::int64_t activity_clock_ = 0;  // the table's clock at the latest packet: LRU order
  std::uint8_t list_ = 0;
  bool closed_ = false;
};

enum class EndReason : std::uint8_t {
  kIdle,
  kActive,        // active timeout: a long flow cut into records
  kEvicted,       // the table was full
  kTcpClosed,     // FIN both ways or RST (after the linger), or the tuple reused by a new SYN
  kEndOfCapture,  // EndAll()
};

// Stable lower-case names for events: "idle", "active", "evicted", "tcp_closed",
// "end_of_capture".
std::string_view EndReasonName(EndReason reason);

struct FlowLimits {
  std::size_t max_flows = 262144;
  std::int64_t tcp_idle_ns = 300'000'000'000;     // 5 min
  std::int64_t udp_idle_ns = 60'000'000'000;      // 1 min
  std::int64_t other_idle_ns = 60'000'000'000;    // 1 min
  std::int64_t active_ns = 1'800'000'000'000;     // 30 min
  std::int64_t closed_linger_ns = 5'000'000'000;  // late ACKs/retransmits after a close
  ReassemblyLimits reassembly;
};

class FlowTable {
 public:
  using EndCallback = std::function<void(Flow&, EndReason)>;

  struct Stats {
    std::uint64_t created = 0;
    std::uint64_t ended_idle = 0;
    std::uint64_t ended_active = 0;
    std::uint64_t evicted = 0;
    std::uint64_t ended_closed = 0;
    std::uint64_t ended_end_of_capture = 0;
    std::uint64_t tuple_reuses = 0;  // SYN on a closed TCP flow (included in ended_closed)
    std::uint64_t peak_flows = 0;
  };

  FlowTable(FlowLimits limits, EndCallback on_end);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // Finds or creates the flow for a packet, updates its counters and returns it, with the
  // packet's direction in `dir`. May end flows first: this one (timed out, or its tuple reused
  // by a new SYN) or, when the table is full, the least recently active one. No allocation for
  // a packet of an existing flow.
  Flow& Track(const FiveTuple& tuple, std::int64_t ts_ns, std::uint32_t ip_length,
              std::uint32_t payload_length, std::uint8_t tcp_flags, Direction& dir);
  // Ends the flows idle for longer than their timeout at `now_ns`. O(1) when none is due:
  // cheap enough to call for every packet.
  void ExpireUpTo(std::int64_t now_ns);
  // End of capture: every remaining flow ends with kEndOfCapture, least recently active first.
  void EndAll();

  // Shared by the TcpStreams of this table's flows: pass it to their calls.
  ReassemblyBudget& reassembly_budget() { return budget_; }
  const FlowLimits& limits() const { return limits_; }
  const Stats& stats() const { return stats_; }
  std::size_t size() const { return index_.size(); }

 private:
  // One LRU list per timeout, so the head of each is the next flow due.
  enum ListId : std::uint8_t { kTcpList, kUdpList, kOtherList, kClosedList, kListCount };
  struct LruList {
    Flow* head = nullptr;
    Flow* tail = nullptr;
  };

  std::int64_t Timeout(std::uint8_t list) const;
  static std::uint8_t ListFor(const FiveTuple& tuple, bool closed);
  void Link(Flow& flow, std::uint8_t list);
  void Unlink(Flow& flow);
  bool EndsBefore(const Flow& flow, const FiveTuple& tuple, std::uint8_t tcp_flags,
                  EndReason& reason) const;
  Flow& Create(const FiveTuple& tuple, std::uint64_t hash, std::int64_t ts_ns,
               std::uint8_t tcp_flags);
  Flow* Acquire();
  void Recycle(Flow& flow);
  Flow* OldestFlow() const;
  void End(Flow& flow, EndReason reason);

  FlowLimits limits_;
  EndCallback on_end_;
  ReassemblyBudget budget_;
  FlowIndex index_;
  std::vector<std::unique_ptr<Flow[]>> chunks_;  // the pool: flows never move
  std::size_t pooled_ = 0;                       // flows allocated in chunks_
  Flow* free_ = nullptr;                         // recycled flows, linked by lru_next_
  std::array<LruList, kListCount> lists_{};
  Stats stats_;
  std::int64_t clock_;  // the latest timestamp seen: never goes back
  std::uint64_t next_id_ = 1;
};

}  // namespace beffroi::net
