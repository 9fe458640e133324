#include "agents/net/protocol/tls/certificate.h"

#include <gtest/gtest.h>

#include "test_certificate.h"
#include "tls_builders.h"

namespace beffroi::net::tls {
namespace {

using testing::Bytes;
using testing::CertificateBody;
using testing::MakeTestCertificate;
using testing::RecordingSink;

TEST(Certificate, DecodesTheTestCertificate) {
  const Bytes der = MakeTestCertificate();
  RecordingSink sink;
  Certificate c;
  ASSERT_TRUE(ParseCertificate(der, c, sink));
  EXPECT_TRUE(sink.reports.empty());
  EXPECT_EQ(c.subject, "CN=beffroi-test.example,O=Beffroi");
  EXPECT_EQ(c.issuer, "CN=beffroi-test.example,O=Beffroi");
  EXPECT_EQ(c.serial, "c0ffee12345678");
  EXPECT_EQ(c.not_before, "2024-05-01T00:00:00Z");
  EXPECT_EQ(c.not_after, "2034-05-01T12:00:00Z");
  EXPECT_EQ(c.san_dns,
            (std::vector<std::string>{"beffroi-test.example", "*.beffroi-test.example"}));
  EXPECT_EQ(c.sha256, testing::Sha256OfDer(der));
  EXPECT_EQ(c.sha256.size(), 64u);
}

TEST(Certificate, GeneralizedTimeAfter2049) {
  // RFC 5280 §4.1.2.5: dates from 2050 are GeneralizedTime.
  RecordingSink sink;
  Certificate c;
  ASSERT_TRUE(ParseCertificate(MakeTestCertificate("20550102030405Z", 0x80), c, sink));
  EXPECT_EQ(c.not_after, "2055-01-02T03:04:05Z");
  EXPECT_EQ(c.serial, "80");
}

TEST(Certificate, MessageKeepsGoodCertificatesAroundABadOne) {
  const Bytes good = MakeTestCertificate();
  const Bytes second = MakeTestCertificate("20300101000000Z", 2);
  const Bytes garbage = {0x30, 0x03, 0x02, 0x01, 0x01};  // a SEQUENCE holding INTEGER 1
  RecordingSink sink;
  std::vector<Certificate> chain;
  ASSERT_TRUE(ParseCertificateMessage(CertificateBody({good, garbage, second}), chain, sink));
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[0].serial, "c0ffee12345678");
  EXPECT_EQ(chain[1].serial, "02");
  EXPECT_EQ(sink.Count("tls.certificate_malformed"), 1u);
}

TEST(Certificate, ChainIsBounded) {
  const Bytes der = MakeTestCertificate();
  RecordingSink sink;
  std::vector<Certificate> chain;
  ASSERT_TRUE(ParseCertificateMessage(CertificateBody(std::vector<Bytes>(11, der)), chain, sink));
  EXPECT_EQ(chain.size(), 10u);
  EXPECT_TRUE(sink.Has("tls.certificate_chain_too_long"));
}

TEST(Certificate, EmptyEntryAndBadListLength) {
  RecordingSink sink;
  std::vector<Certificate> chain;
  EXPECT_TRUE(ParseCertificateMessage(CertificateBody({Bytes{}}), chain, sink));
  EXPECT_TRUE(chain.empty());
  EXPECT_EQ(sink.Count("tls.certificate_malformed"), 1u);

  Bytes body = CertificateBody({MakeTestCertificate()});
  body[5] = static_cast<std::uint8_t>(body[5] + 1);  // entry length past the list
  RecordingSink sink2;
  EXPECT_FALSE(ParseCertificateMessage(body, chain, sink2));
  EXPECT_TRUE(sink2.Has("tls.certificate_malformed"));
}

TEST(Certificate, TruncationSweepOverMessageAndDer) {
  const Bytes der = MakeTestCertificate();
  const Bytes body = CertificateBody({der});
  for (std::size_t n = 0; n < body.size(); ++n) {
    RecordingSink sink;
    std::vector<Certificate> chain;
    EXPECT_FALSE(ParseCertificateMessage(std::span(body.data(), n), chain, sink)) << n;
    EXPECT_TRUE(chain.empty()) << n;
    EXPECT_TRUE(sink.Has("tls.certificate_malformed")) << n;
  }
  for (std::size_t n = 0; n < der.size(); ++n) {
    RecordingSink sink;
    Certificate c;
    EXPECT_FALSE(ParseCertificate(std::span(der.data(), n), c, sink)) << n;
    EXPECT_TRUE(sink.Has("tls.certificate_malformed")) << n;
  }
}

}  // namespace
}  // namespace beffroi::net::tls
