// tls.pcap and the link-*.pcap family.
#include "common/synth/app_builders.h"
#include "fixtures.h"

namespace beffroi::testdata::net {
namespace {

constexpr std::string_view kPortalName = "portail.example-commune.be";
constexpr std::uint16_t kEcdheEcdsaAes128Gcm = 0xc02b;
constexpr std::uint16_t kTlsAes128GcmSha256 = 0x1301;

// `n` bytes standing for ciphertext.
Bytes Opaque(std::uint64_t seed, std::size_t n) {
  Rng rng(seed);
  Bytes b;
  rng.Fill(b, n);
  return b;
}

Bytes ClientHelloRecord(std::string_view sni, bool tls13, std::uint64_t seed) {
  ClientHelloSpec spec;
  spec.sni = std::string(sni);
  spec.alpn = {"h2", "http/1.1"};
  spec.tls13 = tls13;
  spec.seed = seed;
  Bytes record;
  AppendTlsRecord(record, kTlsHandshake, TlsClientHello(spec), 0x0301);
  return record;
}

// ClientHello, ServerHello + Certificate + ServerHelloDone, the key exchange, both Finished,
// application data and a closing alert.
void Tls12Handshake(Trace& t) {
  TcpSession s(t, kClient4, 49300, kPortal4, 443, 0x71000000, 0x72000000);
  s.Open();
  s.Send(true, ClientHelloRecord(kPortalName, false, 21));
  Bytes flight;
  AppendTlsRecord(flight, kTlsHandshake, TlsServerHello(false, kEcdheEcdsaAes128Gcm, "h2", 21));
  Bytes messages = TlsCertificate(TestCertificateDer());
  PutBytes(messages, TlsHandshakeMessage(14, {}));  // ServerHelloDone
  AppendTlsRecord(flight, kTlsHandshake, messages);
  s.Send(false, flight);

  Bytes client_finish;
  AppendTlsRecord(client_finish, kTlsHandshake, TlsClientKeyExchange(21));
  AppendTlsRecord(client_finish, kTlsChangeCipherSpec, Bytes{1});
  AppendTlsRecord(client_finish, kTlsHandshake, Opaque(22, 40));  // encrypted Finished
  s.Send(true, client_finish);
  Bytes server_finish;
  AppendTlsRecord(server_finish, kTlsChangeCipherSpec, Bytes{1});
  AppendTlsRecord(server_finish, kTlsHandshake, Opaque(23, 40));
  s.Send(false, server_finish);

  Bytes request, response;
  AppendTlsRecord(request, kTlsApplicationData, Opaque(24, 120));
  AppendTlsRecord(response, kTlsApplicationData, Opaque(25, 900));
  AppendTlsRecord(response, kTlsApplicationData, Opaque(26, 300));
  s.Send(true, request);
  s.Send(false, response);
  Bytes alert;
  AppendTlsRecord(alert, kTlsAlert, Opaque(27, 26));
  s.Send(true, alert);
  s.Close();
  t.ExpectSni(kPortalName);
}

void Tls13Handshake(Trace& t) {
  const std::string_view sni = "connect.example-commune.be";
  TcpSession s(t, kClient4b, 49301, kPortal4, 443, 0x73000000, 0x74000000);
  s.Open();
  s.Send(true, ClientHelloRecord(sni, true, 31));
  Bytes flight;
  AppendTlsRecord(flight, kTlsHandshake, TlsServerHello(true, kTlsAes128GcmSha256, {}, 31));
  AppendTlsRecord(flight, kTlsChangeCipherSpec, Bytes{1});
  // EncryptedExtensions, Certificate, CertificateVerify, Finished: opaque in TLS 1.3.
  AppendTlsRecord(flight, kTlsApplicationData, Opaque(32, 700));
  s.Send(false, flight);
  Bytes client_finish;
  AppendTlsRecord(client_finish, kTlsChangeCipherSpec, Bytes{1});
  AppendTlsRecord(client_finish, kTlsApplicationData, Opaque(33, 53));
  AppendTlsRecord(client_finish, kTlsApplicationData, Opaque(34, 150));
  s.Send(true, client_finish);
  Bytes response;
  AppendTlsRecord(response, kTlsApplicationData, Opaque(35, 1200));
  s.Send(false, response);
  s.Close();
  t.ExpectSni(sni);
}

// One ClientHello record carried by two TCP segments.
void ClientHelloOverTwoSegments(Trace& t) {
  const std::string_view sni = "teletravail.example-commune.be";
  TcpSession s(t, kClient4, 49302, kPortal4, 443, 0x75000000, 0x76000000);
  s.Open();
  const Bytes record = ClientHelloRecord(sni, false, 41);
  s.Send(true, record, record.size() / 2);
  Bytes reply;
  AppendTlsRecord(reply, kTlsHandshake, TlsServerHello(false, kEcdheEcdsaAes128Gcm, "h2", 41));
  s.Send(false, reply);
  s.Close();
  t.ExpectSni(sni);
}

// One ClientHello message fragmented over two TLS records in one segment (RFC 5246 §6.2.1).
void ClientHelloOverTwoRecords(Trace& t) {
  const std::string_view sni = "messagerie.example-commune.be";
  TcpSession s(t, kClient4b, 49303, kPortal4, 443, 0x77000000, 0x78000000);
  s.Open();
  ClientHelloSpec spec;
  spec.sni = std::string(sni);
  spec.alpn = {"h2", "http/1.1"};
  spec.seed = 51;
  const Bytes hello = TlsClientHello(spec);
  const std::size_t cut = 100;  // inside the cipher suites, before the extensions
  Bytes records;
  AppendTlsRecord(records, kTlsHandshake, ByteSpan(hello).first(cut), 0x0301);
  AppendTlsRecord(records, kTlsHandshake, ByteSpan(hello).subspan(cut), 0x0301);
  s.Send(true, records);
  Bytes reply;
  AppendTlsRecord(reply, kTlsHandshake, TlsServerHello(false, kEcdheEcdsaAes128Gcm, "h2", 51));
  s.Send(false, reply);
  s.Close();
  t.ExpectSni(sni);
}

}  // namespace

Fixture TlsFixture() {
  Trace t(Link::kEthernet, 13);
  Tls12Handshake(t);
  Tls13Handshake(t);
  ClientHelloOverTwoSegments(t);
  ClientHelloOverTwoRecords(t);
  TlsClientHelloConnection(t, kClient6, 49304, kWebServer6, "v6.example-commune.be", 61);
  return {"tls.pcap", t.ToPcap(TsResolution::kMicro), t.expected()};
}

Fixture LinkFixture(Link link, std::string_view name) {
  Trace t(link, 20 + static_cast<std::uint64_t>(link));
  const std::string host = std::string(name) + ".link.example-commune.be";
  SimpleDnsLookup(t, kClient4, kResolver4, 51000, 0x2000, host, kWebServer4);
  HttpGetConnection(t, kClient4, 51001, kWebServer4, 80, host, "/link/" + std::string(name), 4);
  return {"link-" + std::string(name) + ".pcap", t.ToPcap(TsResolution::kMicro), t.expected()};
}

}  // namespace beffroi::testdata::net
