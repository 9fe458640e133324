#include "analyzer/ioc/ioc_store.h"

namespace beffroi::ioc {

IocStore::IocStore(IocLimits limits_in) : limits(limits_in) {
  Intern("");
}

std::uint32_t IocStore::Intern(std::string_view text) {
  auto it = string_ids_.find(text);
  if (it != string_ids_.end()) return it->second;
  auto id = static_cast<std::uint32_t>(strings_.size());
  const std::string& stored = strings_.emplace_back(text);
  string_ids_.emplace(std::string_view(stored), id);
  return id;
}

std::string IocStore::Source(std::uint32_t file, std::uint32_t line) const {
  if (line == 0) return String(file);
  return String(file) + ":" + std::to_string(line);
}

std::uint32_t IocStore::Context(const std::vector<std::string>& techniques,
                                std::string_view playbook) {
  if (techniques.empty() && playbook.empty()) return 0;
  std::string key(playbook);
  for (const std::string& t : techniques)
    key += "," + t;
  auto it = context_ids_.find(key);
  if (it != context_ids_.end()) return it->second;
  auto id = static_cast<std::uint32_t>(contexts_.size());
  contexts_.push_back(IocContext{techniques, std::string(playbook)});
  context_ids_.emplace(std::move(key), id);
  return id;
}

void IocStore::AddWarning(std::string text, std::size_t& file_stored) {
  ++warning_count;
  if (file_stored >= kMaxStoredWarningsPerFile || warnings.size() >= kMaxStoredWarnings) return;
  ++file_stored;
  warnings.push_back(std::move(text));
}

}  // namespace beffroi::ioc
