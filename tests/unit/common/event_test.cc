#include "common/event.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace beffroi {
namespace {

std::string TempPath(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() / ("beffroi_event_test_" + name);
  std::filesystem::remove(p);
  return p.string();
}

TEST(Event, DottedKeysBuildNestedEcsObjects) {
  Event e = Event::Make("event", "beffroi.file");
  e.Set("file.hash.sha256", "abc").Set("file.size", std::uint64_t{42});
  EXPECT_EQ(e.json()["file"]["hash"]["sha256"], "abc");
  EXPECT_EQ(e.json()["file"]["size"], 42);
  EXPECT_EQ(e.GetString("schema"), "beffroi/1");
  EXPECT_EQ(e.dataset(), "beffroi.file");
  EXPECT_FALSE(e.GetString("@timestamp").empty());
  EXPECT_EQ(e.Find("file.nope"), nullptr);
  EXPECT_EQ(e.GetString("file.size"), "");  // not a string
}

TEST(Event, InvalidUtf8IsRepairedSoSerialisationNeverFails) {
  Event e = Event::Make("event", "beffroi.file");
  e.Set("file.path", std::string_view("/srv/\xff\xfe.txt"));
  std::string line = e.Serialize();
  auto back = Event::Parse(line);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->GetString("file.path"), "/srv/\xEF\xBF\xBD\xEF\xBF\xBD.txt");
}

TEST(Event, ParseRejectsWrongShapes) {
  EXPECT_FALSE(Event::Parse("not json").ok());
  EXPECT_FALSE(Event::Parse("[1,2]").ok());
  EXPECT_FALSE(Event::Parse(R"({"a":1})").ok());
  auto other = Event::Parse(R"({"schema":"beffroi/999"})");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kUnsupported);
}

TEST(Event, DeepNestingIsRefusedWithItsByteOffset) {
  std::string deep =
      R"({"schema":"beffroi/1","x":)" + std::string(100, '[') + std::string(100, ']') + "}";
  auto e = Event::Parse(deep);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "byte 90: nested deeper than 64 levels");
}

TEST(Event, AnomalyCarriesItsStableName) {
  Event a = MakeAnomaly("file.vanished", "gone");
  EXPECT_EQ(a.dataset(), "beffroi.anomaly");
  EXPECT_EQ(a.GetString("beffroi.anomaly.name"), "file.vanished");
  EXPECT_EQ(a.GetString("event.action"), "file.vanished");
  EXPECT_EQ(a.GetString("error.message"), "gone");
}

TEST(Ndjson, WriterAndReaderRoundTripWithHashOfEveryByte) {
  std::string path = TempPath("roundtrip.ndjson");
  auto w = NdjsonWriter::Create(path);
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE((*w)->Write(Event::Make("event", "beffroi.test").Set("n", i)).ok());
  }
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_EQ((*w)->events_written(), 1000u);
  EXPECT_FALSE((*w)->Write(Event()).ok());  // closed
  auto digest = HashFile(path);
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ((*w)->sha256(), digest->sha256);
  EXPECT_EQ((*w)->bytes_written(), std::filesystem::file_size(path));

  auto r = NdjsonReader::Open(path);
  ASSERT_TRUE(r.ok());
  int n = 0;
  for (;;) {
    auto ev = (*r)->Next();
    ASSERT_TRUE(ev.ok()) << ev.error().message;
    if (!ev->has_value()) break;
    EXPECT_EQ((**ev).json()["n"], n);
    ++n;
  }
  EXPECT_EQ(n, 1000);
  std::filesystem::remove(path);
}

TEST(Ndjson, WriterRefusesToOverwriteEvidence) {
  std::string path = TempPath("exists.ndjson");
  { std::ofstream(path) << "x"; }
  EXPECT_FALSE(NdjsonWriter::Create(path).ok());
  std::filesystem::remove(path);
}

TEST(Ndjson, ReaderNamesFileAndLineOfEachBadLineAndGoesOn) {
  std::string path = TempPath("bad.ndjson");
  {
    std::ofstream out(path);
    out << R"({"schema":"beffroi/1","n":1})"
        << "\n"
        << "\n"
        << "{truncated\n"
        << R"({"schema":"beffroi/1","n":2})"
        << "\r\n"
        << R"({"schema":"beffroi/1","n":3})";  // no final newline
  }
  auto r = NdjsonReader::Open(path);
  ASSERT_TRUE(r.ok());
  auto a = (*r)->Next();
  ASSERT_TRUE(a.ok() && a->has_value());
  auto bad = (*r)->Next();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind(path + ":3: byte ", 0), 0u) << bad.error().message;
  EXPECT_NE(bad.error().message.find("not valid JSON"), std::string::npos);
  auto b = (*r)->Next();
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ((**b).json()["n"], 2);
  auto c = (*r)->Next();
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((**c).json()["n"], 3);
  auto end = (*r)->Next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
  std::filesystem::remove(path);
}

TEST(Ndjson, OverlongLineIsReportedWithoutBufferingIt) {
  std::string path = TempPath("long.ndjson");
  {
    std::ofstream out(path);
    out << std::string(kMaxEventLineBytes + 10, 'x') << "\n"
        << R"({"schema":"beffroi/1"})"
        << "\n";
  }
  auto r = NdjsonReader::Open(path);
  ASSERT_TRUE(r.ok());
  auto bad = (*r)->Next();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find(":1: line longer than"), std::string::npos);
  auto good = (*r)->Next();
  ASSERT_TRUE(good.ok() && good->has_value());
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace beffroi
