#include "agents/net/protocol/dns/tcp_framer.h"

namespace beffroi::net::dns {

std::size_t TcpFramer::Expected() const {
  return (static_cast<std::size_t>(buffer_[0]) << 8) | buffer_[1];
}

bool TcpFramer::Complete() const {
  return buffer_.size() >= kPrefixSize && buffer_.size() == kPrefixSize + Expected();
}

std::size_t TcpFramer::Append(std::span<const std::uint8_t> bytes) {
  // Never complete here (a complete message is handed out and cleared at once), so `want` is
  // at least one.
  const std::size_t want = buffer_.size() < kPrefixSize ? kPrefixSize - buffer_.size()
                                                        : kPrefixSize + Expected() - buffer_.size();
  const std::size_t take = want < bytes.size() ? want : bytes.size();
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
  return take;
}

void TcpFramer::Gap(std::uint64_t length) {
  if (length == 0) return;
  if (skip_ > 0) {
    // Still discarding a damaged message: a gap inside it changes nothing else.
    if (length <= skip_) {
      skip_ -= length;
      return;
    }
    Gap();
    return;
  }
  if (buffer_.size() >= kPrefixSize) {
    const std::uint64_t rest = kPrefixSize + Expected() - buffer_.size();
    buffer_.clear();
    if (length <= rest) {
      skip_ = rest - length;
      return;
    }
  }
  Gap();
}

void TcpFramer::Gap() {
  buffer_.clear();
  skip_ = 0;
  ++resyncs_;
}

}  // namespace beffroi::net::dns
