// STIX 2.1 bundles (see feed.h): indicators with STIX patterns, their ATT&CK context from
// kill chain phases, labels, external references and "indicates" relationships.
#include <map>

#include "analyzer/ioc/feed.h"
#include "analyzer/ioc/json_salvage.h"
#include "analyzer/ioc/list_loader.h"
#include "analyzer/ioc/stix_pattern.h"
#include "common/text.h"

namespace beffroi::ioc {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kPlaybooks[] = {"ransomware", "webshell", "data-leak"};

std::string Str(const Json& o, const char* key) {
  if (!o.is_object()) return {};
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

struct Context {
  std::vector<std::string> techniques;
  std::string playbook;
};

void PlaybookFrom(std::string_view label, Context& c) {
  std::string lower = ToLowerAscii(label);
  for (std::string_view p : kPlaybooks) {
    if (c.playbook.empty() && lower.find(p) != std::string::npos) c.playbook = std::string(p);
  }
}

// ATT&CK ids in external_references of source "mitre-attack" (or any id that looks like one).
void TechniquesFromReferences(const Json& o, Context& c) {
  auto refs = o.find("external_references");
  if (refs == o.end() || !refs->is_array()) return;
  for (const Json& r : *refs) {
    std::string id = Str(r, "external_id");
    if (!id.empty() && ToLowerAscii(Str(r, "source_name")).find("attack") != std::string::npos) {
      for (std::string& t : TechniqueIds(id))
        c.techniques.push_back(std::move(t));
    }
  }
}

void ContextOfIndicator(const Json& ind, Context& c) {
  if (auto labels = ind.find("labels"); labels != ind.end() && labels->is_array()) {
    for (const Json& l : *labels) {
      if (!l.is_string()) continue;
      for (std::string& t : TechniqueIds(l.get<std::string>()))
        c.techniques.push_back(std::move(t));
      PlaybookFrom(l.get<std::string>(), c);
    }
  }
  if (auto phases = ind.find("kill_chain_phases"); phases != ind.end() && phases->is_array()) {
    for (const Json& p : *phases) {
      for (std::string& t : TechniqueIds(Str(p, "phase_name")))
        c.techniques.push_back(std::move(t));
    }
  }
  TechniquesFromReferences(ind, c);
}

// What attack patterns and malware objects say, by id, for "indicates" relationships.
std::map<std::string, Context> TargetContexts(const Json& objects) {
  std::map<std::string, Context> out;
  for (const Json& o : objects) {
    std::string type = Str(o, "type");
    if (type == "attack-pattern") {
      Context c;
      TechniquesFromReferences(o, c);
      out[Str(o, "id")] = std::move(c);
    } else if (type == "malware") {
      Context c;
      if (auto kinds = o.find("malware_types"); kinds != o.end() && kinds->is_array()) {
        for (const Json& k : *kinds)
          if (k.is_string()) PlaybookFrom(k.get<std::string>(), c);
      }
      PlaybookFrom(Str(o, "name"), c);
      out[Str(o, "id")] = std::move(c);
    }
  }
  return out;
}

void ParseIndicator(std::string_view name, const Json& ind, const Context& related,
                    FeedContent& out) {
  ++out.objects;
  std::string id = Str(ind, "id");
  std::string ref = std::string(name) + ": " + (id.empty() ? "indicator (no id)" : id);
  if (ind.value("revoked", false) == true) {
    out.Skip("revoked indicator");
    return;
  }
  std::string pattern_type = Str(ind, "pattern_type");
  if (!pattern_type.empty() && pattern_type != "stix") {
    out.Skip("pattern type " + pattern_type + ": not supported",
             ref + ": pattern_type " + Quote(pattern_type) + " is not supported (only stix)");
    return;
  }
  std::string pattern = Str(ind, "pattern");
  if (pattern.empty()) {
    out.Skip("indicator without a pattern", ref + ": no pattern");
    return;
  }
  auto comparisons = ParseStixPattern(pattern);
  if (!comparisons) {
    out.Skip("STIX pattern not supported", ref + ": pattern " + Quote(pattern) + ": " +
                                               comparisons.error().message + "; indicator skipped");
    return;
  }
  Context c = related;
  ContextOfIndicator(ind, c);
  int score = -1;
  if (auto conf = ind.find("confidence"); conf != ind.end() && conf->is_number_integer()) {
    score = static_cast<int>(std::clamp<std::int64_t>(conf->get<std::int64_t>(), 0, 100));
  }
  std::string comment = Str(ind, "name");
  std::string description = Str(ind, "description");
  if (comment.empty()) comment = description;
  for (const StixComparison& cmp : *comparisons) {
    FeedIndicator i;
    i.type = cmp.type;
    i.value = cmp.type == "filename" ? FileNameRegex(cmp.value) : cmp.value;
    i.score = score >= 0 ? score : DefaultScoreFor(cmp.type);
    i.comment = comment;
    i.techniques = c.techniques;
    i.playbook = c.playbook;
    i.ref = ref;
    out.Add(std::move(i));
  }
}

}  // namespace

void ParseStixBundle(std::string_view name, std::string_view text, FeedContent& out) {
  SalvagedJson doc = ParseJsonSalvage(text);
  if (!doc.complete) {
    out.Skip("truncated or invalid JSON", std::string(name) + ": not valid JSON at byte " +
                                              std::to_string(doc.offset) + " (" + doc.error +
                                              "); the objects read before it are kept");
  }
  const Json& root = doc.value;
  Json single = Json::array();
  const Json* objects = nullptr;
  if (root.is_object() && Str(root, "type") == "bundle") {
    auto it = root.find("objects");
    if (it != root.end() && it->is_array()) objects = &*it;
  } else if (root.is_object() && Str(root, "type") == "indicator") {
    single.push_back(root);
    objects = &single;
  } else if (root.is_array()) {
    objects = &root;
  }
  if (objects == nullptr) {
    if (doc.complete || !root.is_null()) {
      out.Skip("not a STIX bundle", std::string(name) + ": not a STIX bundle (no \"objects\")");
    }
    return;
  }
  std::map<std::string, Context> targets = TargetContexts(*objects);
  std::map<std::string, Context> by_indicator;
  for (const Json& o : *objects) {
    if (Str(o, "type") != "relationship" || Str(o, "relationship_type") != "indicates") continue;
    auto target = targets.find(Str(o, "target_ref"));
    if (target == targets.end()) continue;
    Context& c = by_indicator[Str(o, "source_ref")];
    c.techniques.insert(c.techniques.end(), target->second.techniques.begin(),
                        target->second.techniques.end());
    if (c.playbook.empty()) c.playbook = target->second.playbook;
  }
  std::size_t seen = 0;
  for (const Json& o : *objects) {
    if (++seen > kMaxFeedObjects) {
      out.Skip("object limit reached",
               std::string(name) + ": more than " + std::to_string(kMaxFeedObjects) + " objects");
      return;
    }
    if (!o.is_object()) {
      out.Skip("malformed object",
               std::string(name) + ": object " + std::to_string(seen) + " is not a JSON object");
      continue;
    }
    if (Str(o, "type") != "indicator") continue;
    auto related = by_indicator.find(Str(o, "id"));
    ParseIndicator(name, o, related == by_indicator.end() ? Context{} : related->second, out);
  }
}

}  // namespace beffroi::ioc
