// Fuzzes the text helpers that see user and file input: UTF-8 repair, dates, sizes, file type.
#include <cstdint>
#include <string>

#include "common/file_type.h"
#include "common/text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  std::string repaired = beffroi::ToValidUtf8(s);
  if (!beffroi::IsValidUtf8(repaired)) __builtin_trap();
  (void)beffroi::ParseDateOrAge(s, 0);
  (void)beffroi::ParseByteSize(s);
  (void)beffroi::DetectFileType({data, size});
  (void)beffroi::ShannonEntropy({data, size});
  return 0;
}
