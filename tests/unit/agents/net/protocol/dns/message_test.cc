#include "agents/net/protocol/dns/message.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "agents/net/protocol/dns/name.h"
#include "agents/net/protocol/ip/address.h"
#include "dns_fixtures.h"

namespace beffroi::net::dns {
namespace {

using testing::Hex;
using testing::RecordingSink;

struct Parsed {
  Message message;
  ParseOutcome outcome;
  RecordingSink sink;
};

Parsed ParseHex(std::string_view hex) {
  Parsed p;
  const auto bytes = Hex(hex);
  p.outcome = Parse(bytes, p.message, p.sink);
  return p;
}

void ExpectClean(const Parsed& p) {
  EXPECT_TRUE(p.outcome.ok);
  EXPECT_TRUE(p.outcome.complete);
  EXPECT_FALSE(p.outcome.truncated);
  EXPECT_FALSE(p.outcome.malformed);
  EXPECT_TRUE(p.sink.names.empty()) << p.sink.names.front();
}

TEST(DnsParser, ParsesQuery) {
  const Parsed p = ParseHex(testing::kQuery);
  ExpectClean(p);
  EXPECT_EQ(p.message.id, 0x1234);
  EXPECT_FALSE(p.message.is_response);
  EXPECT_TRUE(p.message.rd);
  EXPECT_FALSE(p.message.ra);
  ASSERT_EQ(p.message.questions.size(), 1u);
  EXPECT_EQ(p.message.questions[0].name, "www.example.com");
  EXPECT_EQ(p.message.questions[0].type, kTypeA);
  EXPECT_EQ(p.message.questions[0].klass, 1);
  EXPECT_TRUE(p.message.answers.empty());
}

TEST(DnsParser, ParsesCompressedCnameChainWithAddresses) {
  const Parsed p = ParseHex(testing::kCnameChain);
  ExpectClean(p);
  EXPECT_TRUE(p.message.is_response);
  EXPECT_TRUE(p.message.ra);
  ASSERT_EQ(p.message.answers.size(), 3u);
  const Record& cname = p.message.answers[0];
  EXPECT_EQ(cname.name, "www.example.com");
  EXPECT_EQ(cname.type, kTypeCname);
  EXPECT_EQ(cname.ttl, 3600u);
  EXPECT_EQ(cname.rdlength, 6);
  EXPECT_EQ(cname.data, "web.example.com");
  EXPECT_EQ(p.message.answers[1].name, "web.example.com");
  EXPECT_EQ(p.message.answers[1].data, "93.184.216.34");
  EXPECT_EQ(p.message.answers[2].type, kTypeAaaa);
  EXPECT_EQ(p.message.answers[2].data, "2606:2800:220:1:248:1893:25c8:1946");
}

TEST(DnsParser, ParsesMxAndTxtWithEscapes) {
  const Parsed p = ParseHex(testing::kMxTxt);
  ExpectClean(p);
  ASSERT_EQ(p.message.answers.size(), 2u);
  EXPECT_EQ(p.message.answers[0].data, "10 mail.example.com");
  // Strings joined with nothing; '\' and 0x01 escaped as \DDD, space and '"' kept.
  EXPECT_EQ(p.message.answers[1].data, "v=spf1 -alla\\092\\001\"");
}

TEST(DnsParser, ParsesPtr) {
  const Parsed p = ParseHex(testing::kPtr);
  ExpectClean(p);
  EXPECT_EQ(p.message.questions[0].name, "34.216.184.93.in-addr.arpa");
  ASSERT_EQ(p.message.answers.size(), 1u);
  EXPECT_EQ(p.message.answers[0].data, "www.example.com");
}

TEST(DnsParser, ParsesNxdomainWithSoa) {
  const Parsed p = ParseHex(testing::kNxdomain);
  ExpectClean(p);
  EXPECT_EQ(p.message.rcode, 3);
  EXPECT_TRUE(p.message.answers.empty());
  ASSERT_EQ(p.message.authorities.size(), 1u);
  EXPECT_EQ(p.message.authorities[0].name, "example.com");
  EXPECT_EQ(p.message.authorities[0].data,
            "ns.example.com hostmaster.example.com 2024010101 7200 3600 1209600 300");
}

TEST(DnsParser, ParsesSrv) {
  const Parsed p = ParseHex(testing::kSrv);
  ExpectClean(p);
  EXPECT_TRUE(p.message.aa);
  EXPECT_EQ(p.message.questions[0].name, "_ldap._tcp.dc._msdcs.example.com");
  ASSERT_EQ(p.message.answers.size(), 1u);
  EXPECT_EQ(p.message.answers[0].data, "0 100 389 dc1.example.com");
}

TEST(DnsParser, MasksMdnsCacheFlushBit) {
  const Parsed p = ParseHex(testing::kMdns);
  ExpectClean(p);
  ASSERT_EQ(p.message.answers.size(), 1u);
  EXPECT_EQ(p.message.answers[0].name, "printer.local");
  EXPECT_EQ(p.message.answers[0].klass, 1);
  EXPECT_EQ(p.message.answers[0].data, "192.168.1.100");
}

TEST(DnsParser, KeepsOptRecordClassAndEmptyData) {
  const Parsed p = ParseHex(testing::kEdnsQuery);
  ExpectClean(p);
  ASSERT_EQ(p.message.additionals.size(), 1u);
  EXPECT_EQ(p.message.additionals[0].name, ".");
  EXPECT_EQ(p.message.additionals[0].type, kTypeOpt);
  EXPECT_EQ(p.message.additionals[0].klass, 4096);
  EXPECT_EQ(p.message.additionals[0].data, "");
}

TEST(DnsParser, RejectsShortHeader) {
  const Parsed p = ParseHex("1234 0100 0001 0000 0000");  // 10 octets
  EXPECT_FALSE(p.outcome);
  EXPECT_TRUE(p.outcome.truncated);
  EXPECT_TRUE(p.sink.Has("dns.truncated"));
}

TEST(DnsParser, QuestionCountLargerThanDataIsTruncated) {
  const Parsed p = ParseHex(
      "1234 0100 0002 0000 0000 0000"  // QD=2, but only one question follows
      "00 0001 0001");                 // root A IN
  EXPECT_FALSE(p.outcome.ok);
  EXPECT_TRUE(p.outcome.truncated);
  EXPECT_FALSE(p.outcome.malformed);
  EXPECT_EQ(p.sink.names, std::vector<std::string>{"dns.truncated"});
}

TEST(DnsParser, AnswerCountLargerThanDataKeepsWhatWasParsed) {
  std::string hex(testing::kCnameChain);
  hex.replace(hex.find("0001 0003"), 9, "0001 0004");  // AN=4, three present
  const Parsed p = ParseHex(hex);
  EXPECT_TRUE(p.outcome.ok);
  EXPECT_FALSE(p.outcome.complete);
  EXPECT_TRUE(p.outcome.truncated);
  EXPECT_EQ(p.message.answers.size(), 3u);
  EXPECT_EQ(p.sink.names, std::vector<std::string>{"dns.truncated"});
}

TEST(DnsParser, RecordRunningPastRdlengthKeepsFraming) {
  const Parsed p = ParseHex(
      "0001 8180 0000 0002 0000 0000"          // AN=2
      "00 0005 0001 00000000 0003"             // @12 root CNAME, rdlen 3 ...
      "03 6162"                                // ... but the label "abc" needs 4 more octets
      "00 0001 0001 00000000 0004 01020304");  // the next record
  EXPECT_TRUE(p.outcome.ok);
  EXPECT_TRUE(p.outcome.malformed);
  EXPECT_EQ(p.sink.names, std::vector<std::string>{"dns.rdata_overflow"});
  ASSERT_EQ(p.message.answers.size(), 2u);
  EXPECT_EQ(p.message.answers[0].data, "");
  EXPECT_EQ(p.message.answers[1].data, "1.2.3.4");
}

TEST(DnsParser, RejectsBadAddressLengths) {
  const Parsed p = ParseHex(
      "0001 8180 0000 0002 0000 0000"
      "00 0001 0001 00000000 0005 0102030405"  // A with 5 octets
      "00 001c 0001 00000000 0004 01020304");  // AAAA with 4 octets
  EXPECT_TRUE(p.outcome.ok);
  EXPECT_TRUE(p.outcome.complete);
  EXPECT_TRUE(p.outcome.malformed);
  EXPECT_EQ(p.sink.names,
            (std::vector<std::string>{"dns.rdata_bad_length", "dns.rdata_bad_length"}));
  ASSERT_EQ(p.message.answers.size(), 2u);
  EXPECT_EQ(p.message.answers[0].data, "");
}

TEST(DnsParser, RdlengthPastMessageEndIsTruncated) {
  const Parsed p = ParseHex(
      "0001 8180 0000 0001 0000 0000"
      "00 0001 0001 00000000 0004 0102");  // rdlen 4, two octets present
  EXPECT_TRUE(p.outcome.truncated);
  EXPECT_TRUE(p.message.answers.empty());
}

TEST(DnsParser, CapsRecordsPerSection) {
  std::string hex = "0001 0000 012c 0000 0000 0000";  // QD=300
  for (int i = 0; i < 300; ++i)
    hex += "00 0001 0001";
  const Parsed p = ParseHex(hex);
  EXPECT_TRUE(p.outcome.ok);
  EXPECT_FALSE(p.outcome.complete);
  EXPECT_TRUE(p.outcome.malformed);
  EXPECT_EQ(p.message.questions.size(), kMaxRecordsPerSection);
  EXPECT_EQ(p.sink.names, std::vector<std::string>{"dns.record_limit"});
}

TEST(DnsParser, SelfPointerIsALoop) {
  const Parsed p = ParseHex("0001 0100 0001 0000 0000 0000 c00c 0001 0001");
  EXPECT_FALSE(p.outcome);
  EXPECT_TRUE(p.outcome.malformed);
  EXPECT_EQ(p.sink.names, std::vector<std::string>{"dns.pointer_loop"});
}

TEST(DnsParser, PointerBackIntoTheSameNameIsALoop) {
  // @12 label "a", then @14 a pointer to @12: the name would repeat for ever.
  const Parsed p = ParseHex("0001 0100 0001 0000 0000 0000 01 61 c00c 0001 0001");
  EXPECT_FALSE(p.outcome);
  EXPECT_EQ(p.sink.names, std::vector<std::string>{"dns.pointer_loop"});
}

TEST(DnsParser, RejectsForwardPointer) {
  const Parsed p = ParseHex("0001 0100 0001 0000 0000 0000 c00e 00 0001 0001");
  EXPECT_FALSE(p.outcome);
  EXPECT_EQ(p.sink.names, std::vector<std::string>{"dns.pointer_forward"});
}

TEST(DnsParser, LoopThroughTwoNamesIsCaught) {
  // The question's name is "b" + pointer to @18, the answer's name (written later): a forward
  // pointer. The answer's name points back to the question: the cycle needs a forward hop.
  const Parsed p = ParseHex(
      "0001 8180 0001 0001 0000 0000"
      "01 62 c012 0001 0001"  // @12 "b" -> @18
      "c00c 0001 0001 00000000 0004 01020304");
  EXPECT_FALSE(p.outcome);
  EXPECT_EQ(p.sink.names, std::vector<std::string>{"dns.pointer_forward"});
}

// A question for the root at @12, then an unknown-type answer whose RDATA is a chain of
// pointers each to the one before (the first to @12), then a second answer whose name is the
// last pointer of the chain: its name takes `hops` jumps.
std::string PointerChain(int hops) {
  std::string hex = "0001 8180 0001 0002 0000 0000 00 0001 0001";  // question @12..16
  const int chain_len = hops - 1;                                  // pointers in the RDATA
  char buf[64];
  std::snprintf(buf, sizeof buf, "00 ff00 0001 00000000 %04x", chain_len * 2);
  hex += buf;  // @17 answer 1, RDATA from @28
  for (int i = 0; i < chain_len; ++i) {
    std::snprintf(buf, sizeof buf, " %04x", 0xc000 | (i == 0 ? 12 : 28 + 2 * (i - 1)));
    hex += buf;
  }
  std::snprintf(buf, sizeof buf, " %04x ff00 0001 00000000 0000",
                0xc000 | (chain_len == 0 ? 12 : 28 + 2 * (chain_len - 1)));
  return hex + buf;
}

TEST(DnsParser, FollowsUpToTheMaximumPointerHops) {
  const Parsed ok = ParseHex(PointerChain(static_cast<int>(kMaxPointerHops)));
  ExpectClean(ok);
  ASSERT_EQ(ok.message.answers.size(), 2u);
  EXPECT_EQ(ok.message.answers[1].name, ".");
  const Parsed deep = ParseHex(PointerChain(static_cast<int>(kMaxPointerHops) + 1));
  EXPECT_TRUE(deep.outcome.ok);
  EXPECT_TRUE(deep.outcome.malformed);
  EXPECT_EQ(deep.message.answers.size(), 1u);
  EXPECT_EQ(deep.sink.names, std::vector<std::string>{"dns.pointer_depth"});
}

// The AAAA text must be the same as IpAddress::ToString (inet_ntop), which the rest of the
// agent uses for addresses.
TEST(DnsParser, Ipv6TextMatchesIpAddress) {
  std::vector<std::array<std::uint16_t, 8>> cases = {
      {0, 0, 0, 0, 0, 0, 0, 0},
      {0, 0, 0, 0, 0, 0, 0, 1},
      {0, 0, 0, 0, 0, 0, 0, 2},
      {1, 0, 0, 0, 0, 0, 0, 0},
      {0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304},
      {0, 0, 0, 0, 0, 0, 0x0102, 0x0304},
      {0, 0, 0, 0, 0xffff, 0, 0x0102, 0x0304},
      {1, 0, 0, 1, 0, 0, 0, 1},
      {1, 0, 0, 0, 1, 0, 0, 1},
      {1, 0, 1, 0, 1, 0, 1, 0},
      {0x2001, 0xdb8, 0, 0, 0, 0, 0, 1},
      {0xfe80, 0, 0, 0, 0, 0, 0, 0},
      {0, 0, 1, 0, 0, 0, 0, 0},
      {0xabcd, 0xef01, 0x2345, 0x6789, 0xabcd, 0xef01, 0x2345, 0x6789}};
  std::uint32_t seed = 12345;
  for (int n = 0; n < 2000; ++n) {  // pseudo-random groups, zero half of the time
    std::array<std::uint16_t, 8> w{};
    for (auto& g : w) {
      seed = seed * 1103515245 + 12345;
      g = (seed >> 16) & 1 ? 0 : static_cast<std::uint16_t>(seed >> 8);
    }
    cases.push_back(w);
  }
  for (const auto& w : cases) {
    std::string hex = "0001 8180 0000 0001 0000 0000 00 001c 0001 00000000 0010";
    std::uint8_t bytes[16];
    char buf[8];
    for (int i = 0; i < 8; ++i) {
      bytes[2 * i] = static_cast<std::uint8_t>(w[i] >> 8);
      bytes[2 * i + 1] = static_cast<std::uint8_t>(w[i]);
      std::snprintf(buf, sizeof buf, " %04x", w[i]);
      hex += buf;
    }
    const Parsed p = ParseHex(hex);
    ASSERT_EQ(p.message.answers.size(), 1u);
    EXPECT_EQ(p.message.answers[0].data, IpAddress::V6(bytes).ToString());
  }
}

TEST(DnsParser, ReusedMessageGivesTheSameResultAsAFreshOne) {
  Message reused;
  RecordingSink sink;
  for (std::string_view fixture : testing::kAllFixtures) {
    const auto bytes = Hex(fixture);
    Message fresh;
    ASSERT_TRUE(Parse(bytes, fresh, sink));
    ASSERT_TRUE(Parse(bytes, reused, sink));
    EXPECT_EQ(reused.id, fresh.id);
    EXPECT_EQ(reused.rcode, fresh.rcode);
    ASSERT_EQ(reused.questions.size(), fresh.questions.size());
    ASSERT_EQ(reused.answers.size(), fresh.answers.size());
    ASSERT_EQ(reused.authorities.size(), fresh.authorities.size());
    ASSERT_EQ(reused.additionals.size(), fresh.additionals.size());
    for (std::size_t i = 0; i < fresh.answers.size(); ++i) {
      EXPECT_EQ(reused.answers[i].name, fresh.answers[i].name);
      EXPECT_EQ(reused.answers[i].data, fresh.answers[i].data);
    }
  }
  EXPECT_TRUE(sink.names.empty());
}

TEST(DnsParser, EveryPrefixOfEveryFixtureIsTruncatedNeverACrash) {
  for (std::string_view fixture : testing::kAllFixtures) {
    const auto bytes = Hex(fixture);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      Message m;
      RecordingSink sink;
      const ParseOutcome o = Parse(std::span(bytes).first(n), m, sink);
      EXPECT_TRUE(o.truncated) << "prefix " << n << " of " << fixture;
      EXPECT_FALSE(o.complete) << "prefix " << n;
      EXPECT_FALSE(o.malformed) << "prefix " << n;
      EXPECT_EQ(sink.names, std::vector<std::string>{"dns.truncated"}) << "prefix " << n;
      const std::size_t qdcount = (std::size_t{bytes[4]} << 8) | bytes[5];
      EXPECT_EQ(o.ok, n >= 12 && m.questions.size() == qdcount) << "prefix " << n;
    }
  }
}

}  // namespace
}  // namespace beffroi::net::dns
