#include "agents/host/throttle.h"

#include <gtest/gtest.h>

namespace beffroi::host {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateLimiter, AdmitsABurstThenSpacesReadsAtTheRate) {
  RateLimiter r(1'000'000, /*burst_seconds=*/0.25);  // 1 MB/s
  Clock::time_point t0{};
  t0 += seconds(100);
  // The first 250 kB fit in the burst.
  EXPECT_EQ(r.Admit(250'000, t0), Nanos(0));
  // The next 500 kB must wait half a second.
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(r.Admit(500'000, t0)), milliseconds(500));
  // After a long idle period the credit does not exceed the burst.
  Clock::time_point later = t0 + seconds(10);
  EXPECT_EQ(r.Admit(250'000, later), Nanos(0));
  EXPECT_GT(r.Admit(100'000, later), Nanos(0));
}

TEST(CpuGovernor, PausesExactlyEnoughToMeetTheShare) {
  CpuGovernor g(25, 2);  // 25% of 2 cores = 0.5 CPU-second per second
  Clock::time_point t{};
  t += seconds(100);
  EXPECT_EQ(g.Check(Nanos(0), t), Nanos(0));  // opens the window
  // 0.4 CPU-s used in 0.5 s of wall time: needs 0.8 s of wall time, so pause 0.3 s.
  auto pause = g.Check(std::chrono::duration_cast<Nanos>(milliseconds(400)), t + milliseconds(500));
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(pause), milliseconds(300));
  // Under the share: no pause.
  EXPECT_EQ(g.Check(std::chrono::duration_cast<Nanos>(milliseconds(400)), t + milliseconds(900)),
            Nanos(0));
}

TEST(Throttle, InactiveWhenNoLimitIsSet) {
  Throttle t(0, 0, 2);
  EXPECT_FALSE(t.active());
  t.OnRead(1 << 30);
  EXPECT_EQ(t.sleeps(), 0u);
}

}  // namespace
}  // namespace beffroi::host
