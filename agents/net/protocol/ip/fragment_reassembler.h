// FragmentReassembler: bounded IPv4 and IPv6 fragment reassembly in capture time.
//
// Fragments are keyed by (source, destination, identification, protocol) and copied into a
// per-datagram buffer; a datagram is handed back only when every byte from 0 to the end given
// by its last fragment is present. Overlaps keep the bytes that arrived first (the "first"
// policy) and report `ip.fragment_overlap_mismatch` when the later copy differs, since
// conflicting overlaps are how IDS evasion works (RFC 1858, Ptacek & Newsham 1998). Everything
// is bounded by FragmentLimits: fragments per datagram, datagrams pending, bytes buffered (the
// oldest datagram is evicted first) and a timeout that advances with the packets' timestamps,
// never the wall clock. The reassembler owns its buffers; a completed datagram is swapped into
// a vector the caller owns. Not thread-safe: one per decoder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <list>
#include <span>
#include <unordered_map>
#include <vector>

#include "agents/net/protocol/anomaly.h"
#include "agents/net/protocol/ip/address.h"

namespace beffroi::net::ip {

// RFC 791 §3.1 (16-bit total length) and RFC 8200 §4.5 (16-bit payload length): no reassembled
// packet may exceed 65535 bytes. IPv6 jumbograms (RFC 2675) are not supported.
inline constexpr std::uint32_t kMaxReassembledLength = 65535;

struct FragmentLimits {
  // A 65535-byte datagram over the 1280-byte IPv6 minimum MTU (RFC 8200 §5) takes 52 fragments.
  std::uint32_t max_fragments_per_datagram = 64;
  std::uint32_t max_pending_datagrams = 1024;
  std::size_t max_buffered_bytes = std::size_t{16} << 20;
  // Linux net.ipv4.ipfrag_time; RFC 791 suggests 15 s, RFC 8200 §4.5 60 s for IPv6.
  std::int64_t timeout_ns = 30'000'000'000;
};

struct FragmentStats {
  std::uint64_t fragments = 0;           // fragments offered
  std::uint64_t reassembled = 0;         // datagrams completed
  std::uint64_t timeouts = 0;            // datagrams dropped incomplete after the timeout
  std::uint64_t evictions = 0;           // datagrams dropped for room (ip.fragment_evicted)
  std::uint64_t dropped = 0;             // fragments refused (too large, bad length, limit)
  std::uint64_t overlap_mismatches = 0;  // fragments whose overlap differed from earlier data
  std::uint64_t pending = 0;             // datagrams waiting now
  std::uint64_t buffered_bytes = 0;      // bytes held now
};

struct FragmentKey {
  IpAddress src;
  IpAddress dst;
  std::uint32_t id = 0;
  std::uint8_t protocol = 0;  // IPv4 protocol; IPv6 next header of the fragment header
  friend bool operator==(const FragmentKey&, const FragmentKey&) = default;
};

struct FragmentKeyHash {
  std::size_t operator()(const FragmentKey& key) const noexcept;
};

// One fragment as the IP decoder saw it; `data` must be the whole fragment payload.
struct Fragment {
  FragmentKey key;
  std::uint32_t offset = 0;  // bytes into the fragmentable part
  bool more = false;
  std::span<const std::uint8_t> data;
  std::uint32_t unfragmentable_length = 0;  // counted against kMaxReassembledLength
  std::uint8_t ttl = 0;
};

enum class FragmentResult : std::uint8_t {
  kPending,   // kept; the datagram is not complete yet
  kComplete,  // the datagram is complete and in `out`
  kDropped,   // refused, with an anomaly reported
};

struct Reassembled {
  std::uint8_t ttl = 0;  // of the fragment at offset 0
  std::uint32_t fragments = 0;
};

class FragmentReassembler {
 public:
  explicit FragmentReassembler(FragmentLimits limits = {});

  // Moves capture time forward (never back) and drops datagrams older than the timeout.
  void Advance(std::int64_t now_ns) {
    if (now_ns > now_ns_) now_ns_ = now_ns;
    if (!by_age_.empty()) ExpireOld();
  }
  // Adds a fragment. On kComplete, `out` holds the fragmentable part of the datagram (its
  // previous contents are discarded) and `info` describes it.
  FragmentResult Add(const Fragment& fragment, std::vector<std::uint8_t>& out, Reassembled& info,
                     AnomalySink& anomalies);

  const FragmentStats& stats() const { return stats_; }
  const FragmentLimits& limits() const { return limits_; }

 private:
  struct Range {
    std::uint32_t begin;
    std::uint32_t end;
  };
  struct Datagram {
    FragmentKey key;
    std::int64_t created_ns = 0;
    std::vector<std::uint8_t> data;  // bytes [0, data.size()) of the fragmentable part
    std::vector<Range> covered;      // sorted, disjoint, merged
    std::uint32_t end = 0;           // known once the last fragment (no MF) arrived
    bool end_known = false;
    std::uint32_t fragments = 0;
    std::uint8_t first_ttl = 0;
    std::size_t accounted = 0;  // bytes counted in stats_.buffered_bytes
  };
  using DatagramList = std::list<Datagram>;

  void ExpireOld();
  DatagramList::iterator FindOrCreate(const FragmentKey& key, AnomalySink& anomalies);
  bool Reserve(DatagramList::iterator datagram, std::uint32_t end, AnomalySink& anomalies);
  bool CheckEnd(Datagram& datagram, const Fragment& fragment, std::uint32_t end,
                AnomalySink& anomalies);
  bool Merge(Datagram& datagram, const Fragment& fragment);
  void Erase(DatagramList::iterator datagram);
  void Evict(DatagramList::iterator datagram, const char* why, AnomalySink& anomalies);
  FragmentResult Drop(const char* name, const Fragment& fragment, const char* why,
                      AnomalySink& anomalies);

  FragmentLimits limits_;
  FragmentStats stats_;
  std::int64_t now_ns_ = std::numeric_limits<std::int64_t>::min();
  DatagramList by_age_;  // creation order; creation times are monotonic, so oldest first
  std::unordered_map<FragmentKey, DatagramList::iterator, FragmentKeyHash> index_;
};

}  // namespace beffroi::net::ip
