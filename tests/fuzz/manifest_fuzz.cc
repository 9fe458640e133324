// Fuzzes manifest parsing and validation (the bundle's chain-of-custody record is untrusted).
#include <cstdint>
#include <string>

#include "common/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return 0;
  auto m = beffroi::ManifestFromJson(j, "fuzz");
  if (m.ok()) {
    for (const auto& f : m->files) {
      if (!beffroi::IsSafeBundlePath(f.path)) __builtin_trap();  // validated paths must be safe
    }
    (void)beffroi::ManifestToJson(*m).dump();
  }
  return 0;
}
