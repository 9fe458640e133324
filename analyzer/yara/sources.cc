#include "analyzer/yara/sources.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "analyzer/yara/externals.h"
#include "analyzer/yara/library.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/text.h"

namespace beffroi::yara {

namespace fs = std::filesystem;

namespace {

// Bump when the key's inputs or the cache file layout change.
constexpr std::string_view kKeyFormat = "beffroi-yara-ruleset/1";

bool IsRuleFileName(const fs::path& p) {
  std::string ext = ToLowerAscii(p.extension().string());
  return ext == ".yar" || ext == ".yara";
}

Status AddDirectory(const std::string& dir, std::vector<std::string>* files) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return MakeError(ErrorCode::kIo, "rules: " + dir + ": " + ec.message());
  for (fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return MakeError(ErrorCode::kIo, "rules: " + dir + ": " + ec.message());
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && IsRuleFileName(it->path())) {
      files->push_back(it->path().string());
    }
  }
  if (ec) return MakeError(ErrorCode::kIo, "rules: " + dir + ": " + ec.message());
  return OkStatus();
}

void UpdateField(MultiHasher& hasher, std::string_view field) {
  // Length-prefixed, so that no two different inputs hash the same way.
  hasher.Update(std::to_string(field.size()));
  hasher.Update(std::string_view(":", 1));
  hasher.Update(field);
}

}  // namespace

Result<std::vector<std::string>> CollectRuleFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      return MakeError(ErrorCode::kNotFound, "rules: " + p + ": no such file or directory");
    }
    if (fs::is_directory(st)) {
      Status s = AddDirectory(p, &files);
      if (!s.ok()) return s.error();
    } else {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  if (files.empty()) {
    std::string list;
    for (const std::string& p : paths)
      list += (list.empty() ? "" : ", ") + p;
    return MakeError(ErrorCode::kNotFound, "rules: no rule file (*.yar, *.yara) in: " + list);
  }
  return files;
}

Result<std::vector<RuleSource>> ReadRuleSources(const std::vector<std::string>& paths) {
  auto files = CollectRuleFiles(paths);
  if (!files.ok()) return files.error();
  std::vector<RuleSource> sources;
  sources.reserve(files->size());
  for (std::string& path : *files) {
    // ReadFileBounded does not follow a final symlink (evidence rules); a rule file may be one.
    std::error_code ec;
    std::string target = fs::is_symlink(path, ec) ? fs::canonical(path, ec).string() : path;
    if (ec) return MakeError(ErrorCode::kIo, "rules: " + path + ": " + ec.message());
    auto text = ReadFileBounded(target, kMaxRuleFileBytes);
    if (!text.ok()) return MakeError(text.error().code, "rules: " + text.error().message);
    std::string ns = NamespaceFor(path);
    sources.push_back(RuleSource{std::move(path), std::move(ns), std::move(text).value()});
  }
  return sources;
}

std::string NamespaceFor(std::string_view path) {
  fs::path p{std::string(path)};
  std::string stem = p.stem().string();
  std::string parent = p.parent_path().filename().string();
  if (parent.empty() || parent == "." || parent == "..") return stem;
  return parent + "/" + stem;
}

std::string RuleSetKey(const std::vector<RuleSource>& sources) {
  MultiHasher hasher(kSha256);
  UpdateField(hasher, kKeyFormat);
  UpdateField(hasher, YaraLibrary::Version());
  for (std::string_view name : kExternalNames) {
    UpdateField(hasher, name);
    UpdateField(hasher, "");  // declared default
  }
  for (const RuleSource& s : sources) {
    UpdateField(hasher, s.path);
    UpdateField(hasher, s.ns);
    UpdateField(hasher, s.text);
  }
  return hasher.Finish().sha256;
}

}  // namespace beffroi::yara
