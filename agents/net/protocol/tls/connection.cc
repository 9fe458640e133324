// Record layer (RFC 5246 §6.2, RFC 8446 §5) and handshake reassembly for one TCP connection.
#include "agents/net/protocol/tls/connection.h"

#include <algorithm>

namespace beffroi::net::tls {

namespace {

// The first bytes of a direction (fewer than a record header) may still start TLS.
bool PrefixCouldBeTls(Direction dir, std::span<const std::uint8_t> p) {
  if (dir == Direction::kClientToServer) return LooksLikeClientHello(p);
  if (p.empty()) return true;
  const bool known_type = p[0] >= kContentChangeCipherSpec && p[0] <= kContentApplicationData;
  return known_type && (p.size() < 2 || p[1] == 3);
}

}  // namespace

bool Connection::Side::MidMessage() const {
  return message_header_length != 0 &&
         (message_header_length < kHandshakeHeaderLength || message_remaining != 0);
}

Connection::Connection(Observer& observer, AnomalySink& anomalies, Limits limits)
    : observer_(observer), anomalies_(anomalies), limits_(limits) {}

void Connection::Feed(Direction dir, std::span<const std::uint8_t> bytes) {
  Side& s = side(dir);
  // Bounded: every iteration consumes at least one byte or ends this direction.
  while (!bytes.empty() && !s.done()) {
    if (s.record_remaining == 0) {
      const std::size_t take = std::min(kRecordHeaderLength - s.header_length, bytes.size());
      std::copy_n(bytes.begin(), take,
                  s.header.begin() + static_cast<std::ptrdiff_t>(s.header_length));
      s.header_length += take;
      bytes = bytes.subspan(take);
      if (s.header_length < kRecordHeaderLength) return;
      s.header_length = 0;
      StartRecord(dir, s);
      continue;
    }
    const std::size_t n = std::min(s.record_remaining, bytes.size());
    const std::span<const std::uint8_t> chunk = bytes.first(n);
    bytes = bytes.subspan(n);
    s.record_remaining -= n;
    if (s.record_type == kContentHandshake) ConsumeHandshake(dir, s, chunk);
  }
}

void Connection::Gap(Direction dir, std::uint64_t /*length*/) {
  // Nothing after a gap can be framed again; the reassembler reports the gap itself.
  EndSide(side(dir));
}

void Connection::Close(Direction dir) {
  Side& s = side(dir);
  if (s.done()) return;
  // A few bytes that never became a whole record header are only "truncated TLS" if they
  // could have started one.
  const bool could_be_tls =
      s.phase != Side::Phase::kStart ||
      PrefixCouldBeTls(dir, std::span<const std::uint8_t>(s.header.data(), s.header_length));
  if (could_be_tls && (s.header_length != 0 || s.record_remaining != 0 || s.MidMessage())) {
    anomalies_.Report("tls.truncated", "stream closed inside a record or handshake message");
  }
  EndSide(s);
}

// RFC 8446 §5 and appendix D.4: in middlebox-compatibility mode a TLS 1.3 peer sends a dummy
// ChangeCipherSpec before the handshake is done; it must not end the tracking while a second
// ClientHello (after a HelloRetryRequest) or the real ServerHello may still follow.
bool Connection::IgnoreChangeCipherSpec(Direction dir) const {
  if (server_hello_seen_) return false;
  return dir == Direction::kClientToServer ? client_offered_tls13_ : hello_retry_seen_;
}

void Connection::StartRecord(Direction dir, Side& s) {
  const std::uint8_t type = s.header[0];
  const std::uint8_t major = s.header[1];
  const std::size_t length = (std::size_t{s.header[3]} << 8) | s.header[4];
  const bool known_type = type >= kContentChangeCipherSpec && type <= kContentApplicationData;
  if (s.phase == Side::Phase::kStart) {
    if (dir == Direction::kClientToServer && LooksLikeSslv2ClientHello(s.header)) {
      anomalies_.Report("tls.sslv2_hello", "SSL 2.0 compatible ClientHello; not followed");
      NotTls();
      return;
    }
    const bool starts_like_tls =
        major == 3 && (dir == Direction::kClientToServer ? type == kContentHandshake : known_type);
    if (!starts_like_tls) {  // another protocol: not an anomaly
      NotTls();
      return;
    }
    s.phase = Side::Phase::kRecords;
  } else if (major != 3 || !known_type) {
    Stop(dir, nullptr);
    anomalies_.Report("tls.record_malformed", "unknown content type or version in a record");
    return;
  }
  if (length > kMaxRecordLength) {
    Stop(dir, nullptr);
    anomalies_.Report("tls.record_too_long", "record longer than 2^14+2048 bytes");
    return;
  }
  if (++s.records > limits_.max_records) {
    Stop(dir, nullptr);
    anomalies_.Report("tls.too_many_messages", "records past the limit before the handshake ended");
    return;
  }
  if (type == kContentHandshake ||
      (type == kContentChangeCipherSpec && IgnoreChangeCipherSpec(dir))) {
    s.record_type = type;
    s.record_version = static_cast<std::uint16_t>((s.header[1] << 8) | s.header[2]);
    s.record_remaining = length;
    return;
  }
  // ChangeCipherSpec, alert or application data: what follows is encrypted or final.
  Stop(dir, "handshake message cut by a non-handshake record");
}

void Connection::ConsumeHandshake(Direction dir, Side& s, std::span<const std::uint8_t> bytes) {
  // Bounded: every iteration consumes at least one byte or ends this direction.
  while (!bytes.empty() && !s.done()) {
    if (s.message_header_length < kHandshakeHeaderLength) {
      // The first handshake message of a client must be a ClientHello, or this is not TLS.
      if (dir == Direction::kClientToServer && s.messages == 0 && s.message_header_length == 0 &&
          bytes[0] != kHandshakeClientHello) {
        NotTls();
        return;
      }
      s.message_header[s.message_header_length++] = bytes[0];
      bytes = bytes.subspan(1);
      if (s.message_header_length == kHandshakeHeaderLength) BeginMessage(dir, s);
      continue;
    }
    const std::size_t n = std::min(s.message_remaining, bytes.size());
    const std::span<const std::uint8_t> part = bytes.first(n);
    bytes = bytes.subspan(n);
    s.message_remaining -= n;
    if (s.keep_message) {
      if (s.message_remaining == 0 && s.body.empty()) {
        Dispatch(dir, s.message_header[0], s.message_record_version, part);  // in place
      } else {
        s.body.insert(s.body.end(), part.begin(), part.end());
        if (s.message_remaining == 0) {
          Dispatch(dir, s.message_header[0], s.message_record_version, s.body);
        }
      }
    }
    if (s.message_remaining == 0) {
      s.message_header_length = 0;
      s.keep_message = false;
      s.body.clear();
    }
  }
}

std::size_t Connection::MessageLimit(Direction dir, std::uint8_t type) const {
  if (dir == Direction::kClientToServer) {
    return type == kHandshakeClientHello ? limits_.max_client_hello_length : 0;
  }
  if (type == kHandshakeServerHello) return limits_.max_server_hello_length;
  if (type == kHandshakeCertificate) return limits_.max_certificate_message_length;
  return 0;
}

void Connection::BeginMessage(Direction dir, Side& s) {
  const std::uint8_t type = s.message_header[0];
  const std::size_t length = (std::size_t{s.message_header[1]} << 16) |
                             (std::size_t{s.message_header[2]} << 8) | s.message_header[3];
  if (++s.messages > limits_.max_handshake_messages) {
    Stop(dir, nullptr);
    anomalies_.Report("tls.too_many_messages", "handshake messages past the limit");
    return;
  }
  const std::size_t limit = MessageLimit(dir, type);
  s.message_record_version = s.record_version;
  s.message_remaining = length;
  s.keep_message = limit != 0 && length <= limit;
  if (limit != 0 && length > limit) {
    anomalies_.Report("tls.handshake_too_long", "handshake message past its limit, dropped");
  }
  if (length == 0) {
    if (s.keep_message) Dispatch(dir, type, s.message_record_version, {});
    s.message_header_length = 0;
    s.keep_message = false;
  }
}

void Connection::Dispatch(Direction dir, std::uint8_t type, std::uint16_t record_version,
                          std::span<const std::uint8_t> body) {
  if (dir == Direction::kClientToServer) {
    ClientHello hello;
    if (!ParseClientHello(body, hello, anomalies_)) return;
    hello.record_version = record_version;
    if (std::find(hello.supported_versions.begin(), hello.supported_versions.end(),
                  kVersionTls13) != hello.supported_versions.end()) {
      client_offered_tls13_ = true;
    }
    observer_.OnClientHello(hello);
    return;
  }
  if (type == kHandshakeServerHello) {
    ServerHello hello;
    if (!ParseServerHello(body, hello, anomalies_)) return;
    hello.record_version = record_version;
    OnServerHelloParsed(hello);
    return;
  }
  std::vector<Certificate> chain;
  ParseCertificateMessage(body, chain, anomalies_, limits_.max_certificates);
  // Nothing after the server's certificates matters to us.
  EndSide(server_);
  if (!chain.empty()) observer_.OnCertificates(chain);
}

void Connection::OnServerHelloParsed(const ServerHello& hello) {
  if (hello.hello_retry_request) {
    hello_retry_seen_ = true;
  } else {
    server_hello_seen_ = true;
  }
  // TLS 1.3 encrypts everything after the ServerHello (RFC 8446 §2): the handshake is over.
  if (!hello.hello_retry_request && hello.selected_version == kVersionTls13) {
    EndSide(client_);
    EndSide(server_);
  }
  observer_.OnServerHello(hello);
}

void Connection::Stop(Direction dir, const char* reason) {
  Side& s = side(dir);
  if (reason != nullptr && s.MidMessage()) anomalies_.Report("tls.truncated", reason);
  EndSide(s);
}

void Connection::EndSide(Side& s) {
  s.phase = Side::Phase::kDone;
  s.header_length = 0;
  s.record_remaining = 0;
  s.message_header_length = 0;
  s.message_remaining = 0;
  s.keep_message = false;
  std::vector<std::uint8_t>().swap(s.body);  // release the reassembly buffer
}

void Connection::NotTls() {
  not_tls_ = true;
  EndSide(client_);
  EndSide(server_);
}

}  // namespace beffroi::net::tls
