#include "analyzer/yara/rule_set.h"

#include "analyzer/yara/compile.h"
#include "analyzer/yara/library.h"
#include "analyzer/yara/rule_cache.h"
#include "analyzer/yara/sources.h"
#include "analyzer/yara/yara_api.h"

namespace beffroi::yara {

namespace {

Error NotInitialised() {
  return MakeError(ErrorCode::kInvalidArgument,
                   "yara: no YaraLibrary alive: call YaraLibrary::Init() first");
}

Result<YrRulesPtr> CompileOrFail(const std::vector<RuleSource>& sources) {
  CompileOutput out = CompileSources(sources);
  if (!out.ok()) {
    std::string errors = JoinErrors(out.diagnostics);
    if (errors.empty()) errors = "rules: compilation failed without a message";
    return MakeError(ErrorCode::kInvalidArgument, std::move(errors));
  }
  return std::move(out.rules);
}

}  // namespace

std::shared_ptr<RuleSet> RuleSet::Make(YrRulesPtr rules, std::string hash) {
  std::shared_ptr<RuleSet> set(new RuleSet());
  set->rules_ = ExtractRuleInfos(rules.get());
  set->yr_rules_ = std::move(rules);
  set->hash_ = std::move(hash);
  return set;
}

Result<std::shared_ptr<RuleSet>> RuleSet::Load(const std::vector<std::string>& paths,
                                               const std::string& cache_dir) {
  if (!YaraLibraryAlive()) return NotInitialised();
  auto sources = ReadRuleSources(paths);
  if (!sources.ok()) return sources.error();
  std::string key = RuleSetKey(*sources);
  std::vector<std::string> files;
  for (const RuleSource& s : *sources)
    files.push_back(s.path);

  std::string cache_path;
  std::string cache_status;
  if (!cache_dir.empty()) {
    cache_path = cache_dir + "/" + key + ".yarc";
    auto cached = LoadCachedRules(cache_path);
    if (cached.ok()) {
      std::shared_ptr<RuleSet> set = Make(std::move(cached).value(), key);
      set->files_ = std::move(files);
      set->cache_path_ = std::move(cache_path);
      set->loaded_from_cache_ = true;
      return set;
    }
    if (cached.error().code != ErrorCode::kNotFound) cache_status = cached.error().message;
  }

  auto compiled = CompileOrFail(*sources);
  if (!compiled.ok()) return compiled.error();
  if (!cache_path.empty()) {
    Status saved = SaveCachedRules(compiled->get(), cache_path);
    if (!saved.ok()) {
      cache_status += (cache_status.empty() ? "" : "; ") + saved.error().message;
    } else if (!cache_status.empty()) {
      cache_status += "; rebuilt";
    }
  }
  std::shared_ptr<RuleSet> set = Make(std::move(compiled).value(), key);
  set->files_ = std::move(files);
  set->cache_path_ = std::move(cache_path);
  set->cache_status_ = std::move(cache_status);
  return set;
}

Result<std::shared_ptr<RuleSet>> RuleSet::Compile(std::string_view source,
                                                  std::string_view origin) {
  if (!YaraLibraryAlive()) return NotInitialised();
  std::vector<RuleSource> sources;
  sources.push_back(RuleSource{std::string(origin), "default", std::string(source)});
  std::string key = RuleSetKey(sources);
  auto compiled = CompileOrFail(sources);
  if (!compiled.ok()) return compiled.error();
  return Make(std::move(compiled).value(), std::move(key));
}

const RuleInfo* RuleSet::FindRule(std::string_view name) const {
  for (const RuleInfo& r : rules_) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

const RuleInfo* RuleSet::InfoFor(const void* yr_rule) const {
  const auto* rule = static_cast<const YR_RULE*>(yr_rule);
  std::ptrdiff_t index = rule - yr_rules_->rules_table;
  if (index < 0 || static_cast<std::size_t>(index) >= rules_.size()) return nullptr;
  return &rules_[static_cast<std::size_t>(index)];
}

}  // namespace beffroi::yara
