#include "agents/net/flow/flow_table.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace beffroi::net {
namespace {

// now - then, saturated: capture timestamps are attacker-controlled and may be anything.
std::int64_t Elapsed(std::int64_t now, std::int64_t then) {
  std::int64_t result = 0;
  if (__builtin_sub_overflow(now, then, &result)) {
    return then < 0 ? std::numeric_limits<std::int64_t>::max()
                    : std::numeric_limits<std::int64_t>::min();
  }
  return result;
}

bool IsSynOnly(std::uint8_t flags) {
  constexpr std::uint8_t kMask = tcp_flag::kSyn | tcp_flag::kAck | tcp_flag::kRst;
  return (flags & kMask) == tcp_flag::kSyn;
}

bool IsSynAck(std::uint8_t flags) {
  constexpr std::uint8_t kMask = tcp_flag::kSyn | tcp_flag::kAck | tcp_flag::kRst;
  return (flags & kMask) == (tcp_flag::kSyn | tcp_flag::kAck);
}

// Pool chunks grow with the table (each as large as everything before it) between these sizes,
// so a small capture allocates little and a large one allocates rarely.
constexpr std::size_t kMinChunk = 64;
constexpr std::size_t kMaxChunk = 4096;

}  // namespace

std::string_view EndReasonName(EndReason reason) {
  switch (reason) {
    case EndReason::kIdle:
      return "idle";
    case EndReason::kActive:
      return "active";
    case EndReason::kEvicted:
      return "evicted";
    case EndReason::kTcpClosed:
      return "tcp_closed";
    case EndReason::kEndOfCapture:
      return "end_of_capture";
  }
  return "unknown";
}

FlowTable::FlowTable(FlowLimits limits, EndCallback on_end)
    : limits_(limits),
      on_end_(std::move(on_end)),
      budget_(limits.reassembly),
      index_(std::max<std::size_t>(limits.max_flows, 1)),
      clock_(std::numeric_limits<std::int64_t>::min()) {
  if (limits_.max_flows == 0) limits_.max_flows = 1;
}

FlowTable::~FlowTable() = default;

std::int64_t FlowTable::Timeout(std::uint8_t list) const {
  switch (list) {
    case kTcpList:
      return limits_.tcp_idle_ns;
    case kUdpList:
      return limits_.udp_idle_ns;
    case kClosedList:
      return limits_.closed_linger_ns;
    default:
      return limits_.other_idle_ns;
  }
}

std::uint8_t FlowTable::ListFor(const FiveTuple& tuple, bool closed) {
  if (closed) return kClosedList;
  if (tuple.protocol == kIpProtoTcp) return kTcpList;
  if (tuple.protocol == kIpProtoUdp) return kUdpList;
  return kOtherList;
}

void FlowTable::Link(Flow& flow, std::uint8_t list) {
  LruList& l = lists_[list];
  flow.list_ = list;
  flow.lru_prev_ = l.tail;
  flow.lru_next_ = nullptr;
  if (l.tail != nullptr) {
    l.tail->lru_next_ = &flow;
  } else {
    l.head = &flow;
  }
  l.tail = &flow;
}

void FlowTable::Unlink(Flow& flow) {
  LruList& l = lists_[flow.list_];
  if (flow.lru_prev_ != nullptr) {
    flow.lru_prev_->lru_next_ = flow.lru_next_;
  } else {
    l.head = flow.lru_next_;
  }
  if (flow.lru_next_ != nullptr) {
    flow.lru_next_->lru_prev_ = flow.lru_prev_;
  } else {
    l.tail = flow.lru_prev_;
  }
  flow.lru_prev_ = nullptr;
  flow.lru_next_ = nullptr;
}

bool FlowTable::EndsBefore(const Flow& flow, const FiveTuple& tuple, std::uint8_t tcp_flags,
                           EndReason& reason) const {
  // Checked here as well as in ExpireUpTo, so that records do not depend on how often the
  // pipeline calls ExpireUpTo.
  if (Elapsed(clock_, flow.activity_clock_) > Timeout(flow.list_)) {
    reason = flow.list_ == kClosedList ? EndReason::kTcpClosed : EndReason::kIdle;
    return true;
  }
  if (flow.closed_ && tuple.protocol == kIpProtoTcp && IsSynOnly(tcp_flags)) {
    reason = EndReason::kTcpClosed;  // a new connection on the same tuple
    return true;
  }
  if (Elapsed(clock_, flow.start_clock_) > limits_.active_ns) {
    reason = EndReason::kActive;
    return true;
  }
  return false;
}

void Flow::Reset() {
  key = FiveTuple();
  start_ns = 0;
  last_ns = 0;
  forward = FlowSide();
  reverse = FlowSide();
  id = 0;
  tcp[0] = TcpStream();
  tcp[1] = TcpStream();
  state.reset();
  lru_prev_ = nullptr;
  lru_next_ = nullptr;
  hash_ = 0;
  start_clock_ = 0;
  activity_clock_ = 0;
  list_ = 0;
  closed_ = false;
}

Flow* FlowTable::Acquire() {
  if (free_ == nullptr) {
    // Only when every pooled flow is in use, which the caller keeps under max_flows.
    const std::size_t n =
        std::min(std::clamp(pooled_, kMinChunk, kMaxChunk), limits_.max_flows - pooled_);
    chunks_.push_back(std::make_unique<Flow[]>(n));
    for (std::size_t i = n; i > 0; --i) {
      Recycle(chunks_.back()[i - 1]);
    }
    pooled_ += n;
  }
  Flow* flow = free_;
  free_ = flow->lru_next_;
  flow->lru_next_ = nullptr;
  return flow;
}

