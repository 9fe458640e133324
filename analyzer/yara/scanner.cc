#include "analyzer/yara/scanner.h"

#include <algorithm>
#include <optional>

#include "analyzer/yara/library.h"
#include "analyzer/yara/yara_api.h"

namespace beffroi::yara {

namespace {

struct ScanState {
  const RuleSet* set = nullptr;
  ScanResult* result = nullptr;
  std::size_t max_matches = 0;
  std::optional<Error> error;
};

std::vector<std::string> MatchedStrings(YR_SCAN_CONTEXT* context, const YR_RULE* rule) {
  std::vector<std::string> ids;
  const YR_STRING* string = nullptr;
  yr_rule_strings_foreach(rule, string) {
    if (ids.size() == kMaxStringsPerMatch) break;
    // The match count, not the match list: libyara 4.2 allocates YR_MATCH records in a
    // notebook without aligning them, and walking them is undefined behaviour (UBSan says
    // so). Private strings ($a = "x" private) are never reported, as in the yara CLI.
    if (STRING_IS_PRIVATE(string) || context->matches[string->idx].count <= 0) continue;
    // Modifiers such as base64 can expand one identifier into several strings.
    if (std::find(ids.begin(), ids.end(), string->identifier) == ids.end()) {
      ids.emplace_back(string->identifier);
    }
  }
  return ids;
}

}  // namespace

Result<std::unique_ptr<Scanner>> Scanner::Create(std::shared_ptr<const RuleSet> rules,
                                                 ScanLimits limits) {
  if (!YaraLibraryAlive()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "yara: no YaraLibrary alive: call YaraLibrary::Init() first");
  }
  if (rules == nullptr) return MakeError(ErrorCode::kInvalidArgument, "yara scanner: no rules");
  if (limits.timeout_seconds < 0 || limits.max_matches < 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "yara scanner: timeout must be >= 0 and max_matches >= 1");
  }
  YR_SCANNER* raw = nullptr;
  int rc = yr_scanner_create(rules->yr_rules(), &raw);
  if (rc != ERROR_SUCCESS) {
    return MakeError(ErrorCode::kInternal, "yara: yr_scanner_create: " + YaraErrorText(rc));
  }
  YrScannerPtr scanner(raw);
  yr_scanner_set_timeout(scanner.get(), limits.timeout_seconds);
  yr_scanner_set_flags(scanner.get(), SCAN_FLAGS_REPORT_RULES_MATCHING);
  return std::unique_ptr<Scanner>(new Scanner(std::move(rules), std::move(scanner), limits));
}

Scanner::Scanner(std::shared_ptr<const RuleSet> rules, YrScannerPtr scanner, ScanLimits limits)
    : rules_(std::move(rules)), scanner_(std::move(scanner)), limits_(limits) {}

Status Scanner::SetExternals(const Externals& externals) {
  for (std::string_view name : kExternalNames) {
    std::string id(name);
    int rc = yr_scanner_define_string_variable(scanner_.get(), id.c_str(),
                                               ExternalValue(externals, name).c_str());
    if (rc != ERROR_SUCCESS) {
      return MakeError(ErrorCode::kInternal,
                       "yara scan: setting external " + id + ": " + YaraErrorText(rc));
    }
  }
  return OkStatus();
}

template <typename ScanCall>
Result<ScanResult> Scanner::Run(ScanCall&& scan) {
  ScanResult result;
  ScanState state;
  state.set = rules_.get();
  state.result = &result;
  state.max_matches = static_cast<std::size_t>(limits_.max_matches);
  yr_scanner_set_callback(scanner_.get(), OnScanMessage, &state);
  int rc = scan();
  yr_scanner_set_callback(scanner_.get(), nullptr, nullptr);
  if (state.error) return *state.error;
  switch (rc) {
    case ERROR_SUCCESS:
      break;
    case ERROR_SCAN_TIMEOUT:
      result.timed_out = true;
      break;
    case ERROR_TOO_MANY_MATCHES:
      result.match_cap_reached = true;
      break;
    case ERROR_COULD_NOT_MAP_FILE:
    case ERROR_COULD_NOT_OPEN_FILE:
    case ERROR_COULD_NOT_READ_FILE:
      return MakeError(ErrorCode::kIo, "yara scan: " + YaraErrorText(rc));
    default:
      return MakeError(ErrorCode::kInternal, "yara scan: " + YaraErrorText(rc));
  }
  return result;
}

Result<ScanResult> Scanner::ScanBuffer(std::span<const std::uint8_t> data,
                                       const Externals& externals) {
  Status s = SetExternals(externals);
  if (!s.ok()) return s.error();
  return Run([&] { return yr_scanner_scan_mem(scanner_.get(), data.data(), data.size()); });
}

Result<ScanResult> Scanner::ScanFd(int fd, const Externals& externals) {
  if (fd < 0) return MakeError(ErrorCode::kInvalidArgument, "yara scan: invalid descriptor");
  Status s = SetExternals(externals);
  if (!s.ok()) return s.error();
  return Run([&] { return yr_scanner_scan_fd(scanner_.get(), fd); });
}

int Scanner::OnScanMessage(YR_SCAN_CONTEXT* context, int message, void* message_data,
                           void* user_data) noexcept {
  auto* state = static_cast<ScanState*>(user_data);
  try {
    if (message == CALLBACK_MSG_TOO_MANY_MATCHES) {
      // libyara stops recording this string and goes on: the rule may still match.
      state->result->match_cap_reached = true;
      return CALLBACK_CONTINUE;
    }
    if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
    if (state->result->matches.size() >= state->max_matches) {
      state->result->match_cap_reached = true;
      return CALLBACK_ABORT;
    }
    const auto* rule = static_cast<const YR_RULE*>(message_data);
    const RuleInfo* info = state->set->InfoFor(rule);
    if (info == nullptr) {
      state->error = MakeError(ErrorCode::kInternal, "yara scan: matched rule not in the set");
      return CALLBACK_ERROR;
    }
    state->result->matches.push_back(Match{info, MatchedStrings(context, rule)});
    return CALLBACK_CONTINUE;
  } catch (...) {
    state->error = MakeError(ErrorCode::kInternal, "yara scan: out of memory in the callback");
    return CALLBACK_ERROR;
  }
}

}  // namespace beffroi::yara
