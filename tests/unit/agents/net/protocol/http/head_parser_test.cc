#include "agents/net/protocol/http/head_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "agents/net/protocol/http/field_text.h"

namespace beffroi::net::http {
namespace {

TEST(HttpHead, ParsesRequestLines) {
  RequestLine rl;
  ASSERT_TRUE(ParseRequestLine("GET /a?b=c HTTP/1.1", rl));
  EXPECT_EQ(rl.method, "GET");
  EXPECT_EQ(rl.target, "/a?b=c");
  EXPECT_EQ(rl.version, "HTTP/1.1");
  ASSERT_TRUE(ParseRequestLine("GET /", rl));  // HTTP/0.9
  EXPECT_EQ(rl.target, "/");
  EXPECT_TRUE(rl.version.empty());
  ASSERT_TRUE(ParseRequestLine("GET  /a b  HTTP/1.0", rl));  // runs of spaces, space in target
  EXPECT_EQ(rl.target, "/a b");
  EXPECT_EQ(rl.version, "HTTP/1.0");
  ASSERT_TRUE(ParseRequestLine("GET HTTP/1.1", rl));  // no target: still HTTP/1.1 with fields
  EXPECT_EQ(rl.target, "");
  EXPECT_EQ(rl.version, "HTTP/1.1");
  EXPECT_FALSE(ParseRequestLine("GET", rl));
  EXPECT_FALSE(ParseRequestLine(" GET / HTTP/1.1", rl));
  EXPECT_FALSE(ParseRequestLine("GET / HTTP/1.1x", rl));  // spaces but no version
  EXPECT_FALSE(ParseRequestLine("G(T / HTTP/1.1", rl));   // '(' is not a tchar
  EXPECT_FALSE(ParseRequestLine("GET /\x01", rl));        // control octet in the target
  EXPECT_FALSE(ParseRequestLine(std::string(33, 'A') + " / HTTP/1.1", rl));
}

TEST(HttpHead, ParsesStatusLines) {
  StatusLine sl;
  ASSERT_TRUE(ParseStatusLine("HTTP/1.1 404 Not Found", sl));
  EXPECT_EQ(sl.status, 404);
  EXPECT_EQ(sl.reason, "Not Found");
  ASSERT_TRUE(ParseStatusLine("HTTP/1.0 200", sl));
  EXPECT_EQ(sl.reason, "");
  EXPECT_FALSE(ParseStatusLine("HTTP/1.1 20 OK", sl));
  EXPECT_FALSE(ParseStatusLine("HTTP/1.1 2000 OK", sl));
  EXPECT_FALSE(ParseStatusLine("HTTP/1 200 OK", sl));
  EXPECT_FALSE(ParseStatusLine("ICY 200 OK", sl));
}

TEST(HttpHead, PrefixChecks) {
  EXPECT_EQ(CheckRequestPrefix("GE", false), PrefixVerdict::kNeedMore);
  EXPECT_EQ(CheckRequestPrefix("PROPFIND ", false), PrefixVerdict::kMatch);
  EXPECT_EQ(CheckRequestPrefix("PROPFIND ", true), PrefixVerdict::kNoMatch);
  EXPECT_EQ(CheckRequestPrefix("PA", true), PrefixVerdict::kNeedMore);
  EXPECT_EQ(CheckRequestPrefix("PATCH /", true), PrefixVerdict::kMatch);
  EXPECT_EQ(CheckRequestPrefix("\x16\x03", false), PrefixVerdict::kNoMatch);
  EXPECT_EQ(CheckRequestPrefix(" GET", false), PrefixVerdict::kNoMatch);
  EXPECT_EQ(CheckStatusPrefix("HTT"), PrefixVerdict::kNeedMore);
  EXPECT_EQ(CheckStatusPrefix("HTTP/1.1 200"), PrefixVerdict::kMatch);
  EXPECT_EQ(CheckStatusPrefix("HTX"), PrefixVerdict::kNoMatch);
}

TEST(HttpFieldText, KeepsValidUtf8AndEscapesTheRest) {
  std::string out;
  AssignField(out, "plain ascii\tand tab", 100);
  EXPECT_EQ(out, "plain ascii\tand tab");
  AssignField(out, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 100);  // é € 😀
  EXPECT_EQ(out, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  AssignField(out,
              "a\xc3"
              "b",
              100);  // truncated sequence
  EXPECT_EQ(out, "a\\xc3b");
  AssignField(out, "\xc0\xaf", 100);  // overlong '/'
  EXPECT_EQ(out, "\\xc0\\xaf");
  AssignField(out, "\xed\xa0\x80", 100);  // UTF-16 surrogate
  EXPECT_EQ(out, "\\xed\\xa0\\x80");
  AssignField(out, "\xf4\x90\x80\x80", 100);  // above U+10FFFF
  EXPECT_EQ(out, "\\xf4\\x90\\x80\\x80");
  AssignField(out, std::string("\0\x7f", 2), 100);
  EXPECT_EQ(out, "\\x00\\x7f");
}

TEST(HttpFieldText, BoundNeverSplitsASequenceOrAnEscape) {
  std::string out;
  AssignField(out, "abcdef", 4);
  EXPECT_EQ(out, "abcd");
  AssignField(out, "ab\xc3\xa9", 3);  // é would end at 4
  EXPECT_EQ(out, "ab");
  AssignField(out, "ab\xff", 5);  // the escape would end at 6
  EXPECT_EQ(out, "ab");
}

TEST(HttpFieldText, CaseInsensitiveNamesAndTrim) {
  EXPECT_TRUE(EqualsLower("Content-LENGTH", "content-length"));
  EXPECT_FALSE(EqualsLower("Content-Lengthx", "content-length"));
  EXPECT_EQ(TrimOws(" \t v a \t"), "v a");
  EXPECT_EQ(TrimOws("  "), "");
}

}  // namespace
}  // namespace beffroi::net::http
