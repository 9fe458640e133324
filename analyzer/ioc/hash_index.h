// HashIndex: a compact, sorted index of binary digests with per-entry metadata.
//
// Internal to beffroi_ioc. Each entry is the raw digest (16, 20 or 32 bytes) plus 17 bytes of
// metadata (interned description id, source file id, line, score, context id): a million SHA-256
// entries take about 48 MB, against several times that for a hash set of hex strings. Entries are
// appended per file and merged into the sorted run by Commit(); lookups are binary searches.
// Not thread-safe while loading; Find() on a committed index is safe from any thread.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace beffroi::ioc {

enum class HashKind { kMd5, kSha1, kSha256 };

// "md5", "sha1", "sha256".
std::string_view HashKindName(HashKind kind);
// The ECS field a file hash of this kind is reported under ("file.hash.sha256").
std::string_view HashKindEcsField(HashKind kind);
// Kind of a hex digest by its length (32, 40, 64), if it is all hex.
std::optional<HashKind> HashKindOfHex(std::string_view hex);
// True for the digests (hex, either case) of the empty input and of a single "\n": Loki
// ignores them, because they would match every empty (or one-newline) file on the system.
bool IsTrivialContentHash(std::string_view hex);

struct HashMeta {
  std::uint32_t description = 0;  // id in the owner's string table
  std::uint32_t file = 0;         // id in the owner's file table
  std::uint32_t line = 0;
  std::uint8_t score = 0;
  std::uint32_t context = 0;  // id in the owner's context table (techniques, playbook); 0: none
};

template <std::size_t N>
struct HashEntry {
  std::array<std::uint8_t, N> digest;
  HashMeta meta;
};

// Value of every byte as a hex digit, or -1: a table, because millions of digits go through it.
inline constexpr std::array<std::int8_t, 256> kHexNibbles = [] {
  std::array<std::int8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(v);
  }
  return table;
}();

inline int HexNibble(char c) {
  return kHexNibbles[static_cast<unsigned char>(c)];
}

// Decodes `hex` (exactly 2*N hex digits, either case) into `out`; false otherwise.
template <std::size_t N>
bool DecodeHex(std::string_view hex, std::array<std::uint8_t, N>& out) {
  if (hex.size() != 2 * N) return false;
  int bad = 0;
  for (std::size_t i = 0; i < N; ++i) {
    int hi = HexNibble(hex[2 * i]);
    int lo = HexNibble(hex[2 * i + 1]);
    bad |= hi | lo;  // negative when either is not a digit
    out[i] = static_cast<std::uint8_t>(((hi & 0xf) << 4) | (lo & 0xf));
  }
  return bad >= 0;
}

// Three-way comparison in memcmp order, comparing the first 8 bytes as one integer first:
// digests are uniformly distributed, so they almost always differ there.
template <std::size_t N>
int DigestCompare(const std::array<std::uint8_t, N>& a, const std::array<std::uint8_t, N>& b) {
  std::uint64_t ha = 0;
  std::uint64_t hb = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    ha = (ha << 8) | a[i];
    hb = (hb << 8) | b[i];
  }
  if (ha != hb) return ha < hb ? -1 : 1;
  return std::memcmp(a.data() + 8, b.data() + 8, N - 8);
}

template <std::size_t N>
class HashIndex {
 public:
  using Entry = HashEntry<N>;

  void Add(const std::array<std::uint8_t, N>& digest, const HashMeta& meta) {
    entries_.push_back(Entry{digest, meta});
  }

  // Sorts the entries added since the last Commit() (one file's worth), drops repeats of a
  // digest within them, and merges them into the sorted run. Returns the number dropped.
  std::size_t Commit() {
    auto tail = entries_.begin() + static_cast<std::ptrdiff_t>(sorted_);
    // In place (std::stable_sort would need a buffer as large as the file's entries); the line
    // breaks ties so the first listing of a repeated digest is the one kept.
    std::sort(tail, entries_.end(), [](const Entry& a, const Entry& b) {
      int order = DigestCompare(a.digest, b.digest);
      return order != 0 ? order < 0 : a.meta.line < b.meta.line;
    });
    auto new_end = std::unique(tail, entries_.end(), SameDigest);
    std::size_t dropped = static_cast<std::size_t>(entries_.end() - new_end);
    entries_.erase(new_end, entries_.end());
    std::inplace_merge(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(sorted_),
                       entries_.end(), ByDigest);
    sorted_ = entries_.size();
    return dropped;
  }

  // Every entry with this digest (one per file that listed it). Only committed entries.
  std::span<const Entry> Find(const std::array<std::uint8_t, N>& digest) const {
    auto end = entries_.begin() + static_cast<std::ptrdiff_t>(sorted_);
    auto range = std::equal_range(entries_.begin(), end, Entry{digest, HashMeta{}}, ByDigest);
    return {range.first, range.second};
  }

  bool Contains(std::string_view hex) const {
    std::array<std::uint8_t, N> digest;
    return DecodeHex(hex, digest) && !Find(digest).empty();
  }

  std::size_t size() const { return sorted_; }
  bool empty() const { return sorted_ == 0; }
  // The committed entries, in digest order.
  std::span<const Entry> entries() const { return {entries_.data(), sorted_}; }

 private:
  static bool ByDigest(const Entry& a, const Entry& b) {
    return DigestCompare(a.digest, b.digest) < 0;
  }
  static bool SameDigest(const Entry& a, const Entry& b) {
    return DigestCompare(a.digest, b.digest) == 0;
  }

  std::vector<Entry> entries_;
  std::size_t sorted_ = 0;  // entries_[0, sorted_) are sorted and searchable
};

}  // namespace beffroi::ioc
