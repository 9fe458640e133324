#include "analyzer/exercise/loader.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "analyzer/exercise/artefacts.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/text.h"

namespace beffroi::exercise {

namespace {

using nlohmann::json;

std::string Str(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool IsId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

// Builds the Scenario while collecting faults; every check names the item it is about.
class Builder {
 public:
  explicit Builder(const json& doc) : doc_(doc) {}

  std::vector<Diagnostic> Build(Scenario& s) {
    if (!doc_.is_object()) {
      Error("", "the document is not a JSON object");
      return std::move(out_);
    }
    if (Str(doc_, "type") != kScenarioType)
      Error("", "\"type\" must be \"" + std::string(kScenarioType) + "\"");
    auto v = doc_.find("format_version");
    if (v == doc_.end() || !v->is_number_integer() || v->get<std::int64_t>() != kFormatVersion)
      Error("", "\"format_version\" must be " + std::to_string(kFormatVersion));
    s.id = Str(doc_, "id");
    if (!IsId(s.id)) Error("", "\"id\" must be lower-case letters, digits and dashes");
    s.title = Str(doc_, "title");
    if (s.title.empty()) Error("", "\"title\" is missing");
    s.summary = Str(doc_, "summary");
    s.playbook = Str(doc_, "playbook");
    s.start = Str(doc_, "start");
    auto start = s.start.size() >= 20 ? ParseDateOrAge(s.start, 0) : std::nullopt;
    if (!start)
      Error("", "\"start\" must be an RFC 3339 time such as 2021-06-21T06:30:00Z (T+0)");
    else
      s.start_ns = *start;
    if (auto d = doc_.find("duration_minutes"); d != doc_.end()) {
      if (!d->is_number_integer() || d->get<std::int64_t>() <= 0 ||
          d->get<std::int64_t>() > 24 * 60)
        Error("", "\"duration_minutes\" must be a number of minutes (1 to 1440)");
      else
        s.duration_minutes = d->get<std::int64_t>();
    }
    if (auto seed = doc_.find("seed"); seed != doc_.end()) {
      if (!seed->is_number_unsigned())
        Error("", "\"seed\" must be a non-negative integer");
      else
        s.seed = seed->get<std::uint64_t>();
    }
    Objectives(s);
    Participants(s);
    Modules(s);
    Actions(s);
    Injects(s);
    Criteria(s);
    CrossChecks(s);
    return std::move(out_);
  }

 private:
  void Error(const std::string& where, const std::string& message) {
    out_.push_back({where, message, 0, false});
  }
  void Warn(const std::string& where, const std::string& message) {
    out_.push_back({where, message, 0, true});
  }

  // The objects of list `key` (required or not), each with a unique id, bounded in number.
  std::vector<std::pair<std::string, const json*>> Items(const char* key, bool required) {
    std::vector<std::pair<std::string, const json*>> items;
    auto it = doc_.find(key);
    if (it == doc_.end()) {
      if (required) Error(key, "the list is missing");
      return items;
    }
    if (!it->is_array()) {
      Error(key, "must be a list");
      return items;
    }
    if (it->size() > kMaxItems) {
      Error(key, "more than " + std::to_string(kMaxItems) + " items");
      return items;
    }
    std::set<std::string> seen;
    std::size_t n = 0;
    for (const json& item : *it) {
      ++n;
      std::string label = std::string(key) + "[" + std::to_string(n) + "]";
      if (!item.is_object()) {
        Error(label, "must be an object");
        continue;
      }
      std::string id = Str(item, "id");
      if (!IsId(id)) {
        Error(label, "\"id\" must be lower-case letters, digits and dashes");
        continue;
      }
      if (!seen.insert(id).second) {
        Error(id, "another item of " + std::string(key) + " has this id");
        continue;
      }
      items.emplace_back(id, &item);
    }
    if (required && items.empty() && it->empty()) Error(key, "the list is empty");
    return items;
  }

  std::vector<std::string> Strings(const std::string& where, const json& obj, const char* key) {
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end()) return out;
    if (!it->is_array() || it->size() > kMaxItems) {
      Error(where, "\"" + std::string(key) + "\" must be a list of strings");
      return out;
    }
    for (const json& v : *it) {
      if (v.is_string())
        out.push_back(v.get<std::string>());
      else
        Error(where, "\"" + std::string(key) + "\" must be a list of strings");
    }
    return out;
  }

  std::optional<std::int64_t> Time(const std::string& where, const json& obj, const char* key,
                                   bool required) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) Error(where, "\"" + std::string(key) + "\" (a scenario time) is missing");
      return std::nullopt;
    }
    std::optional<std::int64_t> t;
    if (it->is_string()) t = ParseScenarioTime(it->get<std::string>());
    if (!t)
      Error(where, "\"" + std::string(key) + "\" must be a scenario time such as \"1:30\" (H:MM)");
    return t;
  }

  void Objectives(Scenario& s) {
    for (const auto& [id, j] : Items("objectives", true)) {
      Objective o{id, Str(*j, "text")};
      if (o.text.empty()) Error(id, "\"text\" is missing");
      s.objectives.push_back(std::move(o));
    }
  }

  void Participants(Scenario& s) {
    for (const auto& [id, j] : Items("participants", true)) {
      Participant p{id, Str(*j, "name"), Str(*j, "role")};
      if (p.name.empty()) Error(id, "\"name\" is missing");
      s.participants.push_back(std::move(p));
    }
  }

  void Modules(Scenario& s) {
    for (const auto& [id, j] : Items("modules", true)) {
      Module m{id, Str(*j, "title"), Str(*j, "summary"), Strings(id, *j, "questions")};
      if (m.title.empty()) Error(id, "\"title\" is missing");
      if (m.questions.empty()) Error(id, "a module needs discussion questions");
      s.modules.push_back(std::move(m));
    }
  }

  void Actions(Scenario& s) {
    for (const auto& [id, j] : Items("expected_actions", true)) {
      ExpectedAction a;
      a.id = id;
      a.text = Str(*j, "text");
      a.team = Str(*j, "team");
      a.playbook = Str(*j, "playbook");
      a.step = Str(*j, "step");
      a.objective = Str(*j, "objective");
      a.milestone = Str(*j, "milestone");
      a.by_minutes = Time(id, *j, "by", false);
      if (a.text.empty()) Error(id, "\"text\" is missing");
      if (a.step.empty()) Error(id, "\"step\" (the playbook step it follows) is missing");
      if (a.playbook.empty() && s.playbook.empty())
        Error(id, "no \"playbook\" here and none for the scenario");
      s.actions.push_back(std::move(a));
    }
  }

  void Artefacts(const std::string& where, const json& j, Inject& inject) {
    auto it = j.find("artefacts");
    if (it == j.end()) return;
    if (!it->is_array() || it->size() > kMaxArtefactsPerInject) {
      Error(where, "\"artefacts\" must be a list of at most " +
                       std::to_string(kMaxArtefactsPerInject) + " objects");
      return;
    }
    for (const json& a : *it) {
      if (!a.is_object()) {
        Error(where, "an artefact must be an object");
        continue;
      }
      Artefact art{Str(a, "kind"), Str(a, "family"), Str(a, "host"), Str(a, "path"), 0};
      if (auto size = a.find("size"); size != a.end()) {
        if (!size->is_number_unsigned() || size->get<std::uint64_t>() == 0 ||
            size->get<std::uint64_t>() > kMaxArtefactBytes) {
          Error(where, "artefact \"size\" must be 1 to " + std::to_string(kMaxArtefactBytes));
          continue;
        }
        art.size = size->get<std::uint64_t>();
      }
      if (auto s = CheckArtefact(art); !s.empty()) {
        Error(where, "artefact " + (art.path.empty() ? art.kind : art.path) + ": " + s);
        continue;
      }
      inject.artefacts.push_back(std::move(art));
    }
  }

  void Injects(Scenario& s) {
    // The last inject with a valid time, by value: the vector grows under it.
    std::optional<std::pair<std::string, std::int64_t>> previous;
    for (const auto& [id, j] : Items("injects", true)) {
      Inject in;
      in.id = id;
      auto at = Time(id, *j, "at", true);
      in.at_minutes = at.value_or(0);
      in.module = Str(*j, "module");
      in.title = Str(*j, "title");
      in.text = Str(*j, "text");
      in.channel = Str(*j, "channel");
      in.to = Strings(id, *j, "to");
      in.expects = Strings(id, *j, "expects");
      if (auto c = j->find("contingency"); c != j->end()) {
        if (!c->is_boolean())
          Error(id, "\"contingency\" must be true or false");
        else
          in.contingency = c->get<bool>();
      }
      if (in.title.empty()) Error(id, "\"title\" is missing");
      if (in.text.empty()) Error(id, "\"text\" (what the facilitator reads out) is missing");
      if (in.channel.empty()) Error(id, "\"channel\" is missing");
      if (in.to.empty()) Error(id, "\"to\" (who receives it) is missing");
      Artefacts(id, *j, in);
      if (at && previous && in.at_minutes < previous->second) {
        Error(id, "injects out of time order: " + FormatScenarioTime(in.at_minutes) +
                      " comes after " + previous->first + " at " +
                      FormatScenarioTime(previous->second));
      }
      if (at) previous.emplace(in.id, in.at_minutes);
      s.injects.push_back(std::move(in));
    }
  }

  void Criteria(Scenario& s) {
    for (const auto& [id, j] : Items("evaluation", true)) {
      Criterion c;
      c.id = id;
      c.objective = Str(*j, "objective");
      c.text = Str(*j, "text");
      c.owner = Str(*j, "owner");
      if (auto d = j->find("due_days"); d != j->end()) {
        if (!d->is_number_unsigned() || d->get<std::uint64_t>() == 0 ||
            d->get<std::uint64_t>() > 3650)
          Error(id, "\"due_days\" must be 1 to 3650");
        else
          c.due_days = d->get<std::int64_t>();
      }
      if (c.text.empty()) Error(id, "\"text\" is missing");
      if (c.owner.empty()) Error(id, "\"owner\" is missing");
      s.criteria.push_back(std::move(c));
    }
  }

  void CrossChecks(const Scenario& s) {
    std::set<std::string> expected;
    for (const Inject& in : s.injects) {
      if (!in.module.empty() && s.FindModule(in.module) == nullptr)
        Error(in.id, "no module \"" + in.module + "\"");
      if (in.module.empty()) Error(in.id, "\"module\" is missing");
      for (const std::string& p : in.to) {
        if (s.FindParticipant(p) == nullptr) Error(in.id, "no participant \"" + p + "\"");
      }
      for (const std::string& a : in.expects) {
        if (s.FindAction(a) == nullptr)
          Error(in.id, "expects \"" + a + "\", which is not an expected action");
        expected.insert(a);
      }
    }
    for (const ExpectedAction& a : s.actions) {
      if (s.FindParticipant(a.team) == nullptr)
        Error(a.id, "\"team\" names no participant (\"" + a.team + "\")");
      if (!a.objective.empty() && s.FindObjective(a.objective) == nullptr)
        Error(a.id, "no objective \"" + a.objective + "\"");
      if (expected.count(a.id) == 0) Warn(a.id, "no inject expects this action");
    }
    for (const Criterion& c : s.criteria) {
      if (s.FindObjective(c.objective) == nullptr)
        Error(c.id, "no objective \"" + c.objective + "\"");
    }
    for (const Module& m : s.modules) {
      bool used = std::any_of(s.injects.begin(), s.injects.end(),
                              [&](const Inject& in) { return in.module == m.id; });
      if (!used) Warn(m.id, "no inject belongs to this module");
    }
  }

  const json& doc_;
  std::vector<Diagnostic> out_;
};

}  // namespace

