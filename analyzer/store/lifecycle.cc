#include "analyzer/store/lifecycle.h"

#include <algorithm>
#include <string>

#include "analyzer/store/rows.h"

namespace beffroi::store {

namespace {

constexpr std::string_view kLifecycle[] = {kStatusNew,          kStatusTriaged,   kStatusContained,
                                           kStatusEradicated,   kStatusRecovered, kStatusClosed,
                                           kStatusFalsePositive};

// Position in the lifecycle; false-positive ranks with closed (both end the incident).
int Rank(std::string_view status) {
  if (status == kStatusFalsePositive) return 5;
  auto it = std::find(std::begin(kLifecycle), std::end(kLifecycle), status);
  return it == std::end(kLifecycle) ? -1 : static_cast<int>(it - std::begin(kLifecycle));
}

Error Refuse(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

std::span<const std::string_view> LifecycleStatuses() {
  return kLifecycle;
}

std::string_view LifecycleStatusList() {
  return "new, triaged, contained, eradicated, recovered, closed, false-positive";
}

bool IsOpenStatus(std::string_view status) {
  return status != kStatusClosed && status != kStatusFalsePositive && status != kStatusMerged;
}

Status CheckTransition(std::string_view from, std::string_view to, bool reopen,
                       std::string_view reason) {
  const std::string f(from), t(to);
  if (Rank(to) < 0) {
    return Refuse("status \"" + t + "\" is not one of " + std::string(LifecycleStatusList()));
  }
  if (from == kStatusMerged) {
    return Refuse("the incident was merged into another; change that one instead");
  }
  if (Rank(from) < 0) {
    // A status from an older schema or a hand edit: any lifecycle status may replace it.
    return OkStatus();
  }
  if (from == to) return Refuse("the incident is already " + t);
  bool has_reason = reason.find_first_not_of(" \t\r\n") != std::string_view::npos;
  if (to == kStatusFalsePositive && !has_reason) {
    return Refuse(
        "a false positive needs a reason (--reason TEXT): the next responder must "
        "know why it was dismissed");
  }
  bool from_closed = !IsOpenStatus(from);
  bool backwards = from_closed || Rank(to) < Rank(from);
  if (from_closed && !IsOpenStatus(to)) {
    return Refuse("the incident is " + f + "; reopen it first (--status new|triaged|... --reopen)");
  }
  if (backwards && !reopen) {
    return Refuse("moving from " + f + " back to " + t +
                  " reopens the incident: add --reopen and a --reason");
  }
  if (backwards && !has_reason) {
    return Refuse("reopening (" + f + " -> " + t + ") needs a reason (--reason TEXT)");
  }
  return OkStatus();
}

}  // namespace beffroi::store
