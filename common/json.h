// ParseJson: the one way Beffroi parses untrusted JSON text.
//
// It refuses nesting deeper than a limit before building anything (a deeply nested document
// would otherwise exhaust the stack when copied or destroyed), catches nlohmann's exceptions
// at this edge, and reports errors as "SOURCE: byte N: message" so a responder can find the
// fault. Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"

namespace beffroi {

// Our own documents (events, manifests, playbooks) never nest deeper than a dozen levels.
inline constexpr std::size_t kMaxJsonDepth = 64;

// `source` names the document in errors ("bundle/manifest.json"); "" leaves it out.
Result<nlohmann::json> ParseJson(std::string_view text, const std::string& source,
                                 std::size_t max_depth = kMaxJsonDepth);

}  // namespace beffroi