template <typename T>
static const T* FindById(const std::vector<T>& items, std::string_view id) {
  for (const T& item : items) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

const Inject* Scenario::FindInject(std::string_view key) const {
  return FindById(injects, key);
}
const ExpectedAction* Scenario::FindAction(std::string_view key) const {
  return FindById(actions, key);
}
const Participant* Scenario::FindParticipant(std::string_view key) const {
  return FindById(participants, key);
}
const Module* Scenario::FindModule(std::string_view key) const {
  return FindById(modules, key);
}
const Objective* Scenario::FindObjective(std::string_view key) const {
  return FindById(objectives, key);
}

std::string FormatScenarioTime(std::int64_t minutes) {
  std::string sign = minutes < 0 ? "-" : "+";
  std::int64_t m = minutes < 0 ? -minutes : minutes;
  std::string mm = std::to_string(m % 60);
  return "T" + sign + std::to_string(m / 60) + ":" + (mm.size() < 2 ? "0" : "") + mm;
}

std::string FormatElapsed(std::int64_t ns) {
  std::int64_t secs = (ns < 0 ? 0 : ns) / 1'000'000'000;
  auto two = [](std::int64_t v) {
    std::string s = std::to_string(v);
    return s.size() < 2 ? "0" + s : s;
  };
  return "T+" + std::to_string(secs / 3600) + ":" + two(secs / 60 % 60) + ":" + two(secs % 60);
}

std::optional<std::int64_t> ParseScenarioTime(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.size() > 8) return std::nullopt;
  auto number = [](std::string_view t) -> std::optional<std::int64_t> {
    std::int64_t v = 0;
    if (t.empty()) return std::nullopt;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || ptr != t.data() + t.size() || v < 0) return std::nullopt;
    return v;
  };
  std::optional<std::int64_t> minutes;
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    minutes = number(text);
  } else {
    auto h = number(text.substr(0, colon));
    std::string_view mm = text.substr(colon + 1);
    auto m = mm.size() == 2 ? number(mm) : std::nullopt;
    if (h && m && *m < 60) minutes = *h * 60 + *m;
  }
  if (!minutes || *minutes > kMaxScenarioMinutes) return std::nullopt;
  return minutes;
}

