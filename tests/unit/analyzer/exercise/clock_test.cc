#include "analyzer/exercise/clock.h"

#include <gtest/gtest.h>

namespace beffroi::exercise {
namespace {

constexpr std::int64_t kSec = 1'000'000'000;

TEST(ScenarioClock, StandsStillUntilStarted) {
  ClockState c;
  c.anchor_ns = 100 * kSec;
  EXPECT_EQ(Elapsed(c, 500 * kSec), 0);
  c = Start(c, 100 * kSec);
  EXPECT_EQ(Elapsed(c, 160 * kSec), 60 * kSec);
}

TEST(ScenarioClock, PauseFreezesAndStartGoesOn) {
  ClockState c = Start(ClockState{}, 0);
  c = Pause(c, 30 * kSec);
  EXPECT_EQ(Elapsed(c, 1000 * kSec), 30 * kSec);
  c = Start(c, 1000 * kSec);
  EXPECT_EQ(Elapsed(c, 1010 * kSec), 40 * kSec);
}

TEST(ScenarioClock, SpeedMultipliesFromTheChange) {
  ClockState c = Start(ClockState{}, 0);
  c = SetSpeed(c, 4, 10 * kSec);
  EXPECT_EQ(Elapsed(c, 20 * kSec), 10 * kSec + 40 * kSec);
  EXPECT_EQ(SetSpeed(c, 1e9, 20 * kSec).speed, kMaxSpeed);
  EXPECT_EQ(SetSpeed(c, 0, 20 * kSec).speed, kMinSpeed);
}

TEST(ScenarioClock, JumpsOnlyForward) {
  ClockState c = Start(ClockState{}, 0);
  c = JumpTo(c, 3600 * kSec, 10 * kSec);
  EXPECT_EQ(Elapsed(c, 10 * kSec), 3600 * kSec);
  c = JumpTo(c, 5 * kSec, 20 * kSec);
  EXPECT_EQ(Elapsed(c, 20 * kSec), 3610 * kSec);
  // A wall clock that steps back never makes scenario time run backwards.
  EXPECT_EQ(Elapsed(c, 0), 3610 * kSec);
}

}  // namespace
}  // namespace beffroi::exercise
