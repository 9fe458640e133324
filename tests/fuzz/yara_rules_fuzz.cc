// Fuzzes rule compilation (RuleSet::Compile: lexer, parser, meta extraction) and, when the
// text compiles, one scan of the text itself with tight limits (the callback, match caps,
// string identifiers). Inputs above 64 KiB are skipped: rule files that large are not what
// the compiler's corner cases need, and they slow the fuzzer down.
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "analyzer/yara/yara.h"

namespace {

constexpr std::size_t kMaxInputBytes = 64 * 1024;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace beffroi::yara;
  static std::unique_ptr<YaraLibrary> library = [] {
    auto lib = YaraLibrary::Init();
    return lib.ok() ? std::move(lib).value() : nullptr;
  }();
  if (library == nullptr) __builtin_trap();
  if (size > kMaxInputBytes) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto set = RuleSet::Compile(text, "fuzz.yar");
  if (!set.ok()) {
    if (set.error().message.empty()) __builtin_trap();
    return 0;
  }
  for (const RuleInfo& r : (*set)->rules()) {
    if (r.score < 0 || r.score > 100 || r.name.empty()) __builtin_trap();
  }
  auto scanner = Scanner::Create(*set, ScanLimits{1, 4});
  if (!scanner.ok()) __builtin_trap();
  Externals ex;
  ex.filename = "fuzz.yar";
  ex.extension = ".yar";
  auto result = (*scanner)->ScanBuffer(std::span<const std::uint8_t>(data, size), ex);
  if (result.ok() && result->matches.size() > 4) __builtin_trap();
  return 0;
}
