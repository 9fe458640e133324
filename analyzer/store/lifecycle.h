// The incident lifecycle: which status changes a responder may make.
//
// Forward moves along new -> triaged -> contained -> eradicated -> recovered -> closed are
// free, skipping phases included (a PC reimaged at once goes from triaged to recovered).
// false-positive can be reached from any open status and needs a reason. Moving back, to an
// earlier phase or out of closed/false-positive, is a reopening: it must be asked for
// explicitly (`reopen`) and given a reason, so that the audit log says why. "merged" is set by
// Store::MergeIncidents only, and a merged incident changes no more. Pure functions;
// thread-safe.
#pragma once

#include <span>
#include <string_view>

#include "common/result.h"

namespace beffroi::store {

// new, triaged, contained, eradicated, recovered, closed, false-positive: what
// `incidents update --status` accepts, in lifecycle order.
std::span<const std::string_view> LifecycleStatuses();
// "new, triaged, ..., false-positive" for messages and --help.
std::string_view LifecycleStatusList();
// Neither closed, false-positive nor merged.
bool IsOpenStatus(std::string_view status);

// OK, or kInvalidArgument saying what is wrong and what to do instead.
Status CheckTransition(std::string_view from, std::string_view to, bool reopen,
                       std::string_view reason);

}  // namespace beffroi::store
