// Connection: follows the TLS handshake of one TCP connection (beffroi::net::tls).
//
// The caller (the flow pipeline) feeds the in-order reassembled bytes of each direction, plus
// gap and close notices. Connection parses the record layer, reassembles the handshake
// messages it needs (ClientHello, ServerHello, Certificate) across records and across feeds,
// and reports them to an Observer. It buffers only a partial record header or a partial
// handshake message it will parse (bounded by Limits); a message that fits in one feed is
// parsed in place without copying. Once active() is false the caller stops feeding.
//
// Ownership: the Observer and AnomalySink are borrowed and must outlive the Connection.
// Observer callbacks run inside Feed and must not call back into the same Connection.
// Not thread-safe: one Connection per flow, driven by one thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "agents/net/protocol/anomaly.h"
#include "agents/net/protocol/tls/certificate.h"
#include "agents/net/protocol/tls/handshake.h"
#include "agents/net/protocol/tls/limits.h"

namespace beffroi::net::tls {

class Observer {
 public:
  virtual ~Observer() = default;
  // Every ClientHello seen (a second one follows a HelloRetryRequest).
  virtual void OnClientHello(const ClientHello& hello) = 0;
  // Every ServerHello seen, HelloRetryRequest included (hello_retry_request set).
  virtual void OnServerHello(const ServerHello& hello) = 0;
  // The server chain, in order (TLS 1.2 and older; TLS 1.3 encrypts it). Never empty.
  virtual void OnCertificates(const std::vector<Certificate>& chain) = 0;
};

enum class Direction : std::uint8_t { kClientToServer, kServerToClient };

class Connection {
 public:
  Connection(Observer& observer, AnomalySink& anomalies, Limits limits = {});

  void Feed(Direction dir, std::span<const std::uint8_t> bytes);
  // Bytes of this direction were lost: its partial record/handshake is dropped and the
  // direction is no longer followed.
  void Gap(Direction dir, std::uint64_t length);
  // End of this direction; a partial record or handshake message is reported (tls.truncated).
  void Close(Direction dir);

  // False once the stream is known not to be TLS, or the handshake is over in both directions
  // (ChangeCipherSpec, alert or application data seen, the server's certificates read, or a
  // TLS 1.3 ServerHello seen).
  bool active() const { return !(client_.done() && server_.done()); }
  bool active(Direction dir) const { return !side(dir).done(); }
  // True when the first bytes of either direction were not a TLS record.
  bool not_tls() const { return not_tls_; }

 private:
  struct Side {
    enum class Phase : std::uint8_t { kStart, kRecords, kDone };
    bool done() const { return phase == Phase::kDone; }
    bool MidMessage() const;

    Phase phase = Phase::kStart;
    std::array<std::uint8_t, kRecordHeaderLength> header{};
    std::size_t header_length = 0;  // bytes of the next record header seen so far
    std::uint8_t record_type = 0;
    std::uint16_t record_version = 0;
    std::size_t record_remaining = 0;  // body bytes of the current record still to come
    std::size_t records = 0;
    std::size_t messages = 0;
    // Handshake message being reassembled.
    std::array<std::uint8_t, kHandshakeHeaderLength> message_header{};
    std::size_t message_header_length = 0;
    std::size_t message_remaining = 0;  // body bytes still to come
    std::uint16_t message_record_version = 0;
    bool keep_message = false;       // parsed when complete; otherwise skipped
    std::vector<std::uint8_t> body;  // only when the message spans feeds or records
  };

  Side& side(Direction dir) { return dir == Direction::kClientToServer ? client_ : server_; }
  const Side& side(Direction dir) const {
    return dir == Direction::kClientToServer ? client_ : server_;
  }

  void StartRecord(Direction dir, Side& s);
  bool IgnoreChangeCipherSpec(Direction dir) const;
  void ConsumeHandshake(Direction dir, Side& s, std::span<const std::uint8_t> bytes);
  void BeginMessage(Direction dir, Side& s);
  std::size_t MessageLimit(Direction dir, std::uint8_t type) const;
  void Dispatch(Direction dir, std::uint8_t type, std::uint16_t record_version,
                std::span<const std::uint8_t> body);
  void OnServerHelloParsed(const ServerHello& hello);
  void EndSide(Side& s);
  void Stop(Direction dir, const char* reason);
  void NotTls();

  Observer& observer_;
  AnomalySink& anomalies_;
  Limits limits_;
  Side client_;
  Side server_;
  bool not_tls_ = false;
  bool client_offered_tls13_ = false;
  bool hello_retry_seen_ = false;
  bool server_hello_seen_ = false;  // a ServerHello that is not a HelloRetryRequest
};

}  // namespace beffroi::net::tls
