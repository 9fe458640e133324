#include "analyzer/yara/check.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "analyzer/yara/compile.h"
#include "analyzer/yara/library.h"
#include "analyzer/yara/rule_info.h"
#include "analyzer/yara/sources.h"
#include "analyzer/yara/yara_api.h"

namespace beffroi::yara {

namespace {

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Collects the public rules that match an empty buffer.
int OnEmptyScan(YR_SCAN_CONTEXT* /*context*/, int message, void* message_data,
                void* user_data) noexcept {
  if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
  try {
    static_cast<std::vector<const YR_RULE*>*>(user_data)->push_back(
        static_cast<const YR_RULE*>(message_data));
    return CALLBACK_CONTINUE;
  } catch (...) {
    return CALLBACK_ERROR;
  }
}

struct MetaSeen {
  bool present[std::size(kRequiredMeta)] = {};
  std::optional<std::string> bad_score;
  std::optional<std::string> bad_date;
};

MetaSeen InspectMeta(const YR_RULE* rule) {
  MetaSeen seen;
  const YR_META* meta = nullptr;
  yr_rule_metas_foreach(rule, meta) {
    std::string_view id = meta->identifier;
    for (std::size_t i = 0; i < std::size(kRequiredMeta); ++i) {
      if (id == kRequiredMeta[i]) seen.present[i] = true;
    }
    if (id == "score") {
      std::optional<std::int64_t> value;
      std::string shown;
      if (meta->type == META_TYPE_INTEGER) {
        value = meta->integer;
        shown = std::to_string(meta->integer);
      } else if (meta->type == META_TYPE_STRING) {
        value = ParseScoreText(meta->string);
        shown = std::string("\"") + meta->string + "\"";
      }
      if (!value) {
        seen.bad_score = "score " + shown + " is not a number";
      } else if (*value < 0 || *value > 100) {
        seen.bad_score = "score " + shown + " is outside 0..100";
      }
    }
    if (id == "date" && (meta->type != META_TYPE_STRING || !IsIsoDate(meta->string))) {
      std::string shown = meta->type == META_TYPE_STRING ? meta->string : "(not a string)";
      seen.bad_date = "date \"" + shown + "\" is not YYYY-MM-DD";
    }
  }
  return seen;
}

void CheckFile(const RuleSource& source, std::vector<Diagnostic>* out) {
  std::vector<RuleSource> one{source};
  CompileOutput compiled = CompileSources(one);
  for (Diagnostic& d : compiled.diagnostics) {
    out->push_back(std::move(d));
  }
  if (!compiled.ok()) return;

  YR_RULES* rules = compiled.rules.get();
  auto warn = [&](const YR_RULE* rule, const std::string& text) {
    std::string name = rule->identifier;
    out->push_back(
        {source.path, FindRuleLine(source.text, name), "rule " + name + ": " + text, false});
  };
  const YR_RULE* rule = nullptr;
  yr_rules_foreach(rules, rule) {
    if (RULE_IS_PRIVATE(rule)) continue;
    MetaSeen seen = InspectMeta(rule);
    for (std::size_t i = 0; i < std::size(kRequiredMeta); ++i) {
      if (!seen.present[i]) warn(rule, std::string("missing meta \"") + kRequiredMeta[i] + "\"");
    }
    if (seen.bad_score) warn(rule, *seen.bad_score);
    if (seen.bad_date) warn(rule, *seen.bad_date);
  }

  std::vector<const YR_RULE*> empty_matches;
  static const std::uint8_t kNothing = 0;
  int rc = yr_rules_scan_mem(rules, &kNothing, 0, SCAN_FLAGS_REPORT_RULES_MATCHING, OnEmptyScan,
                             &empty_matches, 10);
  if (rc != ERROR_SUCCESS) {
    out->push_back({source.path, 0, "scanning an empty file: " + YaraErrorText(rc), false});
  }
  for (const YR_RULE* r : empty_matches) {
    warn(r, "matches an empty file, so it fires on every file");
  }
}

}  // namespace

std::size_t CheckReport::errors() const {
  return static_cast<std::size_t>(std::count_if(diagnostics.begin(), diagnostics.end(),
                                                [](const Diagnostic& d) { return d.error; }));
}

std::size_t CheckReport::warnings() const {
  return diagnostics.size() - errors();
}

Result<CheckReport> CheckRules(const std::vector<std::string>& paths) {
  if (!YaraLibraryAlive()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "yara: no YaraLibrary alive: call YaraLibrary::Init() first");
  }
  auto sources = ReadRuleSources(paths);
  if (!sources.ok()) return sources.error();
  CheckReport report;
  for (const RuleSource& source : *sources) {
    std::vector<Diagnostic> file_diagnostics;
    CheckFile(source, &file_diagnostics);
    std::stable_sort(file_diagnostics.begin(), file_diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    for (Diagnostic& d : file_diagnostics)
      report.diagnostics.push_back(std::move(d));
  }
  return report;
}

int FindRuleLine(std::string_view source, std::string_view name) {
  int line = 1;
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\n') {
      ++line;
      continue;
    }
    // "rule" as a whole word, white space, then exactly NAME.
    if (source.compare(i, 4, "rule") != 0) continue;
    if (i > 0 && IsIdentChar(source[i - 1])) continue;
    std::size_t j = i + 4;
    if (j >= source.size() || !IsBlank(source[j])) continue;
    while (j < source.size() && IsBlank(source[j]))
      ++j;
    if (source.compare(j, name.size(), name) != 0) continue;
    std::size_t end = j + name.size();
    if (end < source.size() && IsIdentChar(source[end])) continue;
    return line;
  }
  return 0;
}

}  // namespace beffroi::yara
