#include "agents/net/protocol/ip/fragment_reassembler.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>

#include "agents/net/protocol/ip/anomaly_format.h"

namespace beffroi::net::ip {
namespace {

// Buffers grow in steps of this many bytes while the datagram's end is unknown, so that a
// datagram arriving in order does not reallocate for every fragment.
constexpr std::size_t kBufferGrowthStep = 4096;
// RFC 791 §3.1 / RFC 8200 §4.5: fragment data comes in 8-octet units, except the last.
constexpr std::size_t kFragmentUnit = 8;

void ReportForKey(AnomalySink& anomalies, std::string_view name, const FragmentKey& key,
                  const char* why) {
  const std::string src = key.src.ToString();
  const std::string dst = key.dst.ToString();
  ReportAnomalyF(anomalies, name, "%s > %s id %u proto %u: %s", src.c_str(), dst.c_str(), key.id,
                 static_cast<unsigned>(key.protocol), why);
}

}  // namespace

std::size_t FragmentKeyHash::operator()(const FragmentKey& key) const noexcept {
  // FNV-1a: the table is bounded by max_pending_datagrams, so a collision flood costs time on a
  // bounded set, never memory.
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::uint8_t byte) {
    h ^= byte;
    h *= 1099511628211ull;
  };
  for (std::uint8_t byte : key.src.bytes())
    mix(byte);
  for (std::uint8_t byte : key.dst.bytes())
    mix(byte);
  mix(static_cast<std::uint8_t>(key.src.family()));
  for (int shift = 24; shift >= 0; shift -= 8)
    mix(static_cast<std::uint8_t>(key.id >> shift));
  mix(key.protocol);
  return static_cast<std::size_t>(h);
}

FragmentReassembler::FragmentReassembler(FragmentLimits limits) : limits_(limits) {
  limits_.max_fragments_per_datagram =
      std::max<std::uint32_t>(limits_.max_fragments_per_datagram, 1);
  limits_.max_pending_datagrams = std::max<std::uint32_t>(limits_.max_pending_datagrams, 1);
  limits_.timeout_ns = std::max<std::int64_t>(limits_.timeout_ns, 0);
}

void FragmentReassembler::ExpireOld() {
  const auto timeout = static_cast<std::uint64_t>(limits_.timeout_ns);
  // Creation times never exceed now_ns_, so the unsigned difference is the exact age.
  while (!by_age_.empty()) {
    const auto age = static_cast<std::uint64_t>(now_ns_) -
                     static_cast<std::uint64_t>(by_age_.front().created_ns);
    if (age <= timeout) break;
    ++stats_.timeouts;
    Erase(by_age_.begin());
  }
}

void FragmentReassembler::Erase(DatagramList::iterator datagram) {
  stats_.buffered_bytes -= datagram->accounted;
  index_.erase(datagram->key);
  by_age_.erase(datagram);
  stats_.pending = by_age_.size();
}

void FragmentReassembler::Evict(DatagramList::iterator datagram, const char* why,
                                AnomalySink& anomalies) {
  ++stats_.evictions;
  ReportForKey(anomalies, "ip.fragment_evicted", datagram->key, why);
  Erase(datagram);
}

FragmentResult FragmentReassembler::Drop(const char* name, const Fragment& fragment,
                                         const char* why, AnomalySink& anomalies) {
  ++stats_.dropped;
  ReportForKey(anomalies, name, fragment.key, why);
  return FragmentResult::kDropped;
}

FragmentReassembler::DatagramList::iterator FragmentReassembler::FindOrCreate(
    const FragmentKey& key, AnomalySink& anomalies) {
  if (auto found = index_.find(key); found != index_.end()) return found->second;
  while (by_age_.size() >= limits_.max_pending_datagrams) {
    Evict(by_age_.begin(), "pending datagram limit", anomalies);
  }
  by_age_.emplace_back();
  auto datagram = std::prev(by_age_.end());
  datagram->key = key;
  datagram->created_ns = now_ns_;
  index_.emplace(key, datagram);
  stats_.pending = by_age_.size();
  return datagram;
}

bool FragmentReassembler::CheckEnd(Datagram& datagram, const Fragment& fragment, std::uint32_t end,
                                   AnomalySink& anomalies) {
  const char* why = nullptr;
  if (!fragment.more) {
    if (datagram.end_known && datagram.end != end) {
      why = "last fragments disagree on the datagram length";
    } else if (!datagram.covered.empty() && datagram.covered.back().end > end) {
      why = "earlier fragments reach past the last fragment";
    } else {
      datagram.end = end;
      datagram.end_known = true;
    }
  } else if (datagram.end_known && end > datagram.end) {
    why = "fragment reaches past the last fragment";
  }
  if (why == nullptr) return true;
  (void)Drop("ip.fragment_bad_length", fragment, why, anomalies);
  return false;
}

