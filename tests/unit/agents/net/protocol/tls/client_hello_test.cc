#include <gtest/gtest.h>

#include <string>

#include "agents/net/protocol/tls/fingerprint.h"
#include "agents/net/protocol/tls/handshake.h"
#include "tls_builders.h"

namespace beffroi::net::tls {
namespace {

using testing::Alpn;
using testing::Bytes;
using testing::ClientHelloBody;
using testing::Groups;
using testing::Opaque;
using testing::PointFormats;
using testing::RecordingSink;
using testing::SigAlgs;
using testing::Sni;
using testing::Versions;

// The salesforce/ja3 README example: a TLS 1.0 hello with 12 ciphers, SNI, curves 23,24,25 and
// point format 0. Published JA3: ada70206e40642a3e4461f35503241d5.
Bytes Ja3ReadmeHelloBody() {
  return ClientHelloBody(0x0301, {47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4},
                         {Sni("ja3.example"), Groups({23, 24, 25}), PointFormats({0})});
}

TEST(ClientHello, Ja3ReadmeVector) {
  RecordingSink sink;
  ClientHello hello;
  ASSERT_TRUE(ParseClientHello(Ja3ReadmeHelloBody(), hello, sink));
  EXPECT_TRUE(sink.reports.empty());
  EXPECT_EQ(hello.legacy_version, 0x0301);
  EXPECT_EQ(hello.server_name, "ja3.example");
  EXPECT_EQ(hello.ja3, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0");
  EXPECT_EQ(hello.ja3_hash, "ada70206e40642a3e4461f35503241d5");
  // JA4 by hand: t, version 0x0301 -> "10", SNI -> d, 12 ciphers, 3 extensions, no ALPN "00";
  // sha256("0004,0005,000a,0013,002f,0032,0035,0038,c009,c00a,c013,c014")[:12] = d94e65cdb899;
  // sha256("000a,000b")[:12] = 33a13ba74d1c (SNI excluded, no signature algorithms).
  EXPECT_EQ(hello.ja4, "t10d120300_d94e65cdb899_33a13ba74d1c");
}

TEST(ClientHello, ChromeHelloMatchesJa4SpecExampleAndKnownJa3) {
  RecordingSink sink;
  ClientHello hello;
  ASSERT_TRUE(ParseClientHello(testing::ChromeClientHelloBody(), hello, sink));
  EXPECT_TRUE(sink.reports.empty());
  // JA4 README worked example.
  EXPECT_EQ(hello.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
  // GREASE removed from ciphers, extensions and groups; the well-known Chrome JA3.
  EXPECT_EQ(hello.ja3,
            "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
            "0-23-65281-10-11-35-16-5-13-18-51-45-43-27-17513-21,29-23-24,0");
  EXPECT_EQ(hello.ja3_hash, "cd08e31494f9531f560d64c695473da9");
  // The raw lists keep GREASE.
  EXPECT_EQ(hello.cipher_suites.size(), 16u);
  EXPECT_EQ(hello.cipher_suites.front(), 0x0a0a);
  EXPECT_EQ(hello.extensions.size(), 18u);
  EXPECT_EQ(hello.supported_versions, (std::vector<std::uint16_t>{0x7a7a, 0x0304, 0x0303}));
  EXPECT_EQ(hello.signature_algorithms.size(), 8u);
  EXPECT_EQ(hello.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(hello.ec_point_formats, (std::vector<std::uint8_t>{0}));
  EXPECT_EQ(hello.server_name, "example.com");
  EXPECT_EQ(hello.duplicate_extensions, 0u);
}

TEST(ClientHello, HelloWithoutExtensions) {
  RecordingSink sink;
  ClientHello hello;
  ASSERT_TRUE(ParseClientHello(ClientHelloBody(0x0300, {0x0004, 0x0005}, {}, false), hello, sink));
  EXPECT_TRUE(sink.reports.empty());
  EXPECT_EQ(hello.ja3, "768,4-5,,,");
  // No SNI -> 'i'; SSL 3.0 -> "s3"; sha256("0004,0005")[:12] = 6e254592683c (sha256sum);
  // no extensions hashes to twelve zeros.
  EXPECT_EQ(hello.ja4, "ts3i020000_6e254592683c_000000000000");
}

TEST(ClientHello, EscapesServerNameAndAlpn) {
  RecordingSink sink;
  ClientHello hello;
  ASSERT_TRUE(ParseClientHello(
      ClientHelloBody(0x0303, {0x1301}, {Sni("a\x01z\\"), Alpn({"h\xff", "x"})}), hello, sink));
  EXPECT_EQ(hello.server_name, "a\\x01z\\x5c");
  ASSERT_EQ(hello.alpn.size(), 2u);
  EXPECT_EQ(hello.alpn[0], "h\\xff");
  // First ALPN "h\xff": last byte not alphanumeric -> hex digits '6' (of 0x68) and 'f'.
  EXPECT_EQ(hello.ja4.substr(8, 2), "6f");
}

TEST(ClientHello, CountsDuplicateExtensionsAndDecodesTheFirst) {
  RecordingSink sink;
  ClientHello hello;
  ASSERT_TRUE(ParseClientHello(
      ClientHelloBody(0x0303, {0x1301}, {Sni("first.example"), Opaque(0x0017), Sni("second")}),
      hello, sink));
  EXPECT_EQ(hello.server_name, "first.example");
  EXPECT_EQ(hello.duplicate_extensions, 1u);
  EXPECT_EQ(hello.ja3, "771,4865,0-23-0,,");
  EXPECT_EQ(hello.ja4.substr(0, 10), "t12d010300");  // duplicates count in JA4 too
}

TEST(ClientHello, RejectsOddCipherSuiteLength) {
  Bytes body = ClientHelloBody(0x0303, {0x1301, 0x1302}, {});
  // Offset 35 is the cipher_suites length (2 version + 32 random + 1 session id length).
  ASSERT_EQ(body[35], 0);
  ASSERT_EQ(body[36], 4);
  body[36] = 3;
  RecordingSink sink;
  ClientHello hello;
  EXPECT_FALSE(ParseClientHello(body, hello, sink));
  ASSERT_EQ(sink.reports.size(), 1u);
  EXPECT_EQ(sink.reports[0].first, "tls.client_hello_malformed");
  EXPECT_EQ(sink.reports[0].second, "cipher_suites: odd length");
}

TEST(ClientHello, RejectsLongSessionId) {
  RecordingSink sink;
  ClientHello hello;
  EXPECT_FALSE(ParseClientHello(ClientHelloBody(0x0303, {0x1301}, {}, true, 33), hello, sink));
  EXPECT_TRUE(sink.Has("tls.client_hello_malformed"));
}

TEST(ClientHello, ReportsExtensionPastTheBlock) {
  Bytes body = ClientHelloBody(0x0303, {0x1301}, {Opaque(0x0017, {1, 2, 3})});
  // The last extension's length (2 bytes before its 3 data bytes) claims 4 bytes.
  body[body.size() - 4] = 4;
  RecordingSink sink;
  ClientHello hello;
  EXPECT_FALSE(ParseClientHello(body, hello, sink));
  EXPECT_TRUE(sink.Has("tls.extension_overflow"));
  EXPECT_FALSE(sink.Has("tls.client_hello_malformed"));
}

TEST(ClientHello, ReportsExtensionsBlockPastTheMessage) {
  Bytes body = ClientHelloBody(0x0303, {0x1301}, {Opaque(0x0017)});
  body.pop_back();  // the block length now claims one byte more than present
  RecordingSink sink;
  ClientHello hello;
  EXPECT_FALSE(ParseClientHello(body, hello, sink));
  EXPECT_TRUE(sink.Has("tls.client_hello_malformed"));
}

TEST(ClientHello, SniListLengthLiesIsReportedButHelloKept) {
  testing::Extension sni = Sni("liar.example");
  sni.data[1] = static_cast<std::uint8_t>(sni.data[1] + 5);  // list length past the extension
  RecordingSink sink;
  ClientHello hello;
  ASSERT_TRUE(
      ParseClientHello(ClientHelloBody(0x0303, {0x1301}, {sni, Opaque(0x0017)}), hello, sink));
  ASSERT_EQ(sink.reports.size(), 1u);
  EXPECT_EQ(sink.reports[0].first, "tls.client_hello_malformed");
  EXPECT_EQ(sink.reports[0].second, "server_name: list length past the extension");
  EXPECT_EQ(hello.server_name, "");
  EXPECT_EQ(hello.ja4.substr(0, 4), "t12d");  // the extension is present
  EXPECT_EQ(hello.extensions, (std::vector<std::uint16_t>{0, 0x17}));
}

TEST(ClientHello, SniEntryLengthLiesIsReported) {
  testing::Extension sni = Sni("entry.example");
  sni.data[4] = static_cast<std::uint8_t>(sni.data[4] + 1);  // host_name length past the list
  RecordingSink sink;
  ClientHello hello;
  ASSERT_TRUE(ParseClientHello(ClientHelloBody(0x0303, {0x1301}, {sni}), hello, sink));
  EXPECT_EQ(sink.Count("tls.client_hello_malformed"), 1u);
  EXPECT_EQ(hello.server_name, "");
}

TEST(ClientHello, BadInnerListsAreReportedAndEmptied) {
  RecordingSink sink;
  ClientHello hello;
  ASSERT_TRUE(ParseClientHello(
      ClientHelloBody(0x0303, {0x1301},
                      {Opaque(0x000a, {0, 3, 0, 0x1d, 0}), Opaque(0x002b, {3, 3, 4, 3}),
                       Opaque(0x0010, {0, 5, 2, 'h', '2'})}),
      hello, sink));
  ASSERT_EQ(sink.reports.size(), 3u);
  EXPECT_EQ(sink.Count("tls.client_hello_malformed"), 3u);
  EXPECT_EQ(sink.reports[0].second, "supported_groups: bad list length");
  EXPECT_EQ(sink.reports[1].second, "supported_versions: bad list length");
  EXPECT_EQ(sink.reports[2].second, "alpn: list length past the extension");
  EXPECT_TRUE(hello.alpn.empty());
  EXPECT_TRUE(hello.supported_groups.empty());
  EXPECT_TRUE(hello.supported_versions.empty());
  EXPECT_EQ(hello.ja4.substr(0, 3), "t12");  // falls back to the legacy version
}

TEST(ClientHello, LongServerNameIsCut) {
  const std::string host(300, 'a');
  RecordingSink sink;
  ClientHello hello;
  ASSERT_TRUE(ParseClientHello(ClientHelloBody(0x0303, {0x1301}, {Sni(host)}), hello, sink));
  EXPECT_EQ(hello.server_name.size(), kMaxServerNameLength);
  EXPECT_TRUE(sink.Has("tls.client_hello_malformed"));
}

// Every prefix of every fixture gives a clean outcome: either a hello (only at the two valid
// cut points: right after compression_methods, or complete) or false with an anomaly.
TEST(ClientHello, TruncationSweep) {
  const Bytes fixtures[] = {Ja3ReadmeHelloBody(), testing::ChromeClientHelloBody(),
                            ClientHelloBody(0x0303, {0x1301}, {}, false, 32)};
  for (const Bytes& full : fixtures) {
    const std::size_t no_extensions_end =
        2 + 32 + 1 + full[34] + 2 + ((full[35 + full[34]] << 8) | full[36 + full[34]]) + 2;
    for (std::size_t n = 0; n <= full.size(); ++n) {
      RecordingSink sink;
      ClientHello hello;
      const bool ok = ParseClientHello(std::span(full.data(), n), hello, sink);
      if (n == full.size() || n == no_extensions_end) {
        EXPECT_TRUE(ok) << "prefix " << n;
      } else {
        EXPECT_FALSE(ok) << "prefix " << n;
        EXPECT_FALSE(sink.reports.empty()) << "prefix " << n;
      }
    }
  }
}

TEST(LooksLikeClientHello, ChecksTheBytesPresent) {
  const Bytes stream = testing::Record(22, 0x0301, testing::Handshake(1, Ja3ReadmeHelloBody()));
  for (std::size_t n = 0; n <= 8; ++n) {
    EXPECT_TRUE(LooksLikeClientHello(std::span(stream.data(), n))) << n;
  }
  const std::uint8_t http[] = {'G', 'E', 'T', ' ', '/', ' ', 'H'};
  EXPECT_FALSE(LooksLikeClientHello(http));
  const std::uint8_t server_hello[] = {22, 3, 3, 0, 80, 2};
  EXPECT_FALSE(LooksLikeClientHello(server_hello));
  const std::uint8_t bad_version[] = {22, 2, 0};
  EXPECT_FALSE(LooksLikeClientHello(bad_version));
}

TEST(Fingerprint, Ja4AlpnCodeFollowsTheSpecExamples) {
  auto code = [](std::initializer_list<std::uint8_t> bytes) {
    return Ja4AlpnCode(std::span<const std::uint8_t>(bytes.begin(), bytes.size()));
  };
  EXPECT_EQ(code({}), "00");
  EXPECT_EQ(code({'h', '2'}), "h2");
  EXPECT_EQ(code({'h', 't', 't', 'p', '/', '1', '.', '1'}), "h1");
  EXPECT_EQ(code({'h'}), "hh");
  EXPECT_EQ(code({0xab}), "ab");
  EXPECT_EQ(code({0xab, 0xcd}), "ad");
  EXPECT_EQ(code({0x30, 0xab}), "3b");
  EXPECT_EQ(code({0x30, 0x31, 0xab, 0xcd}), "3d");
  EXPECT_EQ(code({0x30, 0xab, 0xcd, 0x31}), "01");
}

TEST(Fingerprint, Ja4VersionCodes) {
  EXPECT_STREQ(Ja4VersionCode(0x0304), "13");
  EXPECT_STREQ(Ja4VersionCode(0x0301), "10");
  EXPECT_STREQ(Ja4VersionCode(0x0300), "s3");
  EXPECT_STREQ(Ja4VersionCode(0x0305), "00");
}

TEST(Fingerprint, IsGrease) {
  EXPECT_TRUE(IsGrease(0x0a0a));
  EXPECT_TRUE(IsGrease(0xfafa));
  EXPECT_FALSE(IsGrease(0x0a1a));
  EXPECT_FALSE(IsGrease(0x1301));
  EXPECT_FALSE(IsGrease(0x0a0b));
}

TEST(Fingerprint, Ja4CapsCountsAt99) {
  ClientHello hello;
  hello.legacy_version = 0x0303;
  for (unsigned i = 1; i <= 120; ++i)
    hello.cipher_suites.push_back(static_cast<std::uint16_t>(i));
  ComputeJa4(hello, {});
  EXPECT_EQ(hello.ja4.substr(0, 10), "t12i990000");
}

}  // namespace
}  // namespace beffroi::net::tls
