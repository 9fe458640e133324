#include "analyzer/playbook/catalog.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "analyzer/playbook/loader.h"

namespace beffroi::playbook {

namespace fs = std::filesystem;

Catalog Catalog::LoadDirectory(const std::string& dir) {
  Catalog c;
  std::error_code ec;
  std::vector<fs::path> files;
  fs::directory_iterator it(dir, ec), end;
  if (ec) {
    c.errors.push_back(dir + ": cannot read the playbook folder: " + ec.message());
    return c;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) files.push_back(it->path());
    if (files.size() > kMaxCatalogFiles) {
      c.errors.push_back(dir + ": more than " + std::to_string(kMaxCatalogFiles) + " playbooks");
      break;
    }
  }
  std::sort(files.begin(), files.end());
  std::set<std::string> names;
  for (const fs::path& f : files) {
    LoadResult r = LoadPlaybookFile(f.string());
    if (!r.playbook) {
      for (const Diagnostic& d : r.diagnostics) {
        if (!d.warning) c.errors.push_back(FormatDiagnostic(f.string(), d));
      }
      continue;
    }
    if (!names.insert(r.playbook->Handle()).second) {
      c.errors.push_back(f.string() + ": playbook: another playbook is already named \"" +
                         r.playbook->Handle() + "\"");
      continue;
    }
    c.playbooks.push_back(std::move(*r.playbook));
  }
  std::sort(c.playbooks.begin(), c.playbooks.end(),
            [](const Playbook& a, const Playbook& b) { return a.Handle() < b.Handle(); });
  return c;
}

const Playbook* Catalog::Find(std::string_view name) const {
  for (const Playbook& p : playbooks) {
    if (p.short_name == name || p.id == name) return &p;
  }
  for (const Playbook& p : playbooks) {
    if (std::find(p.aliases.begin(), p.aliases.end(), name) != p.aliases.end()) return &p;
    if (fs::path(p.source).stem().string() == name) return &p;
  }
  return nullptr;
}

std::vector<std::string> TechniquesIn(std::string_view text) {
  std::vector<std::string> out;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (std::size_t i = 0; i + 5 <= text.size(); ++i) {
    char c = text[i];
    if (c != 'T' && c != 't') continue;
    if (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) != 0)) continue;
    if (!(digit(text[i + 1]) && digit(text[i + 2]) && digit(text[i + 3]) && digit(text[i + 4])))
      continue;
    std::size_t end = i + 5;
    if (end + 4 <= text.size() && text[end] == '.' && digit(text[end + 1]) &&
        digit(text[end + 2]) && digit(text[end + 3]))
      end += 4;
    if (end < text.size() && std::isalnum(static_cast<unsigned char>(text[end])) != 0) continue;
    std::string id(text.substr(i, end - i));
    id[0] = 'T';
    out.push_back(id);
    i = end - 1;
  }
  return out;
}

std::vector<Suggestion> Suggest(const Catalog& catalog, const SuggestInput& in) {
  std::set<std::string> techniques(in.techniques.begin(), in.techniques.end());
  for (const std::string& t : in.texts) {
    for (std::string& id : TechniquesIn(t))
      techniques.insert(std::move(id));
  }
  std::vector<Suggestion> out;
  for (const Playbook& p : catalog.playbooks) {
    Suggestion s;
    s.playbook = &p;
    if (!in.playbook.empty() &&
        (p.short_name == in.playbook ||
         std::find(p.aliases.begin(), p.aliases.end(), in.playbook) != p.aliases.end())) {
      s.score = 100;
      s.reason = "the rules that matched name \"" + in.playbook + "\"";
    } else {
      std::string matched;
      for (const std::string& t : p.techniques) {
        // A parent technique in the playbook covers its sub-techniques in the evidence.
        bool hit = techniques.count(t) > 0;
        for (const std::string& e : techniques)
          hit |= e.rfind(t + ".", 0) == 0;
        if (!hit) continue;
        s.score += 10;
        matched += (matched.empty() ? "" : ", ") + t;
      }
      if (s.score > 0) s.reason = "ATT&CK " + matched;
    }
    if (s.score > 0) out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Suggestion& a, const Suggestion& b) { return a.score > b.score; });
  return out;
}

}  // namespace beffroi::playbook
