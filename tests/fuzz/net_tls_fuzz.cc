// Fuzzes the TLS handshake parsers and the per-connection state machine.
//
// The whole input goes to ParseClientHello, ParseServerHello and ParseCertificateMessage. Then
// a Connection is driven: an input starting with 0x16 (a handshake record) is fed whole as the
// client stream and again in 7-byte chunks as the server stream; any other input is a list of
// frames, each a control byte (bit 7: 0 client, 1 server; low 7 bits: 1-126 bytes of data
// follow, 0 closes that direction, 127 is a gap) followed by its data.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "agents/net/protocol/anomaly.h"
#include "agents/net/protocol/tls/certificate.h"
#include "agents/net/protocol/tls/connection.h"
#include "agents/net/protocol/tls/handshake.h"

namespace {

using beffroi::net::NullAnomalySink;
using namespace beffroi::net::tls;  // NOLINT(build/namespaces)

class CheckingObserver final : public Observer {
 public:
  void OnClientHello(const ClientHello& hello) override {
    if (hello.ja3_hash.size() != 32 || hello.ja4.size() != 36) __builtin_trap();
  }
  void OnServerHello(const ServerHello& hello) override {
    if (hello.ja3s_hash.size() != 32) __builtin_trap();
  }
  void OnCertificates(const std::vector<Certificate>& chain) override {
    if (chain.empty() || chain.size() > Limits{}.max_certificates) __builtin_trap();
  }
};

void DriveFramed(Connection& connection, std::span<const std::uint8_t> in) {
  std::size_t at = 0;
  while (at < in.size() && connection.active()) {
    const std::uint8_t control = in[at++];
    const Direction dir =
        (control & 0x80) != 0 ? Direction::kServerToClient : Direction::kClientToServer;
    const std::size_t length = control & 0x7f;
    if (length == 0) {
      connection.Close(dir);
    } else if (length == 0x7f) {
      connection.Gap(dir, 1);
    } else {
      const std::size_t n = length < in.size() - at ? length : in.size() - at;
      connection.Feed(dir, in.subspan(at, n));
      at += n;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  NullAnomalySink sink;
  ClientHello client_hello;
  (void)ParseClientHello(in, client_hello, sink);
  ServerHello server_hello;
  (void)ParseServerHello(in, server_hello, sink);
  std::vector<Certificate> chain;
  (void)ParseCertificateMessage(in, chain, sink);

  CheckingObserver observer;
  Connection connection(observer, sink);
  if (!in.empty() && in[0] == 0x16) {
    connection.Feed(Direction::kClientToServer, in);
    for (std::size_t at = 0; at < in.size(); at += 7) {
      connection.Feed(Direction::kServerToClient,
                      in.subspan(at, in.size() - at < 7 ? in.size() - at : 7));
    }
  } else {
    DriveFramed(connection, in);
  }
  connection.Close(Direction::kClientToServer);
  connection.Close(Direction::kServerToClient);
  return 0;
}
