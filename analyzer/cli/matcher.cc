#include "analyzer/cli/matcher.h"

#include <nlohmann/json.hpp>

#include "agents/host/walker.h"
#include "common/text.h"

namespace beffroi::cli {

namespace {

std::string RuleKey(const std::string& ns, const std::string& name) {
  return ns + ":" + name;
}

}  // namespace

yara::Externals MakeExternals(const FileFacts& f) {
  yara::Externals ex;
  std::string_view name = host::BaseName(f.path);
  ex.filename = std::string(name);
  std::string_view dir(f.path.data(), f.path.size() - name.size());
  if (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  ex.filepath = std::string(dir);
  ex.extension = host::LowerExtension(name);
  ex.filetype = ToLowerAscii(f.magic);
  ex.md5 = f.digests.md5;
  ex.owner = f.owner;
  return ex;
}

std::string VerdictKey(const Engine& engine, const yara::Externals& ex) {
  std::string path_part;
  for (std::string_view name : {"filename", "filepath", "extension", "owner"}) {
    if (engine.externals_used.count(std::string(name))) {
      path_part += std::string(name) + '=' + yara::ExternalValue(ex, name) + '\0';
    }
  }
  if (path_part.empty()) return engine.rules->hash();
  return engine.rules->hash() + ":" + Sha256Hex(path_part).substr(0, 16);
}

Result<std::unique_ptr<FileMatcher>> FileMatcher::Create(const Engine& engine) {
  auto scanner = yara::Scanner::Create(engine.rules, engine.limits);
  if (!scanner.ok()) return scanner.error();
  return std::unique_ptr<FileMatcher>(new FileMatcher(engine, std::move(scanner).value()));
}

FileMatcher::FileMatcher(const Engine& engine, std::unique_ptr<yara::Scanner> scanner)
    : engine_(engine), scanner_(std::move(scanner)) {
  for (const yara::RuleInfo& r : engine_.rules->rules())
    rules_by_name_[RuleKey(r.ns, r.name)] = &r;
}

bool FileMatcher::Allowlisted(const FileFacts& facts) const {
  return engine_.iocs.IsAllowlisted(facts.path, facts.digests);
}

std::vector<correlate::Finding> FileIocFindings(const ioc::IocSet& iocs, const FileFacts& facts) {
  std::vector<correlate::Finding> out;
  for (const ioc::IocHit& hit : iocs.MatchFile(facts.path, facts.digests)) {
    correlate::Finding f;
    f.kind = hit.kind;
    f.rule = hit.indicator;
    f.score = yara::ClampScore(hit.score);
    f.techniques = hit.techniques;
    f.playbook = hit.playbook;
    f.description = hit.description;
    f.reasons = {
        {"matched_field", hit.matched_field}, {"indicator", hit.indicator}, {"source", hit.source}};
    f.file_path = facts.path;
    f.sha256 = facts.digests.sha256;
    f.observed_at = facts.observed_at;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<correlate::Finding> FileMatcher::MatchIocs(const FileFacts& facts) const {
  return FileIocFindings(engine_.iocs, facts);
}

Result<yara::ScanResult> FileMatcher::ScanBuffer(std::span<const std::uint8_t> bytes,
                                                 const yara::Externals& ex) {
  return scanner_->ScanBuffer(bytes, ex);
}

Result<yara::ScanResult> FileMatcher::ScanFd(int fd, const yara::Externals& ex) {
  return scanner_->ScanFd(fd, ex);
}

std::string FileMatcher::VerdictJson(const yara::ScanResult& result) {
  nlohmann::json matches = nlohmann::json::array();
  for (const yara::Match& m : result.matches) {
    matches.push_back({{"ns", m.rule->ns}, {"rule", m.rule->name}, {"strings", m.strings}});
  }
  return Dump(nlohmann::json{{"matches", matches},
                             {"timed_out", result.timed_out},
                             {"match_cap_reached", result.match_cap_reached}});
}

std::vector<correlate::Finding> FileMatcher::FindingsFromVerdict(const std::string& verdict_json,
                                                                 const FileFacts& facts) const {
  std::vector<correlate::Finding> out;
  nlohmann::json v = nlohmann::json::parse(verdict_json, nullptr, false);
  if (!v.is_object() || !v.contains("matches") || !v["matches"].is_array()) return out;
  if (Allowlisted(facts)) return out;
  for (const auto& m : v["matches"]) {
    if (!m.is_object() || !m.value("rule", nlohmann::json()).is_string()) continue;
    auto it = rules_by_name_.find(RuleKey(m.value("ns", ""), m.value("rule", "")));
    if (it == rules_by_name_.end()) continue;  // the rule set changed since
    const yara::RuleInfo& r = *it->second;
    correlate::Finding f;
    f.kind = "yara";
    f.rule = r.name;
    f.score = yara::ClampScore(r.score);
    f.techniques = r.mitre_attack;
    f.playbook = r.playbook;
    f.description = r.description;
    f.reasons = {{"rule", r.name},
                 {"namespace", r.ns},
                 {"strings", m.value("strings", nlohmann::json::array())},
                 {"author", r.author},
                 {"reference", r.reference}};
    if (v.value("timed_out", false)) f.reasons["timed_out"] = true;
    if (v.value("match_cap_reached", false)) f.reasons["match_cap_reached"] = true;
    f.file_path = facts.path;
    f.sha256 = facts.digests.sha256;
    f.observed_at = facts.observed_at;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace beffroi::cli