bool FragmentReassembler::Reserve(DatagramList::iterator datagram, std::uint32_t end,
                                  AnomalySink& anomalies) {
  Datagram& d = *datagram;
  if (end <= d.data.size()) return true;
  if (end > d.data.capacity()) {
    std::size_t want = d.end_known
                           ? d.end
                           : std::min<std::size_t>((end + kBufferGrowthStep - 1) /
                                                       kBufferGrowthStep * kBufferGrowthStep,
                                                   kMaxReassembledLength);
    want = std::max<std::size_t>(want, end);
    const std::size_t growth = want - d.accounted;
    // Make room by evicting the oldest other datagrams; each pass removes one.
    while (stats_.buffered_bytes + growth > limits_.max_buffered_bytes) {
      auto oldest = by_age_.begin();
      if (oldest == datagram) ++oldest;
      if (oldest == by_age_.end()) {
        Evict(datagram, "buffered bytes limit", anomalies);
        return false;
      }
      Evict(oldest, "buffered bytes limit", anomalies);
    }
    d.data.reserve(want);
    stats_.buffered_bytes += d.data.capacity() - d.accounted;
    d.accounted = d.data.capacity();
  }
  d.data.resize(end);
  return true;
}

bool FragmentReassembler::Merge(Datagram& datagram, const Fragment& fragment) {
  const std::uint32_t begin = fragment.offset;
  const auto end = static_cast<std::uint32_t>(begin + fragment.data.size());
  if (begin == end) return false;
  auto copy = [&](std::uint32_t from, std::uint32_t to) {
    std::memcpy(datagram.data.data() + from, fragment.data.data() + (from - begin), to - from);
  };
  bool mismatch = false;
  std::uint32_t pos = begin;
  // First policy: bytes already present stay; only the gaps take the new fragment's bytes.
  for (const Range& range : datagram.covered) {
    if (range.end <= pos) continue;
    if (range.begin >= end) break;
    if (range.begin > pos) copy(pos, range.begin);
    const std::uint32_t overlap_begin = std::max(range.begin, pos);
    const std::uint32_t overlap_end = std::min(range.end, end);
    if (std::memcmp(datagram.data.data() + overlap_begin,
                    fragment.data.data() + (overlap_begin - begin),
                    overlap_end - overlap_begin) != 0) {
      mismatch = true;
    }
    pos = overlap_end;
    if (pos >= end) break;
  }
  if (pos < end) copy(pos, end);

  auto& covered = datagram.covered;
  auto at = std::lower_bound(covered.begin(), covered.end(), begin,
                             [](const Range& r, std::uint32_t b) { return r.begin < b; });
  covered.insert(at, Range{begin, end});
  // Merge ranges that overlap or touch, in one pass.
  std::size_t kept = 0;
  for (std::size_t i = 1; i < covered.size(); ++i) {
    if (covered[i].begin <= covered[kept].end) {
      covered[kept].end = std::max(covered[kept].end, covered[i].end);
    } else {
      covered[++kept] = covered[i];
    }
  }
  covered.resize(kept + 1);
  return mismatch;
}

FragmentResult FragmentReassembler::Add(const Fragment& fragment, std::vector<std::uint8_t>& out,
                                        Reassembled& info, AnomalySink& anomalies) {
  ++stats_.fragments;
  const std::uint64_t end64 = std::uint64_t{fragment.offset} + fragment.data.size();
  if (fragment.unfragmentable_length + end64 > kMaxReassembledLength) {
    return Drop("ip.fragment_too_large", fragment, "reassembled packet would pass 65535 bytes",
                anomalies);
  }
  const auto end = static_cast<std::uint32_t>(end64);
  if (fragment.more && fragment.data.size() % kFragmentUnit != 0) {
    return Drop("ip.fragment_bad_length", fragment,
                "non-final fragment length is not a multiple of 8", anomalies);
  }
  auto datagram = FindOrCreate(fragment.key, anomalies);
  Datagram& d = *datagram;
  if (++d.fragments > limits_.max_fragments_per_datagram) {
    (void)Drop("ip.fragment_limit", fragment, "too many fragments for one datagram", anomalies);
    Erase(datagram);
    return FragmentResult::kDropped;
  }
  if (!CheckEnd(d, fragment, end, anomalies)) {
    if (d.covered.empty()) Erase(datagram);
    return FragmentResult::kDropped;
  }
  if (!Reserve(datagram, end, anomalies)) {
    ++stats_.dropped;
    return FragmentResult::kDropped;
  }
  const bool has_start = !d.covered.empty() && d.covered.front().begin == 0;
  if (fragment.offset == 0 && !fragment.data.empty() && !has_start) d.first_ttl = fragment.ttl;
  if (Merge(d, fragment)) {
    ++stats_.overlap_mismatches;
    ReportForKey(anomalies, "ip.fragment_overlap_mismatch", d.key,
                 "overlapping fragment differs; first data kept");
  }
  if (!d.end_known || d.covered.size() != 1 || d.covered.front().begin != 0 ||
      d.covered.front().end != d.end) {
    return FragmentResult::kPending;
  }
  out.clear();
  out.swap(d.data);
  out.resize(d.end);
  info.ttl = d.first_ttl;
  info.fragments = d.fragments;
  ++stats_.reassembled;
  Erase(datagram);
  return FragmentResult::kComplete;
}

}  // namespace beffroi::net::ip
