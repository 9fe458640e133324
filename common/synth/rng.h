// Deterministic pseudo-random numbers for the capture generator (SplitMix64): the same seed
// gives the same bytes on every machine and every run, which fixtures and the benchmark
// capture rely on. Not cryptographic. Not thread-safe (one instance per user).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/synth/bytes.h"

namespace beffroi::synth {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0. The modulo bias is irrelevant for test traffic.
  std::uint32_t Below(std::uint32_t n) { return static_cast<std::uint32_t>(Next() % n); }
  // True with probability n/1000.
  bool PerMille(std::uint32_t n) { return Below(1000) < n; }
  void Fill(Bytes& out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(static_cast<std::uint8_t>(Next() >> 56));
    }
  }

 private:
  std::uint64_t state_;
};

}  // namespace beffroi::synth
