// Helpers shared by the IP tests: hex fixtures and a sink that records anomalies.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agents/net/protocol/anomaly.h"

namespace beffroi::net::fixtures {

// Hex digits to bytes; whitespace is ignored so fixtures can be grouped by field.
inline std::vector<std::uint8_t> Hex(std::string_view text) {
  std::vector<std::uint8_t> out;
  int high = -1;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    const int v =
        std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  EXPECT_LT(high, 0) << "odd number of hex digits";
  return out;
}

class RecordingSink : public AnomalySink {
 public:
  void Report(std::string_view name, std::string_view detail) override {
    names.emplace_back(name);
    details.emplace_back(detail);
  }
  bool Has(std::string_view name) const {
    return std::find(names.begin(), names.end(), name) != names.end();
  }
  std::vector<std::string> names;
  std::vector<std::string> details;
};

}  // namespace beffroi::net::fixtures