std::string FormatDiagnostic(const std::string& file, const Diagnostic& d) {
  std::string level = d.warning ? "warning: " : "";
  if (d.line > 0) return file + ":" + std::to_string(d.line) + ": " + level + d.message;
  if (!d.where.empty()) return file + ": " + d.where + ": " + level + d.message;
  return file + ": " + level + d.message;
}

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return !d.warning; });
}

LoadResult LoadScenario(std::string_view text, const std::string& source) {
  LoadResult out;
  if (text.size() > kMaxScenarioBytes) {
    out.diagnostics.push_back(
        {"", "larger than " + std::to_string(kMaxScenarioBytes) + " bytes; not a scenario", 0,
         false});
    return out;
  }
  auto parsed = ParseJson(text, "");
  if (!parsed.ok()) {
    // Whoever fixes the file wants the line, not the byte.
    JsonErrorLine at = LocateJsonError(text, parsed.error().message);
    out.diagnostics.push_back({"", at.message, at.line, false});
    return out;
  }
  Scenario s;
  out.diagnostics = Builder(*parsed).Build(s);
  if (HasErrors(out.diagnostics)) return out;
  s.source = source;
  s.sha256 = Sha256Hex(text);
  out.scenario = std::move(s);
  return out;
}

LoadResult LoadScenarioFile(const std::string& path) {
  auto text = ReadFileBounded(path, kMaxScenarioBytes + 1);
  if (!text.ok()) {
    LoadResult out;
    out.diagnostics.push_back({"", text.error().message, 0, false});
    return out;
  }
  return LoadScenario(*text, path);
}

std::vector<Diagnostic> LintSteps(const Scenario& s, const StepIndex& index) {
  std::vector<Diagnostic> out;
  for (const ExpectedAction& a : s.actions) {
    const std::string& pb = s.PlaybookOf(a);
    auto it = index.playbooks.find(pb);
    if (it == index.playbooks.end()) {
      out.push_back({a.id, "no playbook \"" + pb + "\"", 0, false});
      continue;
    }
    if (it->second.count(a.step) == 0)
      out.push_back({a.id, "playbook \"" + pb + "\" has no step \"" + a.step + "\"", 0, false});
  }
  return out;
}

}  // namespace beffroi::exercise
