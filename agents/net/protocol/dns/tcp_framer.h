// TcpFramer: splits one direction of a DNS-over-TCP stream into messages (RFC 1035 §4.2.2,
// RFC 7766 §8: each message is preceded by a 2-octet big-endian length).
//
// Feed() takes the in-order reassembled bytes as they come and calls `on_message` with each
// complete message (without its length prefix). A message lying whole inside the fed bytes is
// handed out in place; only a message split across feeds is copied, into a buffer bounded by
// the largest length a prefix can state (kMaxMessageSize). The span given to `on_message` is
// valid only during the call.
//
// Gaps: Gap(length) drops the partial message; when the gap ends inside that message, the
// framer skips the message's remaining octets and stays aligned. When it cannot know (Gap()
// without a length, or a gap reaching past the message), it assumes the next octet starts a
// length prefix (resynchronisation by guess: a wrong guess gives messages that Parse reports
// as malformed, and the guess is counted in resyncs()).
//
// One framer per direction per connection; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/byte_reader.h"

namespace beffroi::net::dns {

class TcpFramer {
 public:
  // The 2-octet prefix can state at most 65535 (RFC 1035 §4.2.2).
  static constexpr std::size_t kMaxMessageSize = 65535;
  static constexpr std::size_t kPrefixSize = 2;

  // `on_message(std::span<const std::uint8_t>)` is called once per complete message.
  template <typename OnMessage>
  void Feed(std::span<const std::uint8_t> bytes, OnMessage&& on_message);

  // `length` octets are missing from the capture at this point of the stream.
  void Gap(std::uint64_t length);
  // A gap of unknown length.
  void Gap();
  // The same, under the name the design brief used.
  void OnGap(std::uint64_t length) { Gap(length); }
  void OnGap() { Gap(); }

  // Octets of a partial message held (prefix included); at most kPrefixSize + kMaxMessageSize.
  std::size_t buffered() const { return buffer_.size(); }
  // Gaps after which alignment had to be guessed.
  std::uint64_t resyncs() const { return resyncs_; }

 private:
  // Copies octets of the current partial message from `bytes`; returns how many it took (at
  // least one when `bytes` is not empty).
  std::size_t Append(std::span<const std::uint8_t> bytes);
  bool Complete() const;
  std::size_t Expected() const;

  std::vector<std::uint8_t> buffer_;
  std::uint64_t skip_ = 0;  // octets of a gap-damaged message still to discard
  std::uint64_t resyncs_ = 0;
};

template <typename OnMessage>
void TcpFramer::Feed(std::span<const std::uint8_t> bytes, OnMessage&& on_message) {
  // Each pass consumes at least one octet, so the loop runs at most bytes.size() times.
  while (!bytes.empty()) {
    if (skip_ > 0) {
      const std::size_t n = skip_ < bytes.size() ? static_cast<std::size_t>(skip_) : bytes.size();
      skip_ -= n;
      bytes = bytes.subspan(n);
      continue;
    }
    if (buffer_.empty()) {
      ByteReader r(bytes);
      std::uint16_t length = 0;
      std::span<const std::uint8_t> message;
      if (r.ReadU16Be(length) && r.ReadBytes(length, message)) {
        on_message(message);
        bytes = r.Rest();
        continue;
      }
    }
    bytes = bytes.subspan(Append(bytes));
    if (Complete()) {
      on_message(std::span<const std::uint8_t>(buffer_).subspan(kPrefixSize));
      buffer_.clear();
    }
  }
}

}  // namespace beffroi::net::dns
