#include "agents/host/sample_policy.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "common/file_type.h"
#include "common/text.h"

namespace beffroi::host {

namespace {

constexpr std::array<std::string_view, 14> kExecutableExtensions = {
    ".exe", ".dll", ".sys", ".scr", ".com", ".cpl", ".msi",
    ".ocx", ".drv", ".efi", ".so",  ".ko",  ".elf", ".appimage"};

// Scripts, including server-side pages used as web shells (T1505.003).
constexpr std::array<std::string_view, 26> kScriptExtensions = {
    ".ps1", ".psm1", ".psd1", ".vbs",  ".vbe",  ".js",  ".jse", ".wsf", ".wsh",
    ".hta", ".bat",  ".cmd",  ".sh",   ".py",   ".pl",  ".rb",  ".php", ".phtml",
    ".jsp", ".jspx", ".asp",  ".aspx", ".ashx", ".cfm", ".lnk", ".scf"};

// Formats whose name says "macros inside".
constexpr std::array<std::string_view, 10> kMacroExtensions = {
    ".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".pptm", ".potm", ".ppam", ".sldm", ".xlsb"};

// Formats that may carry macros without saying so: copy while reading, keep on a marker.
constexpr std::array<std::string_view, 9> kMaybeMacroExtensions = {
    ".doc", ".dot", ".xls", ".xlt", ".ppt", ".docx", ".xlsx", ".pptx", ".rtf"};

// Ransom-note names seen in the families that hit municipalities (Ryuk, Play, Royal, LockBit,
// SamSam, RobbinHood, WannaCry, Hydra...) plus the generic shapes "how to decrypt", "restore
// my files", "read me" next to a text or HTML extension.
constexpr std::array<const char*, 3> kRansomNotePatterns = {
    R"((ryuk|readme|read_me|read-me|read\.me|@please_read_me@|how.?to.?(decrypt|restore|recover|back)|decrypt|restore.?my.?files|recover.?(your|my)?.?files|sorry.?for.?files|help.?(decrypt|restore|help)|_help_|instructions?|ransom|your.?files).*\.(txt|html?|hta|rtf|url)$)",
    R"(^!+.*\.(txt|html?)$)",
    R"(^_?decrypt_?files?\.(txt|html?)$)",
};

bool Contains(std::span<const std::string_view> list, std::string_view ext) {
  return std::find(list.begin(), list.end(), ext) != list.end();
}

}  // namespace

std::optional<std::string> SamplePolicy::Validate(const SamplePolicyOptions& options) {
  for (const std::string& p : options.extra_name_patterns) {
    try {
      std::regex re(p, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error& e) {
      return "invalid --sample-name pattern \"" + p + "\": " + e.what();
    }
  }
  return std::nullopt;
}

SamplePolicy::SamplePolicy(SamplePolicyOptions options) : options_(std::move(options)) {
  constexpr auto kFlags = std::regex::ECMAScript | std::regex::icase | std::regex::optimize;
  for (const char* p : kRansomNotePatterns)
    name_patterns_.emplace_back(p, kFlags);
  for (const std::string& p : options_.extra_name_patterns) {
    try {
      name_patterns_.emplace_back(p, kFlags);
    } catch (const std::regex_error&) {
      // Validate() reports it to the user before construction; an invalid one is ignored here.
    }
  }
}

SampleChoice SamplePolicy::Decide(std::string_view name, std::string_view extension,
                                  std::string_view magic, std::uint64_t size, std::int64_t mtime_ns,
                                  std::int64_t ctime_ns) const {
  if (!options_.enabled || size > options_.max_size) return {};
  std::string ext = ToLowerAscii(extension);
  auto yes = [](std::string reason) {
    return SampleChoice{SampleDecision::kYes, std::move(reason)};
  };
  if (std::find(options_.extra_extensions.begin(), options_.extra_extensions.end(), ext) !=
      options_.extra_extensions.end()) {
    return yes("extension");
  }
  if (options_.executables && (magic == "pe" || magic == "elf" || magic == "macho" ||
                               Contains(kExecutableExtensions, ext))) {
    return yes("executable");
  }
  if (options_.scripts && (magic == "script" || Contains(kScriptExtensions, ext))) {
    return yes("script");
  }
  if (options_.macro_documents) {
    if (Contains(kMacroExtensions, ext)) return yes("macro_document");
    if ((magic == "ole2" || magic == "zip" || magic == "rtf") &&
        (Contains(kMaybeMacroExtensions, ext) || magic == "ole2")) {
      return {SampleDecision::kIfMacroMarker, "macro_document"};
    }
  }
  if (options_.ransom_notes && size <= 1024 * 1024) {
    std::string lower = ToLowerAscii(name);
    for (const std::regex& re : name_patterns_) {
      if (std::regex_search(lower, re)) return yes("ransom_note");
    }
  }
  if (options_.recent && options_.recent_since_ns != 0 &&
      std::max(mtime_ns, ctime_ns) >= options_.recent_since_ns) {
    return yes("recent");
  }
  return {};
}

bool SamplePolicy::ReserveBudget(std::uint64_t size) {
  std::uint64_t used = used_.load();
  do {
    if (size > options_.budget || used > options_.budget - size) {
      budget_skips_.fetch_add(1);
      return false;
    }
  } while (!used_.compare_exchange_weak(used, used + size));
  return true;
}

void SamplePolicy::ReleaseBudget(std::uint64_t size) {
  used_.fetch_sub(size);
}

void MacroMarkerScanner::Feed(std::span<const std::uint8_t> chunk) {
  if (found_ || chunk.empty()) return;
  static const std::string kOoxml = "vbaProject.bin";
  static const std::string kOle2("_\0V\0B\0A\0_\0P\0R\0O\0J\0E\0C\0T\0", 24);
  constexpr std::size_t kCarry = 23;  // longest marker - 1
  std::string_view body(reinterpret_cast<const char*>(chunk.data()), chunk.size());
  // The boundary: the carried tail of the previous chunk plus the head of this one.
  std::string boundary = carry_;
  boundary.append(body.substr(0, std::min(body.size(), kCarry)));
  auto has_marker = [&](std::string_view s) {
    return s.find(kOoxml) != std::string_view::npos || s.find(kOle2) != std::string_view::npos;
  };
  if (has_marker(boundary) || has_marker(body)) {
    found_ = true;
    carry_.clear();
    return;
  }
  if (body.size() >= kCarry) {
    carry_.assign(body.substr(body.size() - kCarry));
  } else {
    carry_ = boundary.size() > kCarry ? boundary.substr(boundary.size() - kCarry) : boundary;
  }
}

}  // namespace beffroi::host
