// Progress: a one-line progress display for long work (files, bytes, rate, ETA).
//
// It draws on the stream only when that stream is a terminal, so logs and pipes stay clean.
// Workers call Add() from any thread (lock-free counters); a background thread redraws the
// line four times a second. Stop() (or the destructor) erases the line. The total may be
// unknown at first (the walk is still running): the line then shows no ETA until SetTotal().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

namespace beffroi {

struct ProgressSnapshot {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  std::uint64_t total_files = 0;  // 0 = unknown yet
  std::uint64_t total_bytes = 0;  // 0 = unknown yet
  double elapsed_seconds = 0;
};

// "1,234 files  56.7 MiB  12.3 MiB/s  ETA 0:42" (pure; exposed for tests).
std::string FormatProgressLine(const std::string& label, const ProgressSnapshot& s);
// "56.7 MiB"
std::string FormatBytes(double bytes);

class Progress {
 public:
  // `enabled` lets the caller force it off (--quiet, --json); it is also off unless `stream`
  // is a terminal.
  Progress(std::string label, bool enabled, std::FILE* stream = stderr);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Add(std::uint64_t files, std::uint64_t bytes) {
    files_.fetch_add(files, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  void SetTotal(std::uint64_t files, std::uint64_t bytes) {
    total_files_.store(files, std::memory_order_relaxed);
    total_bytes_.store(bytes, std::memory_order_relaxed);
  }
  bool drawing() const { return drawing_; }
  void Stop();

  static bool IsTerminal(std::FILE* stream);

 private:
  void Loop();
  ProgressSnapshot Snapshot() const;

  std::string label_;
  std::FILE* stream_;
  bool drawing_;
  std::atomic<std::uint64_t> files_{0}, bytes_{0}, total_files_{0}, total_bytes_{0};
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace beffroi
