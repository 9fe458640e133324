// The building blocks of beffroi_ioc: regex preparation, CSV splitting, network values, the
// bounded line reader and the hash index.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "analyzer/ioc/csv.h"
#include "analyzer/ioc/hash_index.h"
#include "analyzer/ioc/line_reader.h"
#include "analyzer/ioc/network.h"
#include "analyzer/ioc/path_regex.h"
#include "ioc_test_util.h"

namespace beffroi::ioc {
namespace {

using testing::ScratchDir;

// ---- PathRegex ----

TEST(PathRegex, RequiredLiteralIsOnlyWhatEveryMatchContains) {
  EXPECT_EQ(RequiredLiteral("\\\\RyukReadMe\\.(txt|html?)$"), "ryukreadme.");
  EXPECT_EQ(RequiredLiteral("\\\\procdump(64)?(a)?\\.(exe|zip)"), "procdump");
  EXPECT_EQ(RequiredLiteral("\\.play$"), ".play");
  EXPECT_EQ(RequiredLiteral("abcd?ef"), "abc");     // 'd' is optional
  EXPECT_EQ(RequiredLiteral("ab*cdefg"), "cdefg");  // 'b' may be absent
  EXPECT_EQ(RequiredLiteral("x{0,2}yz"), "yz");
  EXPECT_EQ(RequiredLiteral("evil|good"), "");  // top-level alternation
  EXPECT_EQ(RequiredLiteral("a\\dbc"), "bc");   // \d is a class
  EXPECT_EQ(RequiredLiteral("[abc]def"), "def");
  EXPECT_EQ(RequiredLiteral("\\\\Temp\\\\x"), "temp");  // separators split runs
  EXPECT_EQ(RequiredLiteral("caf\xC3\xA9s"), "caf");    // ASCII only
  EXPECT_EQ(RequiredLiteral("(unbalanced"), "");
  EXPECT_EQ(RequiredLiteral("trailing\\"), "");
}

TEST(PathRegex, SeparatorsBecomeInterchangeable) {
  EXPECT_EQ(NormalizeSeparators("\\\\a\\.sys"), "[\\\\/]a\\.sys");
  EXPECT_EQ(NormalizeSeparators("/tmp/x"), "[\\\\/]tmp[\\\\/]x");
  EXPECT_EQ(NormalizeSeparators("[^\\\\]*"), "[^\\\\/]*");
  EXPECT_EQ(NormalizeSeparators("[/]"), "[\\\\/]");
  EXPECT_EQ(NormalizeSeparators("\\/x"), "[\\\\/]x");
  EXPECT_EQ(NormalizeSeparators("a\\.b\\d"), "a\\.b\\d");
}

TEST(PathRegex, MeasuresExpansionAndNesting) {
  EXPECT_EQ(MeasureRegex("abc").states, 3u);
  EXPECT_EQ(MeasureRegex("a{10}").states, 10u);
  EXPECT_GT(MeasureRegex("((a{100}){100}){100}").states, kMaxRegexStates);
  EXPECT_LE(MeasureRegex("\\\\[a-z]{5}\\.exe").states, 20u);
  EXPECT_EQ(MeasureRegex("((((x))))").depth, 4u);
  EXPECT_EQ(MeasureRegex("[(((]").depth, 0u);
  EXPECT_GT(MeasureRegex("a{99999999999999999999999}").states, kMaxRegexStates);
}

TEST(PathRegex, CompileRefusesWhatCouldExhaustResources) {
  EXPECT_FALSE(PathRegex::Compile("").ok());
  EXPECT_FALSE(PathRegex::Compile("(?i)").ok());
  EXPECT_FALSE(PathRegex::Compile(std::string(kMaxRegexLength + 1, 'a')).ok());
  EXPECT_TRUE(PathRegex::Compile(std::string(kMaxRegexLength / 2, 'a')).ok());
  std::string deep =
      std::string(kMaxRegexNesting + 1, '(') + "a" + std::string(kMaxRegexNesting + 1, ')');
  Result<PathRegex> nested = PathRegex::Compile(deep);
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.error().message.find("nests groups"), std::string::npos);
  EXPECT_FALSE(PathRegex::Compile("a{1000}{1000}").ok());
  EXPECT_FALSE(PathRegex::Compile("(a)\\1").ok());  // back-references: no polynomial bound
}

TEST(PathRegex, MatchesWithoutExponentialBacktracking) {
  Result<PathRegex> re = PathRegex::Compile("(a|a)*(a*)*b");
  ASSERT_TRUE(re.ok()) << re.error().message;
  std::string path = "/" + std::string(40, 'a');
  EXPECT_FALSE(re->Matches(path, path));  // returns promptly in polynomial mode
  path += "b";
  EXPECT_TRUE(re->Matches(path, path));
}

// ---- CSV ----

std::vector<std::string> Split(std::string_view record) {
  Result<std::vector<std::string>> fields = SplitCsvRecord(record);
  EXPECT_TRUE(fields.ok()) << record;
  return fields.ok() ? *fields : std::vector<std::string>{};
}

TEST(CsvSplit, Rfc4180Fields) {
  EXPECT_EQ(Split("a,b,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Split(" a , b ,"), (std::vector<std::string>{"a", "b", ""}));
  EXPECT_EQ(Split("\"a,b\",\"x\"\"y\",\" kept \""),
            (std::vector<std::string>{"a,b", "x\"y", " kept "}));
  EXPECT_EQ(Split("\"\""), (std::vector<std::string>{""}));
  EXPECT_EQ(Split(""), (std::vector<std::string>{""}));
  EXPECT_EQ(Split("a\"b,c"), (std::vector<std::string>{"a\"b", "c"}));  // lenient
  EXPECT_FALSE(SplitCsvRecord("\"open").ok());
  EXPECT_FALSE(SplitCsvRecord("\"a\"b,c").ok());
}

TEST(CsvRecordBuilder, GluesLinesInsideQuotesAndBoundsTheRecord) {
  CsvRecordBuilder builder;
  EXPECT_EQ(builder.Add("a,\"multi", 1), CsvRecordBuilder::State::kNeedMore);
  EXPECT_EQ(builder.Add("line\"\"still\"", 2), CsvRecordBuilder::State::kComplete);
  EXPECT_EQ(builder.record(), "a,\"multi\nline\"\"still\"");
  EXPECT_EQ(builder.first_line(), 1u);
  EXPECT_EQ(builder.Add("x,y", 3), CsvRecordBuilder::State::kComplete);
  EXPECT_EQ(builder.first_line(), 3u);

  EXPECT_EQ(builder.Add("\"", 4), CsvRecordBuilder::State::kNeedMore);
  std::string chunk(kMaxLineLength / 2, 'x');
  EXPECT_EQ(builder.Add(chunk, 5), CsvRecordBuilder::State::kNeedMore);
  EXPECT_EQ(builder.Add(chunk, 6), CsvRecordBuilder::State::kTooLong);
  EXPECT_FALSE(builder.pending());
}

// ---- network values ----

std::string Canonical(NetworkType type, std::string_view value) {
  Result<std::string> out = CanonicalNetworkValue(type, value);
  return out.ok() ? *out : "ERROR: " + out.error().message;
}

TEST(NetworkValue, CanonicalFormsAndRejections) {
  EXPECT_EQ(Canonical(NetworkType::kIp, "192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(Canonical(NetworkType::kIp, "2001:0DB8:0::1"), "2001:db8::1");
  EXPECT_TRUE(Canonical(NetworkType::kIp, "192.0.2").starts_with("ERROR"));
  EXPECT_TRUE(Canonical(NetworkType::kIp, "").starts_with("ERROR"));
  EXPECT_EQ(Canonical(NetworkType::kCidr, "192.0.2.77/24"), "192.0.2.0/24");
  EXPECT_EQ(Canonical(NetworkType::kCidr, "2001:db8::ff/32"), "2001:db8::/32");
  EXPECT_EQ(Canonical(NetworkType::kCidr, "10.0.0.0/0"), "0.0.0.0/0");
  EXPECT_TRUE(Canonical(NetworkType::kCidr, "10.0.0.0/").starts_with("ERROR"));
  EXPECT_TRUE(Canonical(NetworkType::kCidr, "10.0.0.0/x").starts_with("ERROR"));
  EXPECT_TRUE(Canonical(NetworkType::kCidr, "::/129").starts_with("ERROR"));
  EXPECT_EQ(Canonical(NetworkType::kDomain, "Mega.NZ."), "mega.nz");
  EXPECT_EQ(Canonical(NetworkType::kDomain, "_dmarc.x-y.example"), "_dmarc.x-y.example");
  EXPECT_TRUE(Canonical(NetworkType::kDomain, "localhost").starts_with("ERROR"));
  EXPECT_TRUE(Canonical(NetworkType::kDomain, "a..b").starts_with("ERROR"));
  EXPECT_TRUE(Canonical(NetworkType::kDomain, "1.2.3.4").starts_with("ERROR"));
  EXPECT_TRUE(Canonical(NetworkType::kDomain, std::string(64, 'a') + ".com").starts_with("ERROR"));
  EXPECT_TRUE(Canonical(NetworkType::kDomain, "caf\xC3\xA9.example").starts_with("ERROR"));
  EXPECT_EQ(Canonical(NetworkType::kUrl, "HTTP://x.example/A"), "http://x.example/A");
  EXPECT_TRUE(Canonical(NetworkType::kUrl, "x.example/a").starts_with("ERROR"));
  EXPECT_TRUE(Canonical(NetworkType::kUrl, "http://a b").starts_with("ERROR"));
  EXPECT_TRUE(Canonical(NetworkType::kUrl, "1http://a").starts_with("ERROR"));
  EXPECT_TRUE(Canonical(NetworkType::kJa3, "72a589da586844d7f0818ce684948ee").starts_with("ERROR"));
  EXPECT_TRUE(
      Canonical(NetworkType::kJa4, "x13d1516h2_8daaf6152771_b186095e22b6").starts_with("ERROR"));
  EXPECT_TRUE(
      Canonical(NetworkType::kJa4, "t13d1516h2_8daaf6152771_b186095e22bz").starts_with("ERROR"));
  EXPECT_EQ(Canonical(NetworkType::kUserAgent, "Mozilla/5.0 (x)"), "Mozilla/5.0 (x)");
  EXPECT_TRUE(Canonical(NetworkType::kUserAgent, "a\tb").starts_with("ERROR"));
  EXPECT_TRUE(Canonical(NetworkType::kUserAgent, "\xFF").starts_with("ERROR"));
}

TEST(NetworkValue, TypeNamesRoundTrip) {
  for (NetworkType type :
       {NetworkType::kIp, NetworkType::kCidr, NetworkType::kDomain, NetworkType::kUrl,
        NetworkType::kJa3, NetworkType::kJa4, NetworkType::kUserAgent}) {
    EXPECT_EQ(NetworkTypeFromName(NetworkTypeName(type)), type);
  }
  EXPECT_EQ(NetworkTypeFromName("User_Agent"), NetworkType::kUserAgent);
  EXPECT_FALSE(NetworkTypeFromName("mutex").has_value());
}

// ---- LineReader ----

std::vector<std::string> ReadAll(LineReader& reader, std::vector<std::uint64_t>* too_long) {
  std::vector<std::string> lines;
  Line line;
  while (reader.Next(line)) {
    if (line.too_long && too_long != nullptr) too_long->push_back(line.number);
    lines.emplace_back(line.text);
  }
  return lines;
}

TEST(LineReader, SplitsLinesAndStripsTerminators) {
  LineReader reader(
      std::string_view("\xEF\xBB\xBF"
                       "a\r\n\nb\nc"));
  EXPECT_EQ(ReadAll(reader, nullptr), (std::vector<std::string>{"a", "", "b", "c"}));
  LineReader empty(std::string_view(""));
  EXPECT_TRUE(ReadAll(empty, nullptr).empty());
  LineReader only_newline(std::string_view("\n"));
  EXPECT_EQ(ReadAll(only_newline, nullptr), (std::vector<std::string>{""}));
}

TEST(LineReader, KeepsAMaximalLineAndSkipsALongerOneFromAFile) {
  ScratchDir dir;
  std::string max_line(kMaxLineLength, 'm');
  std::string content = max_line + "\r\n" + std::string(kMaxLineLength + 1, 'x') + "\nafter\n" +
                        std::string(5 * kMaxLineLength, 'y') + "\nlast";
  std::string path = dir.Write("lines.txt", content);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  LineReader reader(fd, path);
  std::vector<std::uint64_t> too_long;
  std::vector<std::string> lines = ReadAll(reader, &too_long);
  ::close(fd);
  ASSERT_TRUE(reader.status().ok());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], max_line);
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ(lines[2], "after");
  EXPECT_EQ(lines[4], "last");
  EXPECT_EQ(too_long, (std::vector<std::uint64_t>{2, 4}));
}

TEST(LineReader, ReportsAReadError) {
  ScratchDir dir;
  int fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);  // read(): EISDIR
  ASSERT_GE(fd, 0);
  LineReader reader(fd, "the-dir");
  Line line;
  EXPECT_FALSE(reader.Next(line));
  ::close(fd);
  ASSERT_FALSE(reader.status().ok());
  EXPECT_EQ(reader.status().error().code, ErrorCode::kIo);
  EXPECT_NE(reader.status().error().message.find("read the-dir: "), std::string::npos);
}

// ---- HashIndex ----

TEST(HashIndex, CommitSortsMergesAndKeepsTheFirstListingPerFile) {
  HashIndex<16> index;
  std::array<std::uint8_t, 16> a{};
  std::array<std::uint8_t, 16> b{};
  b[0] = 1;
  index.Add(b, HashMeta{0, 1, 10, 50, 0});
  index.Add(a, HashMeta{0, 1, 11, 50, 0});
  index.Add(b, HashMeta{0, 1, 12, 50, 0});
  EXPECT_TRUE(index.Find(a).empty());  // not committed yet
  EXPECT_EQ(index.Commit(), 1u);
  ASSERT_EQ(index.Find(b).size(), 1u);
  EXPECT_EQ(index.Find(b)[0].meta.line, 10u);
  index.Add(b, HashMeta{0, 2, 1, 50, 0});
  EXPECT_EQ(index.Commit(), 0u);
  EXPECT_EQ(index.Find(b).size(), 2u);
  EXPECT_EQ(index.size(), 3u);
  EXPECT_TRUE(index.Contains("00000000000000000000000000000000"));
  EXPECT_FALSE(index.Contains("0000000000000000000000000000000"));
  EXPECT_FALSE(index.Contains(""));
  EXPECT_TRUE(IsTrivialContentHash("d41d8cd98f00b204e9800998ecf8427e"));
  EXPECT_EQ(HashKindOfHex("D41D8CD98F00B204E9800998ECF8427E"), HashKind::kMd5);
  EXPECT_FALSE(HashKindOfHex("d41d8cd98f00b204e9800998ecf8427").has_value());
}

}  // namespace
}  // namespace beffroi::ioc
