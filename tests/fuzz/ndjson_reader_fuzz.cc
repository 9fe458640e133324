// Fuzzes the NDJSON event reader over an arbitrary file.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "common/event.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/beffroi_fuzz_ndjson_" + std::to_string(::getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  if (size > 0) std::fwrite(data, 1, size, f);
  std::fclose(f);
  auto reader = beffroi::NdjsonReader::Open(path);
  if (reader.ok()) {
    for (int i = 0; i < 100000; ++i) {
      auto ev = (*reader)->Next();
      if (ev.ok() && !ev->has_value()) break;
      if (ev.ok()) (void)(**ev).Serialize();
    }
  }
  std::remove(path.c_str());
  return 0;
}
