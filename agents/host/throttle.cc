#include "agents/host/throttle.h"

#include <time.h>

#include <algorithm>
#include <thread>

namespace beffroi::host {

RateLimiter::RateLimiter(double bytes_per_second, double burst_seconds)
    : rate_(bytes_per_second),
      burst_(std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(burst_seconds))) {}

Nanos RateLimiter::Admit(std::uint64_t bytes, Clock::time_point now) {
  if (rate_ <= 0) return Nanos(0);
  auto cost = std::chrono::duration_cast<Nanos>(
      std::chrono::duration<double>(static_cast<double>(bytes) / rate_));
  next_free_ = std::max(next_free_, now - burst_) + cost;
  return next_free_ > now ? next_free_ - now : Nanos(0);
}

CpuGovernor::CpuGovernor(double percent_of_machine, unsigned cores)
    : share_(std::clamp(percent_of_machine, 1.0, 100.0) / 100.0 * std::max(1u, cores)) {}

Nanos CpuGovernor::Check(Nanos cpu_used, Clock::time_point now) {
  constexpr Nanos kWindow = std::chrono::seconds(1);
  if (!started_ || now - window_start_ > kWindow) {
    // Open a new window; whatever was used before it is history.
    started_ = true;
    window_start_ = now;
    window_cpu_start_ = cpu_used;
    return Nanos(0);
  }
  double used = std::chrono::duration<double>(cpu_used - window_cpu_start_).count();
  double wall = std::chrono::duration<double>(now - window_start_).count();
  // The wall time at which `used` CPU seconds fit the share.
  double needed_wall = used / share_;
  if (needed_wall <= wall) return Nanos(0);
  return std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(needed_wall - wall));
}

Throttle::Throttle(double max_cpu_percent, double max_read_mbps, unsigned cores) {
  if (max_cpu_percent > 0) cpu_ = std::make_unique<CpuGovernor>(max_cpu_percent, cores);
  if (max_read_mbps > 0) rate_ = std::make_unique<RateLimiter>(max_read_mbps * 1e6);
}

Nanos Throttle::ProcessCpuTime() {
  struct timespec ts {};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + Nanos(ts.tv_nsec);
}

void Throttle::OnRead(std::uint64_t bytes) {
  if (!active()) return;
  Nanos wait(0);
  {
    std::lock_guard<std::mutex> lock(mu_);
    Clock::time_point now = Clock::now();
    if (rate_) wait = std::max(wait, rate_->Admit(bytes, now));
    // Reading the process CPU clock costs a syscall; 20 checks a second are plenty.
    if (cpu_ && now - last_cpu_check_ >= std::chrono::milliseconds(50)) {
      last_cpu_check_ = now;
      Nanos pause = cpu_->Check(ProcessCpuTime(), now);
      // Every worker honours the pause, not only the one that noticed the overrun.
      if (pause > Nanos(0)) paused_until_ = std::max(paused_until_, now + pause);
    }
    if (paused_until_ > now) wait = std::max(wait, Nanos(paused_until_ - now));
    if (wait > Nanos(0)) {
      ++sleeps_;
    }
  }
  if (wait > Nanos(0)) std::this_thread::sleep_for(std::min<Nanos>(wait, std::chrono::seconds(5)));
}

std::uint64_t Throttle::sleeps() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sleeps_;
}

}  // namespace beffroi::host
