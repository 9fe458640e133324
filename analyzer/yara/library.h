// YaraLibrary: libyara's process-wide initialisation (yr_initialize / yr_finalize).
//
// Exactly one YaraLibrary may exist at a time in a process; create it in main() before any
// RuleSet, Scanner or CheckRules call, and destroy it after the last of them is gone (those
// calls return an Error while no library is alive, rather than crashing inside libyara).
// Init and destruction are not meant to race with each other; everything else in this folder
// may run on any thread while the library is alive.
#pragma once

#include <memory>
#include <string_view>

#include "common/result.h"

namespace beffroi::yara {

class YaraLibrary {
 public:
  // Fails with kInvalidArgument if a YaraLibrary is already alive, or kInternal if libyara
  // cannot initialise.
  static Result<std::unique_ptr<YaraLibrary>> Init();

  ~YaraLibrary();
  YaraLibrary(const YaraLibrary&) = delete;
  YaraLibrary& operator=(const YaraLibrary&) = delete;

  // libyara's version, "4.2.3"; part of the compiled-rules cache key.
  static std::string_view Version();

 private:
  YaraLibrary() = default;
};

// True while a YaraLibrary is alive. For this folder's factories, which refuse to touch
// libyara otherwise.
bool YaraLibraryAlive();

}  // namespace beffroi::yara
