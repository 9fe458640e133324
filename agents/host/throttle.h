// Throttle: keeps the agent inside the CPU and disk-read budgets a production server can spare
// (--max-cpu PCT of the whole machine, --max-read-mbps MB/s).
//
// Workers call OnRead(bytes) after each chunk; it sleeps the calling thread as long as needed.
// The decisions are made by two small pure-ish classes that take the clock as an argument, so
// their arithmetic is unit-tested without timing anything. Throttle is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>

namespace beffroi::host {

using Clock = std::chrono::steady_clock;
using Nanos = std::chrono::nanoseconds;

// Generic cell rate: bytes are admitted at `bytes_per_second` with a burst of `burst` seconds.
class RateLimiter {
 public:
  RateLimiter(double bytes_per_second, double burst_seconds = 0.25);
  // Records `bytes` read at `now` and returns how long the reader must now sleep.
  Nanos Admit(std::uint64_t bytes, Clock::time_point now);

 private:
  double rate_;
  Nanos burst_;
  Clock::time_point next_free_{};
};

// Keeps used CPU time <= percent/100 * cores * wall time over a rolling one-second window.
class CpuGovernor {
 public:
  CpuGovernor(double percent_of_machine, unsigned cores);
  // `cpu_used` is the process's CPU time so far; returns how long to pause.
  Nanos Check(Nanos cpu_used, Clock::time_point now);

 private:
  double share_;  // CPU seconds allowed per wall second
  bool started_ = false;
  Clock::time_point window_start_{};
  Nanos window_cpu_start_{0};
};

class Throttle {
 public:
  // 0 disables a limit.
  Throttle(double max_cpu_percent, double max_read_mbps, unsigned cores);
  void OnRead(std::uint64_t bytes);
  bool active() const { return cpu_ != nullptr || rate_ != nullptr; }
  std::uint64_t sleeps() const;

 private:
  static Nanos ProcessCpuTime();
  mutable std::mutex mu_;
  std::unique_ptr<CpuGovernor> cpu_;
  std::unique_ptr<RateLimiter> rate_;
  Clock::time_point last_cpu_check_{};
  Clock::time_point paused_until_{};
  std::uint64_t sleeps_ = 0;
};

}  // namespace beffroi::host
