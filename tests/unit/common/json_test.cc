// ParseJson's limits and the byte-to-line location loaders show to whoever fixes a file.
#include "common/json.h"

#include <gtest/gtest.h>

#include <string>

namespace beffroi {
namespace {

TEST(ParseJson, RefusesNestingPastTheLimitWithItsByte) {
  std::string deep(100, '[');
  auto r = ParseJson(deep, "x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("x.json: byte 65: nested deeper than 64 levels", 0), 0u)
      << r.error().message;
}

TEST(LocateJsonError, GivesTheLineOfTheByteAndDropsThePrefix) {
  std::string text = "{\n  \"a\": 1,\n  \"b\": \n}";
  auto r = ParseJson(text, "");
  ASSERT_FALSE(r.ok());
  JsonErrorLine at = LocateJsonError(text, r.error().message);
  EXPECT_EQ(at.line, 4u) << r.error().message;
  EXPECT_EQ(at.message.rfind("byte ", 0), std::string::npos) << at.message;
  EXPECT_FALSE(at.message.empty());
}

TEST(LocateJsonError, MessagesWithoutAByteStayWholeOnLineOne) {
  for (const std::string m : {"", "byte", "byte x: y", "byte 12", "byte 12:", "oops"}) {
    JsonErrorLine at = LocateJsonError("a\nb\nc", m);
    EXPECT_EQ(at.line, 1u) << m;
    EXPECT_EQ(at.message, m);
  }
  // A byte past the end of the text is clamped to its last line.
  EXPECT_EQ(LocateJsonError("a\nb\nc", "byte 999: cut").line, 3u);
  EXPECT_EQ(LocateJsonError("a\nb\nc", "byte 999: cut").message, "cut");
}

TEST(LineOfByte, CountsNewlinesBeforeTheByte) {
  EXPECT_EQ(LineOfByte("", 0), 1u);
  EXPECT_EQ(LineOfByte("ab\ncd", 1), 1u);
  EXPECT_EQ(LineOfByte("ab\ncd", 3), 1u);  // the newline itself ends line 1
  EXPECT_EQ(LineOfByte("ab\ncd", 4), 2u);
}

}  // namespace
}  // namespace beffroi
