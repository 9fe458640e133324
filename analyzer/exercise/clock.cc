#include "analyzer/exercise/clock.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace beffroi::exercise {

std::int64_t Elapsed(const ClockState& c, std::int64_t now_ns) {
  if (!c.running || now_ns <= c.anchor_ns) return c.elapsed_ns;
  double run = static_cast<double>(now_ns - c.anchor_ns) * c.speed;
  double total = static_cast<double>(c.elapsed_ns) + run;
  constexpr double kMax = static_cast<double>(std::numeric_limits<std::int64_t>::max() / 2);
  return total >= kMax ? static_cast<std::int64_t>(kMax) : static_cast<std::int64_t>(total);
}

namespace {
ClockState Rebase(const ClockState& c, std::int64_t now_ns) {
  ClockState out = c;
  out.elapsed_ns = Elapsed(c, now_ns);
  out.anchor_ns = std::max(now_ns, c.anchor_ns);
  return out;
}
}  // namespace

ClockState Start(const ClockState& c, std::int64_t now_ns) {
  ClockState out = Rebase(c, now_ns);
  out.running = true;
  return out;
}

ClockState Pause(const ClockState& c, std::int64_t now_ns) {
  ClockState out = Rebase(c, now_ns);
  out.running = false;
  return out;
}

ClockState SetSpeed(const ClockState& c, double speed, std::int64_t now_ns) {
  ClockState out = Rebase(c, now_ns);
  out.speed = std::isfinite(speed) ? std::clamp(speed, kMinSpeed, kMaxSpeed) : 1.0;
  return out;
}

ClockState JumpTo(const ClockState& c, std::int64_t elapsed_ns, std::int64_t now_ns) {
  ClockState out = Rebase(c, now_ns);
  out.elapsed_ns = std::max(out.elapsed_ns, elapsed_ns);
  return out;
}

}  // namespace beffroi::exercise
