// SamplePolicy: decides which files the host agent copies into the bundle as samples.
//
// Picks executables (by magic bytes or extension), scripts (shebang or extension, web shells
// included), office documents with macros, files whose names look like ransom notes, and
// recently modified files, each under a size cap and within a total budget. Office files of a
// macro-capable format without a macro-enabled extension are "maybe": the collector copies
// them while reading and keeps the copy only if a VBA project marker shows up in the bytes.
// Immutable after construction; Decide() is thread-safe. The budget is an atomic counter.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace beffroi::host {

struct SamplePolicyOptions {
  bool enabled = true;
  std::uint64_t max_size = 16ULL << 20;  // per sample
  std::uint64_t budget = 1ULL << 30;     // all samples together
  bool executables = true;
  bool scripts = true;
  bool macro_documents = true;
  bool ransom_notes = true;
  bool recent = true;
  std::int64_t recent_since_ns = 0;              // mtime or ctime at or after this counts as recent
  std::vector<std::string> extra_extensions;     // lower case, with the dot: always sampled
  std::vector<std::string> extra_name_patterns;  // ECMAScript regex, case-insensitive
};

enum class SampleDecision { kNo, kYes, kIfMacroMarker };

struct SampleChoice {
  SampleDecision decision = SampleDecision::kNo;
  std::string
      reason;  // "executable", "script", "macro_document", "ransom_note", "recent", "extension"
};

class SamplePolicy {
 public:
  // Fails only for an extra name pattern that is not a valid regex (message names it).
  static std::optional<std::string> Validate(const SamplePolicyOptions& options);
  explicit SamplePolicy(SamplePolicyOptions options);

  // `name` is the base name, `extension` lower case with the dot (may be empty), `magic` the
  // DetectFileType result, times in Unix ns.
  SampleChoice Decide(std::string_view name, std::string_view extension, std::string_view magic,
                      std::uint64_t size, std::int64_t mtime_ns, std::int64_t ctime_ns) const;

  // Reserves `size` bytes of the total budget; false when it would be exceeded.
  bool ReserveBudget(std::uint64_t size);
  void ReleaseBudget(std::uint64_t size);
  std::uint64_t budget_skips() const { return budget_skips_.load(); }
  const SamplePolicyOptions& options() const { return options_; }

 private:
  SamplePolicyOptions options_;
  std::vector<std::regex> name_patterns_;
  std::atomic<std::uint64_t> used_{0};
  std::atomic<std::uint64_t> budget_skips_{0};
};

// Finds the VBA project markers of OOXML ("vbaProject.bin" in a ZIP name) and OLE2
// ("_VBA_PROJECT" as a UTF-16LE directory name) in a stream fed chunk by chunk; a marker split
// across two chunks is still found.
class MacroMarkerScanner {
 public:
  void Feed(std::span<const std::uint8_t> chunk);
  bool found() const { return found_; }

 private:
  std::string carry_;
  bool found_ = false;
};

}  // namespace beffroi::host
