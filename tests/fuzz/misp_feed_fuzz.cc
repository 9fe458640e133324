// Fuzzes the MISP event reader (with its JSON salvage) and the warninglist parser: any bytes
// must give a FeedContent whose indicators are canonical values of known types, bounded
// warnings, and no crash or hang.
#include <cstdint>
#include <string_view>

#include "analyzer/ioc/feed.h"
#include "analyzer/ioc/warninglist.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  beffroi::ioc::FeedContent content;
  beffroi::ioc::ParseMispEvent("fuzz.json", text, content);
  if (content.warnings.size() > beffroi::ioc::kMaxFeedWarnings) __builtin_trap();
  for (const auto& i : content.indicators) {
    if (!beffroi::ioc::IsIndicatorType(i.type) || i.value.empty()) __builtin_trap();
    auto again = beffroi::ioc::CanonicalIndicator(i.type, i.value);
    if (!again.ok() || *again != i.value) __builtin_trap();  // canonical means idempotent
  }
  beffroi::ioc::Warninglist list;
  list.LoadText("fuzz.txt", text);
  for (const auto& i : content.indicators)
    (void)list.Covers(i);
  return 0;
}
