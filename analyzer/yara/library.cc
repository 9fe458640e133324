#include "analyzer/yara/library.h"

#include <atomic>

#include "analyzer/yara/handles.h"
#include "analyzer/yara/yara_api.h"

namespace beffroi::yara {

namespace {

std::atomic<bool> g_alive{false};

}  // namespace

Result<std::unique_ptr<YaraLibrary>> YaraLibrary::Init() {
  bool expected = false;
  if (!g_alive.compare_exchange_strong(expected, true)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "yara: library already initialised: create one YaraLibrary per process");
  }
  int rc = yr_initialize();
  if (rc != ERROR_SUCCESS) {
    g_alive.store(false);
    return MakeError(ErrorCode::kInternal, "yara: yr_initialize failed: " + YaraErrorText(rc));
  }
  return std::unique_ptr<YaraLibrary>(new YaraLibrary());
}

YaraLibrary::~YaraLibrary() {
  yr_finalize();
  g_alive.store(false);
}

std::string_view YaraLibrary::Version() {
  return YR_VERSION;
}

bool YaraLibraryAlive() {
  return g_alive.load();
}

}  // namespace beffroi::yara
