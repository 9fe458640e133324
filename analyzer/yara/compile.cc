#include "analyzer/yara/compile.h"

#include <cstdio>
#include <memory>

#include "analyzer/yara/externals.h"
#include "analyzer/yara/yara_api.h"

#include "common/text.h"

namespace beffroi::yara {

namespace {

struct CompileState {
  const RuleSource* source = nullptr;
  std::vector<Diagnostic>* diagnostics = nullptr;
  bool include_refused = false;
};

void OnCompilerMessage(int error_level, const char* file_name, int line_number,
                       const YR_RULE* /*rule*/, const char* message, void* user_data) noexcept {
  auto* state = static_cast<CompileState*>(user_data);
  try {
    Diagnostic d;
    d.file = file_name != nullptr ? file_name : state->source->path;
    d.line = line_number;
    d.message = message != nullptr ? message : "unknown compiler error";
    d.error = error_level == YARA_ERROR_LEVEL_ERROR;
    if (d.error && state->include_refused) {
      d.message += " (include directives are disabled: list every rule file instead)";
      state->include_refused = false;
    }
    state->diagnostics->push_back(std::move(d));
  } catch (...) {
    // Out of memory while reporting: the compile result itself still says it failed.
  }
}

const char* RefuseInclude(const char* /*include_name*/, const char* /*calling_file*/,
                          const char* /*calling_namespace*/, void* user_data) noexcept {
  static_cast<CompileState*>(user_data)->include_refused = true;
  return nullptr;  // libyara reports "can't open include file"
}

Result<YrCompilerPtr> NewCompiler(CompileState* state) {
  YR_COMPILER* raw = nullptr;
  int rc = yr_compiler_create(&raw);
  if (rc != ERROR_SUCCESS) {
    return MakeError(ErrorCode::kInternal, "yara: yr_compiler_create: " + YaraErrorText(rc));
  }
  YrCompilerPtr compiler(raw);
  yr_compiler_set_callback(compiler.get(), OnCompilerMessage, state);
  yr_compiler_set_include_callback(compiler.get(), RefuseInclude, nullptr, state);
  for (std::string_view name : kExternalNames) {
    rc = yr_compiler_define_string_variable(compiler.get(), std::string(name).c_str(), "");
    if (rc != ERROR_SUCCESS) {
      return MakeError(ErrorCode::kInternal,
                       "yara: declaring external " + std::string(name) + ": " + YaraErrorText(rc));
    }
  }
  return compiler;
}

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

// Adds one source; returns the number of errors libyara counted.
int AddSource(YR_COMPILER* compiler, CompileState* state, const RuleSource& source) {
  state->source = &source;
  if (source.text.empty()) return 0;  // an empty file holds no rule (and fmemopen wants bytes)
  // fmemopen keeps the file name in libyara's messages while compiling the exact bytes that
  // were hashed into the rule-set key.
  std::unique_ptr<FILE, FileCloser> file(
      fmemopen(const_cast<char*>(source.text.data()), source.text.size(), "r"));
  if (file == nullptr) {
    state->diagnostics->push_back({source.path, 0, "cannot open the source in memory", true});
    return 1;
  }
  return yr_compiler_add_file(compiler, file.get(), source.ns.c_str(), source.path.c_str());
}

}  // namespace

CompileOutput CompileSources(const std::vector<RuleSource>& sources) {
  CompileOutput out;
  CompileState state;
  state.diagnostics = &out.diagnostics;
  auto compiler = NewCompiler(&state);
  if (!compiler.ok()) {
    out.diagnostics.push_back({"", 0, compiler.error().message, true});
    return out;
  }
  bool failed = false;
  for (const RuleSource& source : sources) {
    if (!failed) {
      failed = AddSource(compiler->get(), &state, source) != 0;
      continue;
    }
    // The main compiler is unusable after an error: report this file's errors on its own.
    CompileState side_state;
    side_state.diagnostics = &out.diagnostics;
    auto side = NewCompiler(&side_state);
    if (side.ok()) (void)AddSource(side->get(), &side_state, source);
  }
  if (failed) return out;
  YR_RULES* rules = nullptr;
  int rc = yr_compiler_get_rules(compiler->get(), &rules);
  if (rc != ERROR_SUCCESS) {
    out.diagnostics.push_back({"", 0, "yr_compiler_get_rules: " + YaraErrorText(rc), true});
    return out;
  }
  out.rules.reset(rules);
  return out;
}

std::vector<RuleInfo> ExtractRuleInfos(YR_RULES* rules) {
  std::vector<RuleInfo> infos;
  infos.reserve(rules->num_rules);
  const YR_RULE* rule = nullptr;
  yr_rules_foreach(rules, rule) {
    RuleInfo info;
    info.name = rule->identifier;
    info.ns = ToValidUtf8(rule->ns->name);  // a rule file's path need not be UTF-8
    const char* tag = nullptr;
    yr_rule_tags_foreach(rule, tag) {
      info.tags.emplace_back(ToValidUtf8(tag));
    }
    bool have_score = false, have_mitre = false;
    const YR_META* meta = nullptr;
    yr_rule_metas_foreach(rule, meta) {
      std::string_view id = meta->identifier;
      bool is_string = meta->type == META_TYPE_STRING;
      std::string_view text = is_string ? std::string_view(meta->string) : std::string_view();
      // The first occurrence of a repeated meta wins, as in Loki.
      auto set_once = [&](std::string& field) {
        // Meta text from public rule sets is often Latin-1; everything downstream is JSON.
        if (field.empty() && is_string) field = ToValidUtf8(text);
      };
      if (id == "description") {
        set_once(info.description);
      } else if (id == "author") {
        set_once(info.author);
      } else if (id == "reference") {
        set_once(info.reference);
      } else if (id == "date") {
        set_once(info.date);
      } else if (id == "playbook") {
        set_once(info.playbook);
      } else if (id == "score" && !have_score) {
        std::optional<std::int64_t> value;
        if (meta->type == META_TYPE_INTEGER) value = meta->integer;
        if (is_string) value = ParseScoreText(text);
        if (value) {
          info.score = ClampScore(*value);
          have_score = true;
        }
      } else if ((id == "mitre_attack" || id == "mitre_att") && !have_mitre && is_string) {
        info.mitre_attack = SplitAttackIds(text);
        have_mitre = true;
      }
    }
    infos.push_back(std::move(info));
  }
  return infos;
}

std::string JoinErrors(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    if (!d.error) continue;
    if (!out.empty()) out += '\n';
    out += d.ToString();
  }
  return out;
}

}  // namespace beffroi::yara
