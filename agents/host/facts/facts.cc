#include "agents/host/facts/facts.h"

#include <exception>
#include <string>

#include "agents/host/facts/collector.h"

namespace beffroi::host::facts {

namespace {

struct NamedCollector {
  std::string_view name;
  void (*run)(CollectorContext&);
};

// Order matters only for readability of the output: what the host is, then who, then what runs.
constexpr NamedCollector kCollectors[] = {
    {"host", CollectHost},           {"users", CollectUsers},      {"processes", CollectProcesses},
    {"sockets", CollectSockets},     {"persistence", CollectCron}, {"persistence", CollectSystemd},
    {"persistence", CollectRcLocal},
};

}  // namespace

FactsSummary CollectHostFacts(const FactsOptions& options, const std::function<void(Event)>& emit) {
  FactsSummary summary;
  CollectorContext ctx(options, emit, summary);
  for (const NamedCollector& collector : kCollectors) {
    // No exception crosses this API: an allocation failure or a JSON error in one collector
    // becomes its anomaly, and the next collector still runs.
    try {
      collector.run(ctx);
    } catch (const std::exception& e) {
      try {
        ctx.Fail(collector.name, std::string("internal error: ") + e.what());
      } catch (...) {
        ++summary.collector_failures;  // even the anomaly could not be emitted
      }
    }
  }
  return summary;
}

}  // namespace beffroi::host::facts
