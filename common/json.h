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

// Where a ParseJson error (made with source "") falls in `text`: the 1-based line of the byte
// it names (1 when it names none) and the message without its "byte N: " prefix. For loaders
// whose users fix files by line ("playbook.json:12: ...").
struct JsonErrorLine {
  std::size_t line = 1;
  std::string message;
};
JsonErrorLine LocateJsonError(std::string_view text, const std::string& parse_error);

// 1-based line of byte `offset` (1-based, as ParseJson reports it) in `text`.
std::size_t LineOfByte(std::string_view text, std::size_t offset);

}  // namespace beffroi
