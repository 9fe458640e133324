// Internal to analyzer/store: what feeds.cc and observations.cc share.
#pragma once

#include <string>

#include "common/result.h"

namespace beffroi::store {

// "what: detail", keeping the error code.
inline Error Context(const std::string& what, const Error& e) {
  return MakeError(e.code, what + ": " + e.message);
}

}  // namespace beffroi::store
