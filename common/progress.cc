#include "common/progress.h"

#include <unistd.h>

#include <chrono>

namespace beffroi {

std::string FormatBytes(double bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024.0 && unit < 4) {
    bytes /= 1024.0;
    ++unit;
  }
  char buf[32];
  if (unit == 0) {
    std::snprintf(buf, sizeof buf, "%.0f %s", bytes, kUnits[unit]);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", bytes, kUnits[unit]);
  }
  return buf;
}

std::string FormatProgressLine(const std::string& label, const ProgressSnapshot& s) {
  char buf[256];
  double rate = s.elapsed_seconds > 0 ? static_cast<double>(s.bytes) / s.elapsed_seconds : 0;
  std::string line = label + "  ";
  if (s.total_files > 0) {
    std::snprintf(buf, sizeof buf, "%llu/%llu files", static_cast<unsigned long long>(s.files),
                  static_cast<unsigned long long>(s.total_files));
  } else {
    std::snprintf(buf, sizeof buf, "%llu files", static_cast<unsigned long long>(s.files));
  }
  line += buf;
  line += "  " + FormatBytes(static_cast<double>(s.bytes));
  line += "  " + FormatBytes(rate) + "/s";
  if (s.total_bytes > 0 && rate > 0 && s.total_bytes >= s.bytes) {
    auto eta = static_cast<unsigned long long>(static_cast<double>(s.total_bytes - s.bytes) / rate);
    std::snprintf(buf, sizeof buf, "  ETA %llu:%02llu", eta / 60, eta % 60);
    line += buf;
  } else if (s.total_files == 0) {
    line += "  (still walking)";
  }
  return line;
}

bool Progress::IsTerminal(std::FILE* stream) {
  return stream != nullptr && ::isatty(::fileno(stream)) == 1;
}

Progress::Progress(std::string label, bool enabled, std::FILE* stream)
    : label_(std::move(label)),
      stream_(stream),
      drawing_(enabled && IsTerminal(stream)),
      start_(std::chrono::steady_clock::now()) {
  if (drawing_) thread_ = std::thread([this] { Loop(); });
}

Progress::~Progress() {
  Stop();
}

ProgressSnapshot Progress::Snapshot() const {
  ProgressSnapshot s;
  s.files = files_.load(std::memory_order_relaxed);
  s.bytes = bytes_.load(std::memory_order_relaxed);
  s.total_files = total_files_.load(std::memory_order_relaxed);
  s.total_bytes = total_bytes_.load(std::memory_order_relaxed);
  s.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return s;
}

void Progress::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(250));
    if (stop_) break;
    std::fprintf(stream_, "\r\033[K%s", FormatProgressLine(label_, Snapshot()).c_str());
    std::fflush(stream_);
  }
}

void Progress::Stop() {
  if (!drawing_) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::fprintf(stream_, "\r\033[K");
  std::fflush(stream_);
}

}  // namespace beffroi
