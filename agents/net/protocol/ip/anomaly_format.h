// ReportAnomalyF: printf-style details for AnomalySink reports.
//
// Parsers of the packet layers (link, ip, transport) call it on the error path only, so the
// formatting cost never touches clean traffic. The detail is formatted into a stack buffer
// (truncated at 160 bytes) and is valid only during the sink's Report call, as AnomalySink
// requires. Stateless; thread-safe.
#pragma once

#include <algorithm>
#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <string_view>

#include "agents/net/protocol/anomaly.h"

namespace beffroi::net {

[[gnu::format(printf, 3, 4)]] inline void ReportAnomalyF(AnomalySink& sink, std::string_view name,
                                                         const char* format, ...) {
  char detail[160];
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(detail, sizeof detail, format, args);
  va_end(args);
  const std::size_t length = n < 0 ? 0 : std::min(static_cast<std::size_t>(n), sizeof detail - 1);
  sink.Report(name, std::string_view(detail, length));
}

}  // namespace beffroi::net
