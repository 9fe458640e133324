#include "common/progress.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace beffroi {
namespace {

TEST(Progress, DrawsNothingWhenTheStreamIsNotATerminal) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p("collecting", /*enabled=*/true, f);
    EXPECT_FALSE(p.drawing());
    p.Add(10, 1000);
    p.SetTotal(20, 2000);
  }
  EXPECT_EQ(std::ftell(f), 0);
  std::fclose(f);
}

TEST(FormatProgressLine, ShowsCountsRateAndEtaOnceTheTotalIsKnown) {
  ProgressSnapshot s;
  s.files = 10;
  s.bytes = 10 * 1024 * 1024;
  s.elapsed_seconds = 2;
  EXPECT_EQ(FormatProgressLine("collecting", s),
            "collecting  10 files  10.0 MiB  5.0 MiB/s  (still walking)");
  s.total_files = 20;
  s.total_bytes = 30 * 1024 * 1024;
  EXPECT_EQ(FormatProgressLine("collecting", s),
            "collecting  10/20 files  10.0 MiB  5.0 MiB/s  ETA 0:04");
}

TEST(FormatBytes, PicksBinaryUnits) {
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(3.0 * (1ULL << 30)), "3.0 GiB");
}

}  // namespace
}  // namespace beffroi
