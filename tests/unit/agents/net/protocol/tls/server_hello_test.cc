#include <gtest/gtest.h>

#include "agents/net/protocol/tls/handshake.h"
#include "tls_builders.h"

namespace beffroi::net::tls {
namespace {

using testing::Alpn;
using testing::Bytes;
using testing::Opaque;
using testing::RecordingSink;
using testing::ServerHelloBody;

// TLS 1.2 ServerHello: ECDHE-RSA-AES128-GCM-SHA256 (0xc02f = 49199), renegotiation_info,
// empty server_name ack, ec_point_formats, session_ticket, ALPN "h2".
Bytes Tls12ServerHelloBody() {
  return ServerHelloBody(
      0x0303, 0xc02f,
      {Opaque(0xff01, {0}), Opaque(0x0000), Opaque(0x000b, {1, 0}), Opaque(0x0023), Alpn({"h2"})});
}

// TLS 1.3 ServerHello: TLS_AES_128_GCM_SHA256 (0x1301 = 4865), supported_versions 0x0304,
// key_share (x25519 with a fake 4-byte key).
Bytes Tls13ServerHelloBody(Bytes random = {}) {
  return ServerHelloBody(0x0303, 0x1301,
                         {Opaque(0x002b, {3, 4}), Opaque(0x0033, {0, 0x1d, 0, 4, 1, 2, 3, 4})},
                         std::move(random));
}

TEST(ServerHello, Tls12Ja3s) {
  RecordingSink sink;
  ServerHello hello;
  ASSERT_TRUE(ParseServerHello(Tls12ServerHelloBody(), hello, sink));
  EXPECT_TRUE(sink.reports.empty());
  EXPECT_EQ(hello.legacy_version, 0x0303);
  EXPECT_EQ(hello.selected_version, 0x0303);
  EXPECT_EQ(hello.cipher_suite, 0xc02f);
  EXPECT_EQ(hello.alpn, "h2");
  EXPECT_FALSE(hello.hello_retry_request);
  EXPECT_EQ(hello.ja3s, "771,49199,65281-0-11-35-16");
  EXPECT_EQ(hello.ja3s_hash, "47decf033ac4c8fc9b952ff41e549679");  // md5sum of the string
}

TEST(ServerHello, Tls13SelectedVersion) {
  RecordingSink sink;
  ServerHello hello;
  ASSERT_TRUE(ParseServerHello(Tls13ServerHelloBody(), hello, sink));
  EXPECT_TRUE(sink.reports.empty());
  EXPECT_EQ(hello.legacy_version, 0x0303);
  EXPECT_EQ(hello.selected_version, 0x0304);
  EXPECT_EQ(hello.ja3s, "771,4865,43-51");
  EXPECT_EQ(hello.ja3s_hash, "f4febc55ea12b31ae17cfb7e614afda8");
}

TEST(ServerHello, RecognisesHelloRetryRequest) {
  // RFC 8446 §4.1.3: Random = SHA-256("HelloRetryRequest").
  const Bytes hrr_random = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
                            0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
                            0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
  RecordingSink sink;
  ServerHello hello;
  ASSERT_TRUE(ParseServerHello(Tls13ServerHelloBody(hrr_random), hello, sink));
  EXPECT_TRUE(hello.hello_retry_request);
  Bytes almost = hrr_random;
  almost.back() ^= 1;
  ASSERT_TRUE(ParseServerHello(Tls13ServerHelloBody(almost), hello, sink));
  EXPECT_FALSE(hello.hello_retry_request);
}

TEST(ServerHello, ReportsBadSupportedVersionsAndAlpn) {
  RecordingSink sink;
  ServerHello hello;
  ASSERT_TRUE(ParseServerHello(
      ServerHelloBody(0x0303, 0x1301, {Opaque(0x002b, {3}), Alpn({"h2", "http/1.1"})}), hello,
      sink));
  EXPECT_EQ(sink.Count("tls.server_hello_malformed"), 2u);
  EXPECT_EQ(hello.selected_version, 0x0303);
  EXPECT_EQ(hello.alpn, "");
}

TEST(ServerHello, ReportsExtensionOverflow) {
  Bytes body = ServerHelloBody(0x0303, 0x1301, {Opaque(0x002b, {3, 4})});
  body[body.size() - 3] = 3;  // extension data length 2 -> 3
  RecordingSink sink;
  ServerHello hello;
  EXPECT_FALSE(ParseServerHello(body, hello, sink));
  EXPECT_TRUE(sink.Has("tls.extension_overflow"));
}

TEST(ServerHello, TruncationSweep) {
  const Bytes fixtures[] = {Tls12ServerHelloBody(), Tls13ServerHelloBody()};
  constexpr std::size_t kNoExtensionsEnd = 2 + 32 + 1 + 2 + 1;
  for (const Bytes& full : fixtures) {
    for (std::size_t n = 0; n <= full.size(); ++n) {
      RecordingSink sink;
      ServerHello hello;
      const bool ok = ParseServerHello(std::span(full.data(), n), hello, sink);
      EXPECT_EQ(ok, n == full.size() || n == kNoExtensionsEnd) << "prefix " << n;
      if (!ok) {
        EXPECT_FALSE(sink.reports.empty()) << "prefix " << n;
      }
    }
  }
}

}  // namespace
}  // namespace beffroi::net::tls
