#include "agents/net/protocol/tls/connection.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "test_certificate.h"
#include "tls_builders.h"

namespace beffroi::net::tls {
namespace {

using testing::Bytes;
using testing::CertificateBody;
using testing::Concat;
using testing::Handshake;
using testing::Opaque;
using testing::Record;
using testing::RecordingObserver;
using testing::RecordingSink;
using testing::ServerHelloBody;

constexpr Direction kC = Direction::kClientToServer;
constexpr Direction kS = Direction::kServerToClient;

// Record layer: 22 handshake, 20 change_cipher_spec, 21 alert, 23 application_data.
Bytes ClientHelloMessage() {
  return Handshake(1, testing::ChromeClientHelloBody());
}
Bytes ClientStream() {
  return Record(22, 0x0301, ClientHelloMessage());
}
Bytes ServerHello12Message() {
  return Handshake(2, ServerHelloBody(0x0303, 0xc02f, {Opaque(0xff01, {0})}));
}
Bytes ServerHello13Message(Bytes random = {}) {
  return Handshake(2, ServerHelloBody(0x0303, 0x1301, {Opaque(0x002b, {3, 4})}, random));
}
Bytes CertificateMessage() {
  return Handshake(11, CertificateBody({testing::MakeTestCertificate()}));
}
// ServerHello, Certificate and ServerHelloDone (type 14, empty) in one record.
Bytes ServerFlight12() {
  return Record(22, 0x0303,
                Concat({ServerHello12Message(), CertificateMessage(), Handshake(14, {})}));
}
Bytes ChangeCipherSpec() {
  return Record(20, 0x0303, {1});
}

struct Fixture {
  RecordingObserver observer;
  RecordingSink sink;
  Connection connection{observer, sink};
};

TEST(Connection, Tls12HandshakeReportsHellosAndCertificates) {
  Fixture f;
  f.connection.Feed(kC, ClientStream());
  ASSERT_EQ(f.observer.client_hellos.size(), 1u);
  EXPECT_EQ(f.observer.client_hellos[0].record_version, 0x0301);
  EXPECT_EQ(f.observer.client_hellos[0].ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
  f.connection.Feed(kS, ServerFlight12());
  ASSERT_EQ(f.observer.server_hellos.size(), 1u);
  EXPECT_EQ(f.observer.server_hellos[0].record_version, 0x0303);
  EXPECT_EQ(f.observer.server_hellos[0].ja3s, "771,49199,65281");
  ASSERT_EQ(f.observer.chains.size(), 1u);
  ASSERT_EQ(f.observer.chains[0].size(), 1u);
  EXPECT_EQ(f.observer.chains[0][0].subject, "CN=beffroi-test.example,O=Beffroi");
  EXPECT_FALSE(f.connection.active(kS));  // nothing after the certificates matters
  EXPECT_TRUE(f.connection.active());
  // ClientKeyExchange (type 16), then ChangeCipherSpec ends the client side.
  f.connection.Feed(kC, Record(22, 0x0303, Handshake(16, Bytes(33, 0x44))));
  EXPECT_TRUE(f.connection.active());
  f.connection.Feed(kC, ChangeCipherSpec());
  EXPECT_FALSE(f.connection.active());
  EXPECT_FALSE(f.connection.not_tls());
  EXPECT_TRUE(f.sink.reports.empty());
}

TEST(Connection, Tls13EndsAfterServerHello) {
  Fixture f;
  // The Chrome hello offers TLS 1.3; its middlebox-compatibility CCS must not end tracking.
  f.connection.Feed(kC, Concat({ClientStream(), ChangeCipherSpec()}));
  EXPECT_TRUE(f.connection.active(kC));
  f.connection.Feed(kS, Record(22, 0x0303, ServerHello13Message()));
  ASSERT_EQ(f.observer.server_hellos.size(), 1u);
  EXPECT_EQ(f.observer.server_hellos[0].selected_version, 0x0304);
  EXPECT_FALSE(f.connection.active());
  f.connection.Feed(kS, Concat({ChangeCipherSpec(), CertificateMessage()}));  // ignored
  EXPECT_TRUE(f.observer.chains.empty());
  EXPECT_TRUE(f.sink.reports.empty());
}

TEST(Connection, HelloRetryRequestThenSecondClientHello) {
  const Bytes hrr_random = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
                            0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
                            0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
  Fixture f;
  f.connection.Feed(kC, ClientStream());
  f.connection.Feed(
      kS, Concat({Record(22, 0x0303, ServerHello13Message(hrr_random)), ChangeCipherSpec()}));
  EXPECT_TRUE(f.connection.active(kS));
  f.connection.Feed(kC, Concat({ChangeCipherSpec(), Record(22, 0x0303, ClientHelloMessage())}));
  f.connection.Feed(kS, Record(22, 0x0303, ServerHello13Message()));
  EXPECT_EQ(f.observer.client_hellos.size(), 2u);
  ASSERT_EQ(f.observer.server_hellos.size(), 2u);
  EXPECT_TRUE(f.observer.server_hellos[0].hello_retry_request);
  EXPECT_FALSE(f.observer.server_hellos[1].hello_retry_request);
  EXPECT_FALSE(f.connection.active());
  EXPECT_TRUE(f.sink.reports.empty());
}

TEST(Connection, ByteByByteFeedsGiveTheSameResult) {
  Fixture f;
  const Bytes client = ClientStream();
  const Bytes server = ServerFlight12();
  for (std::uint8_t b : client)
    f.connection.Feed(kC, std::span(&b, 1));
  for (std::uint8_t b : server)
    f.connection.Feed(kS, std::span(&b, 1));
  ASSERT_EQ(f.observer.client_hellos.size(), 1u);
  EXPECT_EQ(f.observer.client_hellos[0].ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
  EXPECT_EQ(f.observer.client_hellos[0].ja3_hash, "cd08e31494f9531f560d64c695473da9");
  ASSERT_EQ(f.observer.server_hellos.size(), 1u);
  ASSERT_EQ(f.observer.chains.size(), 1u);
  EXPECT_EQ(f.observer.chains[0][0].san_dns.size(), 2u);
  EXPECT_TRUE(f.sink.reports.empty());
}

TEST(Connection, ClientHelloSplitAcrossTwoRecordsAtEveryPoint) {
  const Bytes message = ClientHelloMessage();
  for (std::size_t k = 1; k < message.size(); ++k) {
    const Bytes first(message.begin(), message.begin() + static_cast<std::ptrdiff_t>(k));
    const Bytes second(message.begin() + static_cast<std::ptrdiff_t>(k), message.end());
    const Bytes stream = Concat({Record(22, 0x0301, first), Record(22, 0x0301, second)});
    Fixture f;
    // Feed in uneven chunks so feeds and records are cut at different places.
    const std::size_t chunk = 1 + k % 97;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      f.connection.Feed(kC, std::span(stream).subspan(at, std::min(chunk, stream.size() - at)));
    }
    ASSERT_EQ(f.observer.client_hellos.size(), 1u) << "split " << k;
    EXPECT_EQ(f.observer.client_hellos[0].ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    EXPECT_TRUE(f.sink.reports.empty()) << "split " << k;
  }
}

TEST(Connection, TruncationSweepOverClientStream) {
  const Bytes stream = ClientStream();
  for (std::size_t n = 0; n <= stream.size(); ++n) {
    Fixture f;
    f.connection.Feed(kC, std::span(stream.data(), n));
    f.connection.Close(kC);
    EXPECT_EQ(f.observer.client_hellos.size(), n == stream.size() ? 1u : 0u) << n;
    EXPECT_EQ(f.sink.Count("tls.truncated"), (n > 0 && n < stream.size()) ? 1u : 0u) << n;
    EXPECT_EQ(f.sink.reports.size(), f.sink.Count("tls.truncated")) << n;
    EXPECT_FALSE(f.connection.active(kC));
  }
}

TEST(Connection, TruncationSweepOverServerFlight) {
  const Bytes flight = ServerFlight12();
  const std::size_t hello_end = kRecordHeaderLength + ServerHello12Message().size();
  const std::size_t certificate_end = hello_end + CertificateMessage().size();
  for (std::size_t n = 0; n <= flight.size(); ++n) {
    Fixture f;
    f.connection.Feed(kC, ClientStream());
    f.connection.Feed(kS, std::span(flight.data(), n));
    f.connection.Close(kS);
    EXPECT_EQ(f.observer.server_hellos.size(), n >= hello_end ? 1u : 0u) << n;
    EXPECT_EQ(f.observer.chains.size(), n >= certificate_end ? 1u : 0u) << n;
    const bool truncated = n > 0 && n < certificate_end;
    EXPECT_EQ(f.sink.Count("tls.truncated"), truncated ? 1u : 0u) << n;
    EXPECT_EQ(f.sink.reports.size(), f.sink.Count("tls.truncated")) << n;
  }
}

TEST(Connection, RecordTooLong) {
  Fixture f;
  // 0x4800 = 2^14 + 2048 is the largest allowed length.
  f.connection.Feed(kC, Bytes{22, 3, 1, 0x48, 0x00, 1});
  EXPECT_TRUE(f.sink.reports.empty());
  EXPECT_TRUE(f.connection.active(kC));
  Fixture g;
  g.connection.Feed(kC, Bytes{22, 3, 1, 0x48, 0x01, 1, 0, 0});
  EXPECT_TRUE(g.sink.Has("tls.record_too_long"));
  EXPECT_FALSE(g.connection.active(kC));
}

TEST(Connection, HandshakeTooLongIsDroppedAndSkipped) {
  Fixture f;
  // ClientHello header claiming 0x010001 = 65537 bytes (limit 64 KiB).
  f.connection.Feed(kC, Record(22, 0x0301, Bytes{1, 0x01, 0x00, 0x01, 0x03, 0x03}));
  EXPECT_EQ(f.sink.Count("tls.handshake_too_long"), 1u);
  EXPECT_TRUE(f.observer.client_hellos.empty());

  // A real hello over a lowered limit is skipped; the stream stays framed.
  RecordingObserver observer;
  RecordingSink sink;
  Limits limits;
  limits.max_client_hello_length = 100;
  Connection c(observer, sink, limits);
  c.Feed(kC, ClientStream());
  EXPECT_EQ(sink.Count("tls.handshake_too_long"), 1u);
  EXPECT_TRUE(observer.client_hellos.empty());
  EXPECT_TRUE(c.active(kC));
  c.Feed(kC, ChangeCipherSpec());
  EXPECT_FALSE(c.active(kC));
  EXPECT_EQ(sink.reports.size(), 1u);
}

TEST(Connection, GarbageFirstBytesAreNotTls) {
  const std::string http = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
  Fixture f;
  f.connection.Feed(kC, std::span(reinterpret_cast<const std::uint8_t*>(http.data()), http.size()));
  EXPECT_FALSE(f.connection.active());
  EXPECT_TRUE(f.connection.not_tls());
  EXPECT_TRUE(f.sink.reports.empty());

  const std::string banner = "220 mail.example ESMTP\r\n";
  Fixture g;
  g.connection.Feed(kS,
                    std::span(reinterpret_cast<const std::uint8_t*>(banner.data()), banner.size()));
  EXPECT_FALSE(g.connection.active());
  EXPECT_TRUE(g.sink.reports.empty());

  Fixture h;  // a handshake record whose first message is not a ClientHello
  h.connection.Feed(kC, Record(22, 0x0303, ServerHello12Message()));
  EXPECT_FALSE(h.connection.active());
  EXPECT_TRUE(h.observer.server_hellos.empty());
  EXPECT_TRUE(h.sink.reports.empty());
}

TEST(Connection, ShortNonTlsStreamIsNotReportedAsTruncated) {
  Fixture f;
  f.connection.Feed(kC, Bytes{'G', 'E', 'T'});
  f.connection.Feed(kS, Bytes{'2', '2'});
  f.connection.Close(kC);
  f.connection.Close(kS);
  EXPECT_TRUE(f.sink.reports.empty());
  Fixture g;
  g.connection.Feed(kS, Bytes{22, 3});
  g.connection.Close(kS);
  EXPECT_EQ(g.sink.Count("tls.truncated"), 1u);
}

TEST(Connection, Sslv2HelloIsReportedAndNotFollowed) {
  Fixture f;
  // 2-byte length 0x802e (top bit set), CLIENT-HELLO (1), version 3.1, then cipher specs.
  f.connection.Feed(kC, Bytes{0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10});
  EXPECT_EQ(f.sink.Count("tls.sslv2_hello"), 1u);
  EXPECT_FALSE(f.connection.active());
}

TEST(Connection, GapDropsThePartialHello) {
  const Bytes stream = ClientStream();
  Fixture f;
  f.connection.Feed(kC, std::span(stream).first(100));
  f.connection.Gap(kC, 50);
  EXPECT_FALSE(f.connection.active(kC));
  f.connection.Feed(kC, std::span(stream).subspan(150));
  EXPECT_TRUE(f.observer.client_hellos.empty());
  EXPECT_TRUE(f.sink.reports.empty());
  EXPECT_TRUE(f.connection.active(kS));
}

TEST(Connection, AlertEndsTheDirection) {
  Fixture f;
  f.connection.Feed(kC, ClientStream());
  f.connection.Feed(kS, Record(21, 0x0303, {2, 40}));  // fatal handshake_failure
  EXPECT_FALSE(f.connection.active(kS));
  EXPECT_TRUE(f.sink.reports.empty());
}

TEST(Connection, MalformedRecordAfterTheFirst) {
  Fixture f;
  f.connection.Feed(kC, Concat({ClientStream(), Record(99, 0x0303, {1, 2})}));
  EXPECT_EQ(f.observer.client_hellos.size(), 1u);
  EXPECT_TRUE(f.sink.Has("tls.record_malformed"));
  EXPECT_FALSE(f.connection.active(kC));
}

TEST(Connection, TooManyHandshakeMessages) {
  Bytes requests;
  for (int i = 0; i < 40; ++i)
    testing::Append(requests, Handshake(0, {}));  // hello_request
  Fixture f;
  f.connection.Feed(kC, Concat({ClientStream(), Record(22, 0x0303, requests)}));
  EXPECT_EQ(f.observer.client_hellos.size(), 1u);
  EXPECT_EQ(f.sink.Count("tls.too_many_messages"), 1u);
  EXPECT_FALSE(f.connection.active(kC));
}

TEST(Connection, ChangeCipherSpecInsideAFragmentedHello) {
  const Bytes message = ClientHelloMessage();
  Fixture f;
  f.connection.Feed(kC, Concat({Record(22, 0x0301, Bytes(message.begin(), message.begin() + 60)),
                                ChangeCipherSpec()}));
  EXPECT_EQ(f.sink.Count("tls.truncated"), 1u);
  EXPECT_TRUE(f.observer.client_hellos.empty());
  EXPECT_FALSE(f.connection.active(kC));
}

// Not a test: writes the fuzz seed corpus when BEFFROI_TLS_WRITE_SEEDS names a directory.
// Framed seeds follow net_tls_fuzz.cc: a control byte (bit 7: 0 client, 1 server; low 7 bits:
// 1-126 bytes follow, 0 closes, 127 is a gap), then the bytes.
TEST(TlsFuzzSeeds, WriteWhenAsked) {
  const char* dir = std::getenv("BEFFROI_TLS_WRITE_SEEDS");
  if (dir == nullptr) GTEST_SKIP() << "set BEFFROI_TLS_WRITE_SEEDS to write the seeds";
  auto frames = [](Bytes& out, Direction d, const Bytes& bytes) {
    for (std::size_t at = 0; at < bytes.size(); at += 126) {
      const std::size_t n = std::min<std::size_t>(126, bytes.size() - at);
      out.push_back(static_cast<std::uint8_t>((d == kS ? 0x80 : 0) | n));
      out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(at),
                 bytes.begin() + static_cast<std::ptrdiff_t>(at + n));
    }
  };
  auto write = [&](const std::string& name, const Bytes& bytes) {
    std::ofstream(std::string(dir) + "/" + name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  };
  Bytes tls12;
  frames(tls12, kC, ClientStream());
  frames(tls12, kS, ServerFlight12());
  frames(tls12, kC, ChangeCipherSpec());
  write("framed_tls12_with_certificate", tls12);
  Bytes tls13;
  frames(tls13, kC, ClientStream());
  frames(tls13, kS, Record(22, 0x0303, ServerHello13Message()));
  write("framed_tls13", tls13);
  const Bytes hrr_random = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
                            0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
                            0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
  Bytes hrr;
  frames(hrr, kC, Concat({ClientStream(), ChangeCipherSpec()}));
  frames(hrr, kS,
         Concat({Record(22, 0x0303, ServerHello13Message(hrr_random)), ChangeCipherSpec()}));
  frames(hrr, kC, Record(22, 0x0303, ClientHelloMessage()));
  frames(hrr, kS, Record(22, 0x0303, ServerHello13Message()));
  write("framed_hello_retry_request", hrr);
  const Bytes message = ClientHelloMessage();
  write("raw_client_hello_in_two_records",
        Concat({Record(22, 0x0301, Bytes(message.begin(), message.begin() + 2)),
                Record(22, 0x0301, Bytes(message.begin() + 2, message.end()))}));
  write("raw_client_stream", ClientStream());
  write("raw_client_hello_body", testing::ChromeClientHelloBody());
  write("raw_certificate_body", CertificateBody({testing::MakeTestCertificate()}));
}

}  // namespace
}  // namespace beffroi::net::tls
