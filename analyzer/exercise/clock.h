// The scenario clock the facilitator controls: started, paused, sped up, or jumped forward to
// the next inject. Scenario time never runs backwards.
//
// A ClockState is a value: the scenario time elapsed at the moment it last changed (`anchor`,
// a wall-clock instant), whether it runs, and how fast. Every function takes the wall-clock
// `now` from the caller, so tests drive it without sleeping. Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace beffroi::exercise {

inline constexpr double kMinSpeed = 0.1;
inline constexpr double kMaxSpeed = 3600;  // an hour of scenario per second

struct ClockState {
  std::int64_t elapsed_ns = 0;  // scenario time at `anchor_ns`
  std::int64_t anchor_ns = 0;   // wall clock, Unix ns
  double speed = 1;
  bool running = false;
};

// Scenario time elapsed at wall time `now` (never before the anchor's).
std::int64_t Elapsed(const ClockState& c, std::int64_t now_ns);
ClockState Start(const ClockState& c, std::int64_t now_ns);
ClockState Pause(const ClockState& c, std::int64_t now_ns);
// Speed outside [kMinSpeed, kMaxSpeed] is clamped.
ClockState SetSpeed(const ClockState& c, double speed, std::int64_t now_ns);
// Moves scenario time forward to `elapsed_ns`; a target in the past leaves the clock as it is.
ClockState JumpTo(const ClockState& c, std::int64_t elapsed_ns, std::int64_t now_ns);

}  // namespace beffroi::exercise
