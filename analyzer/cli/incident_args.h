// What the `beffroi incidents` subcommands share: incident numbers and exit codes for store
// errors. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/cli/context.h"
#include "analyzer/store/rows.h"

namespace beffroi::cli {

// A positive decimal incident or detection number, nothing else ("3", not "3x", "-1" or "0").
std::optional<std::int64_t> ParseId(const std::string& text);
// "4,7,9" (spaces allowed after commas) into numbers; nullopt if any part is not one.
std::optional<std::vector<std::int64_t>> ParseIdList(const std::string& text);
// kInvalidArgument: usage (2); kConflict: kExitConflict (5); anything else: 1.
int StoreErrorExit(const Error& error);

}  // namespace beffroi::cli