void FlowTable::Recycle(Flow& flow) {
  flow.Reset();
  flow.lru_next_ = free_;
  free_ = &flow;
}

Flow& FlowTable::Create(const FiveTuple& tuple, std::uint64_t hash, std::int64_t ts_ns,
                        std::uint8_t tcp_flags) {
  Flow& flow = *Acquire();
  // A SYN-ACK seen first (the SYN was missed): its destination opened the connection.
  const bool flip = tuple.protocol == kIpProtoTcp && IsSynAck(tcp_flags);
  flow.key = flip ? tuple.Reversed() : tuple;
  flow.start_ns = ts_ns;
  flow.last_ns = ts_ns;
  flow.id = next_id_++;
  flow.hash_ = hash;
  flow.start_clock_ = clock_;
  flow.activity_clock_ = clock_;
  Link(flow, ListFor(flow.key, false));
  index_.Insert(&flow, hash);
  ++stats_.created;
  stats_.peak_flows = std::max<std::uint64_t>(stats_.peak_flows, index_.size());
  return flow;
}

Flow& FlowTable::Track(const FiveTuple& tuple, std::int64_t ts_ns, std::uint32_t ip_length,
                       std::uint32_t payload_length, std::uint8_t tcp_flags, Direction& dir) {
  clock_ = std::max(clock_, ts_ns);
  const std::uint64_t hash = index_.Hash(tuple);
  Flow* flow = index_.Find(tuple, hash);
  EndReason reason = EndReason::kIdle;
  if (flow != nullptr && EndsBefore(*flow, tuple, tcp_flags, reason)) {
    if (reason == EndReason::kTcpClosed && IsSynOnly(tcp_flags)) ++stats_.tuple_reuses;
    End(*flow, reason);
    flow = nullptr;
  }
  if (flow == nullptr) {
    // Bounded by the table's size: each round ends one flow.
    while (index_.size() >= limits_.max_flows) {
      Flow* oldest = OldestFlow();
      if (oldest == nullptr) break;
      End(*oldest, EndReason::kEvicted);
    }
    flow = &Create(tuple, hash, ts_ns, tcp_flags);
  }

  dir = tuple == flow->key ? Direction::kForward : Direction::kReverse;
  FlowSide& side = flow->side(dir);
  ++side.packets;
  side.bytes += ip_length;
  side.payload_bytes += payload_length;
  side.tcp_flags |= tcp_flags;
  flow->last_ns = std::max(flow->last_ns, ts_ns);
  flow->activity_clock_ = clock_;
  if (flow->key.protocol == kIpProtoTcp && !flow->closed_ &&
      ((tcp_flags & tcp_flag::kRst) != 0 ||
       (flow->forward.tcp_flags & flow->reverse.tcp_flags & tcp_flag::kFin) != 0)) {
    flow->closed_ = true;
  }
  if (lists_[flow->list_].tail != flow || flow->closed_ != (flow->list_ == kClosedList)) {
    Unlink(*flow);
    Link(*flow, ListFor(flow->key, flow->closed_));
  }
  return *flow;
}

Flow* FlowTable::OldestFlow() const {
  Flow* oldest = nullptr;
  for (const LruList& l : lists_) {
    Flow* head = l.head;
    if (head == nullptr) continue;
    if (oldest == nullptr || head->activity_clock_ < oldest->activity_clock_ ||
        (head->activity_clock_ == oldest->activity_clock_ && head->id < oldest->id)) {
      oldest = head;
    }
  }
  return oldest;
}

void FlowTable::ExpireUpTo(std::int64_t now_ns) {
  clock_ = std::max(clock_, now_ns);
  for (std::uint8_t list = 0; list < kListCount; ++list) {
    const std::int64_t timeout = Timeout(list);
    // Bounded by the table's size: each round ends one flow.
    while (lists_[list].head != nullptr &&
           Elapsed(clock_, lists_[list].head->activity_clock_) > timeout) {
      End(*lists_[list].head, list == kClosedList ? EndReason::kTcpClosed : EndReason::kIdle);
    }
  }
}

void FlowTable::EndAll() {
  while (Flow* oldest = OldestFlow())
    End(*oldest, EndReason::kEndOfCapture);
}

void FlowTable::End(Flow& flow, EndReason reason) {
  // The callback runs while the flow is still fully in the table, so that a callback that
  // throws leaves the table consistent.
  if (on_end_) on_end_(flow, reason);
  switch (reason) {
    case EndReason::kIdle:
      ++stats_.ended_idle;
      break;
    case EndReason::kActive:
      ++stats_.ended_active;
      break;
    case EndReason::kEvicted:
      ++stats_.evicted;
      break;
    case EndReason::kTcpClosed:
      ++stats_.ended_closed;
      break;
    case EndReason::kEndOfCapture:
      ++stats_.ended_end_of_capture;
      break;
  }
  Unlink(flow);
  for (TcpStream& stream : flow.tcp)
    stream.Discard(budget_);
  index_.Erase(&flow, flow.hash_);
  Recycle(flow);
}

}  // namespace beffroi::net
