// ByteReader: bounds-checked, big- or little-endian reads over a borrowed byte span.
//
// Every parser of untrusted bytes goes through this class. Checks are written
// `n <= remaining()`, a failed read returns false and leaves the reader unchanged, and Sub(n)
// hands out a child reader limited to a length-prefixed field. Integers are assembled with
// shifts, never by casting bytes to structs. The reader does not own the bytes; it must not
// outlive them. Not thread-safe (cheap to copy instead).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace beffroi {

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}
  ByteReader(const void* data, std::size_t size)
      : data_(static_cast<const std::uint8_t*>(data), size) {}

  std::size_t size() const { return data_.size(); }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }

  bool Skip(std::size_t n) {
    if (n > remaining()) return false;
    pos_ += n;
    return true;
  }
  bool Seek(std::size_t offset) {
    if (offset > data_.size()) return false;
    pos_ = offset;
    return true;
  }

  bool ReadU8(std::uint8_t& out) {
    if (remaining() < 1) return false;
    out = data_[pos_++];
    return true;
  }
  bool ReadU16Be(std::uint16_t& out) { return ReadBe(out, 2); }
  bool ReadU32Be(std::uint32_t& out) { return ReadBe(out, 4); }
  bool ReadU64Be(std::uint64_t& out) { return ReadBe(out, 8); }
  bool ReadU16Le(std::uint16_t& out) { return ReadLe(out, 2); }
  bool ReadU32Le(std::uint32_t& out) { return ReadLe(out, 4); }
  bool ReadU64Le(std::uint64_t& out) { return ReadLe(out, 8); }

  // Borrows the next n bytes.
  bool ReadBytes(std::size_t n, std::span<const std::uint8_t>& out) {
    if (n > remaining()) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool ReadString(std::size_t n, std::string_view& out) {
    std::span<const std::uint8_t> bytes;
    if (!ReadBytes(n, bytes)) return false;
    out = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return true;
  }
  // A child reader over the next n bytes; this reader advances past them.
  bool Sub(std::size_t n, ByteReader& out) {
    std::span<const std::uint8_t> bytes;
    if (!ReadBytes(n, bytes)) return false;
    out = ByteReader(bytes);
    return true;
  }
  // Looks without consuming.
  bool Peek(std::size_t n, std::span<const std::uint8_t>& out) const {
    if (n > remaining()) return false;
    out = data_.subspan(pos_, n);
    return true;
  }
  std::span<const std::uint8_t> Rest() const { return data_.subspan(pos_); }

 private:
  template <typename T>
  bool ReadBe(T& out, std::size_t n) {
    if (n > remaining()) return false;
    T v = 0;
    for (std::size_t i = 0; i < n; ++i)
      v = static_cast<T>((v << 8) | data_[pos_ + i]);
    out = v;
    pos_ += n;
    return true;
  }
  template <typename T>
  bool ReadLe(T& out, std::size_t n) {
    if (n > remaining()) return false;
    T v = 0;
    for (std::size_t i = n; i > 0; --i)
      v = static_cast<T>((v << 8) | data_[pos_ + i - 1]);
    out = v;
    pos_ += n;
    return true;
  }

  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

}  // namespace beffroi
