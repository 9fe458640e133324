// ParseJsonSalvage: JSON parsing that keeps what was complete before an error.
//
// Internal to beffroi_ioc. Feeds arrive truncated (an interrupted download, a full disk): a
// STIX bundle cut in its ten-thousandth object still holds 9,999 good indicators. The parser
// builds the document as nlohmann's DOM parser does and, at the first syntax error, drops the
// array element that was being built (and everything after it) but keeps every element that
// was already complete, along with the members of the enclosing objects. Depth is bounded
// (kMaxJsonDepth) so a hostile "[[[[..." cannot exhaust the stack. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace beffroi::ioc {

inline constexpr std::size_t kMaxJsonDepth = 64;

struct SalvagedJson {
  nlohmann::json value;  // the whole document, or what was complete before `error`
  bool complete = true;
  std::string error;       // "syntax error at byte 1234: unexpected end of input"
  std::size_t offset = 0;  // byte of the error
};

SalvagedJson ParseJsonSalvage(std::string_view text);

}  // namespace beffroi::ioc
