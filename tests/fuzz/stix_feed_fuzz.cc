// Fuzzes the STIX 2.1 readers: the input is read as a bundle and, whole, as a pattern. Every
// accepted comparison must name a known indicator type; nothing may crash or hang.
#include <cstdint>
#include <string_view>

#include "analyzer/ioc/feed.h"
#include "analyzer/ioc/stix_pattern.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  beffroi::ioc::FeedContent content;
  beffroi::ioc::ParseStixBundle("fuzz.json", text, content);
  for (const auto& i : content.indicators) {
    if (!beffroi::ioc::IsIndicatorType(i.type) || i.value.empty()) __builtin_trap();
  }
  auto pattern = beffroi::ioc::ParseStixPattern(text);
  if (pattern.ok()) {
    if (pattern->empty() || pattern->size() > beffroi::ioc::kMaxStixComparisons) __builtin_trap();
    for (const auto& c : *pattern)
      if (!beffroi::ioc::IsIndicatorType(c.type)) __builtin_trap();
  } else if (pattern.error().message.rfind("position ", 0) != 0) {
    __builtin_trap();  // every refusal says where
  }
  return 0;
}
