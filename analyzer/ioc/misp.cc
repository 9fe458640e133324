// MISP events and feed directories (see feed.h). The attribute types MISP documents are in
// three groups: those we match (hashes, file names, addresses, domains, URLs, JA3, user
// agents), those we know but cannot match (e-mail, registry, YARA, ...: counted, no warning),
// and everything else, which is warned about by name so a feed author can see it.
#include <algorithm>
#include <filesystem>

#include "analyzer/ioc/feed.h"
#include "analyzer/ioc/json_salvage.h"
#include "analyzer/ioc/list_loader.h"
#include "common/fs.h"
#include "common/text.h"

namespace beffroi::ioc {
namespace {

using Json = nlohmann::json;

// MISP types we know but do not match: no indicator, no warning (one count per type).
constexpr std::string_view kKnownUnmatched[] = {"AS",
                                                "attachment",
                                                "authentihash",
                                                "btc",
                                                "campaign-name",
                                                "comment",
                                                "cookie",
                                                "cpe",
                                                "datetime",
                                                "dns-soa-email",
                                                "email",
                                                "email-attachment",
                                                "email-body",
                                                "email-dst",
                                                "email-header",
                                                "email-message-id",
                                                "email-reply-to",
                                                "email-src",
                                                "email-src-display-name",
                                                "email-subject",
                                                "email-x-mailer",
                                                "filename|authentihash",
                                                "filename|imphash",
                                                "filename|sha224",
                                                "filename|sha384",
                                                "filename|sha512",
                                                "filename|ssdeep",
                                                "filename|tlsh",
                                                "hassh-md5",
                                                "hasshserver-md5",
                                                "http-method",
                                                "imphash",
                                                "impfuzzy",
                                                "ja3s-fingerprint-md5",
                                                "jarm-fingerprint",
                                                "link",
                                                "malware-sample",
                                                "malware-type",
                                                "mime-type",
                                                "mutex",
                                                "named pipe",
                                                "other",
                                                "pattern-in-file",
                                                "pattern-in-memory",
                                                "pattern-in-traffic",
                                                "pdb",
                                                "pehash",
                                                "phone-number",
                                                "port",
                                                "regkey",
                                                "regkey|value",
                                                "sha224",
                                                "sha3-256",
                                                "sha384",
                                                "sha512",
                                                "sha512/224",
                                                "sha512/256",
                                                "sigma",
                                                "size-in-bytes",
                                                "snort",
                                                "ssdeep",
                                                "target-email",
                                                "target-external",
                                                "target-location",
                                                "target-machine",
                                                "target-org",
                                                "target-user",
                                                "text",
                                                "threat-actor",
                                                "tlsh",
                                                "uri",
                                                "vulnerability",
                                                "weakness",
                                                "whois-creation-date",
                                                "whois-registrant-email",
                                                "whois-registrant-name",
                                                "whois-registrant-org",
                                                "whois-registrant-phone",
                                                "whois-registrar",
                                                "windows-scheduled-task",
                                                "windows-service-name",
                                                "x509-fingerprint-md5",
                                                "x509-fingerprint-sha1",
                                                "x509-fingerprint-sha256",
                                                "yara",
                                                "zeek",
                                                "counter",
                                                "float",
                                                "hex",
                                                "boolean",
                                                "anonymised",
                                                "github-username",
                                                "github-repository",
                                                "stix2-pattern",
                                                "community-id",
                                                "dkim",
                                                "dkim-signature",
                                                "favicon-mmh3",
                                                "chrome-extension-id",
                                                "mobile-application-id",
                                                "process-state",
                                                "telfhash",
                                                "cdhash",
                                                "bro",
                                                "identity-card-number"};

bool KnownUnmatched(std::string_view type) {
  return std::find(std::begin(kKnownUnmatched), std::end(kKnownUnmatched), type) !=
         std::end(kKnownUnmatched);
}

std::string Str(const Json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return {};
}

// to_ids is a boolean in feeds and "1"/"0" or 1/0 in some exports.
bool ToIds(const Json& attribute) {
  auto it = attribute.find("to_ids");
  if (it == attribute.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number_integer()) return it->get<std::int64_t>() != 0;
  if (it->is_string()) {
    std::string v = ToLowerAscii(it->get<std::string>());
    return v == "1" || v == "true";
  }
  return false;
}

struct Meta {
  std::vector<std::string> techniques;
  std::string playbook;
  std::optional<int> score;
};

// Tags: misp-galaxy:mitre-attack-pattern="... - T1486" (and any other tag naming an ATT&CK
// id), beffroi:playbook="ransomware", beffroi:score="90", and ransomware galaxies or
// classifications for the ransomware playbook.
void ReadTags(const Json& holder, Meta& meta) {
  auto it = holder.find("Tag");
  if (it == holder.end() || !it->is_array()) return;
  std::size_t n = 0;
  for (const Json& tag : *it) {
    if (++n > 1000) break;
    std::string name = Str(tag, "name");
    if (name.empty()) continue;
    std::string lower = ToLowerAscii(name);
    if (lower.find("attack") != std::string::npos) {
      for (std::string& t : TechniqueIds(name))
        meta.techniques.push_back(std::move(t));
    }
    auto value_of = [&](std::string_view prefix) -> std::optional<std::string> {
      if (lower.rfind(prefix, 0) != 0) return std::nullopt;
      std::string v = name.substr(prefix.size());
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    };
    if (auto v = value_of("beffroi:playbook=")) meta.playbook = ToLowerAscii(*v);
    if (auto v = value_of("beffroi:score=")) {
      if (auto score = ParseInteger(*v))
        meta.score = static_cast<int>(std::clamp(*score, 0L, 100L));
    }
    if (meta.playbook.empty() && lower.find("ransomware") != std::string::npos) {
      meta.playbook = "ransomware";
    }
  }
}

struct EventContext {
  std::string file;
  std::string event_uuid;
  std::string info;
  std::string threat_level;
  Meta meta;
};

void AddValue(const EventContext& ev, const Meta& meta, const std::string& type,
              const std::string& value, const std::string& comment, const std::string& ref,
              FeedContent& out) {
  FeedIndicator i;
  i.type = type;
  i.value = type == "filename" ? FileNameRegex(value) : value;
  int fallback = DefaultScoreFor(type);
  i.score = meta.score ? *meta.score
                       : (ev.meta.score ? *ev.meta.score
                                        : MispThreatLevelScore(ev.threat_level, fallback));
  i.comment = comment.empty() ? ev.info : (ev.info.empty() ? comment : ev.info + ": " + comment);
  i.techniques = ev.meta.techniques;
  i.techniques.insert(i.techniques.end(), meta.techniques.begin(), meta.techniques.end());
  i.playbook = !meta.playbook.empty() ? meta.playbook : ev.meta.playbook;
  i.ref = ref;
  out.Add(std::move(i));
}

// ip-dst may hold a CIDR block in MISP.
std::string AddressType(const std::string& value) {
  return value.find('/') != std::string::npos ? "cidr" : "ip";
}

void ParseAttribute(const EventContext& ev, const Json& a, FeedContent& out) {
  ++out.objects;
  std::string uuid = Str(a, "uuid");
  std::string ref =
      ev.file + ": event " + ev.event_uuid + " attribute " + (uuid.empty() ? "(no uuid)" : uuid);
  if (!a.is_object()) {
    out.Skip("malformed attribute",
             ev.file + ": event " + ev.event_uuid + ": an attribute is not a JSON object");
    return;
  }
  if (!ToIds(a)) {
    out.Skip("to_ids not set");
    return;
  }
  if (a.value("deleted", false) == true) {
    out.Skip("deleted attribute");
    return;
  }
  std::string type = Str(a, "type");
  std::string value = Str(a, "value");
  std::string comment = Str(a, "comment");
  Meta meta;
  ReadTags(a, meta);
  if (value.empty()) {
    out.Skip("empty value", ref + ": attribute of type '" + type + "' has no value");
    return;
  }
  auto split = [&](std::size_t part) {
    std::size_t bar = value.find('|');
    if (bar == std::string::npos) return part == 0 ? value : std::string();
    return part == 0 ? value.substr(0, bar) : value.substr(bar + 1);
  };
  if (type == "md5" || type == "sha1" || type == "sha256" || type == "filename" ||
      type == "domain" || type == "url" || type == "user-agent") {
    AddValue(ev, meta, type, value, comment, ref, out);
  } else if (type == "hostname") {
    AddValue(ev, meta, "domain", value, comment, ref, out);
  } else if (type == "ip-src" || type == "ip-dst") {
    AddValue(ev, meta, AddressType(value), value, comment, ref, out);
  } else if (type == "ip-src|port" || type == "ip-dst|port") {
    AddValue(ev, meta, "ip", split(0), comment, ref, out);
  } else if (type == "domain|ip") {
    AddValue(ev, meta, "domain", split(0), comment, ref, out);
    AddValue(ev, meta, AddressType(split(1)), split(1), comment, ref, out);
  } else if (type == "filename|md5" || type == "filename|sha1" || type == "filename|sha256") {
    std::string c = comment.empty() ? split(0) : comment + " (" + split(0) + ")";
    AddValue(ev, meta, type.substr(9), split(1), c, ref, out);
  } else if (type == "ja3-fingerprint-md5") {
    AddValue(ev, meta, "ja3", value, comment, ref, out);
  } else if (type.empty()) {
    out.Skip("attribute without a type", ref + ": attribute has no type");
  } else if (KnownUnmatched(type)) {
    out.Skip("MISP type " + type + ": not matched by beffroi");
  } else {
    out.Skip("unknown MISP type",
             ref + ": unknown MISP attribute type " + Quote(type) + "; attribute skipped");
  }
}

void ParseAttributes(const EventContext& ev, const Json& holder, FeedContent& out) {
  auto it = holder.find("Attribute");
  if (it == holder.end()) return;
  if (!it->is_array()) {
    out.Skip("malformed attribute",
             ev.file + ": event " + ev.event_uuid + ": \"Attribute\" is not an array");
    return;
  }
  for (const Json& a : *it) {
    if (out.objects >= kMaxFeedObjects) {
      out.Skip("object limit reached", ev.file + ": more than " + std::to_string(kMaxFeedObjects) +
                                           " objects; the rest is skipped");
      return;
    }
    ParseAttribute(ev, a, out);
  }
}

void ParseEventObject(std::string_view name, const Json& event, FeedContent& out) {
  EventContext ev;
  ev.file = std::string(name);
  ev.event_uuid = Str(event, "uuid");
  if (ev.event_uuid.empty()) ev.event_uuid = "(no uuid)";
  ev.info = ToValidUtf8(Str(event, "info"));
  ev.threat_level = Str(event, "threat_level_id");
  ReadTags(event, ev.meta);
  // Galaxies attached to the event carry ATT&CK patterns as clusters.
  if (auto g = event.find("Galaxy"); g != event.end() && g->is_array()) {
    for (const Json& galaxy : *g) {
      auto clusters = galaxy.find("GalaxyCluster");
      if (!galaxy.is_object() || clusters == galaxy.end() || !clusters->is_array()) continue;
      for (const Json& c : *clusters) {
        std::string tag = Str(c, "tag_name");
        if (ToLowerAscii(tag).find("attack") != std::string::npos) {
          for (std::string& t : TechniqueIds(tag))
            ev.meta.techniques.push_back(std::move(t));
        }
        if (ev.meta.playbook.empty() && ToLowerAscii(tag).find("ransomware") != std::string::npos)
          ev.meta.playbook = "ransomware";
      }
    }
  }
  ParseAttributes(ev, event, out);
  if (auto objects = event.find("Object"); objects != event.end() && objects->is_array()) {
    for (const Json& object : *objects) {
      if (object.is_object()) ParseAttributes(ev, object, out);
    }
  }
}

}  // namespace

void ParseMispEvent(std::string_view name, std::string_view text, FeedContent& out) {
  SalvagedJson doc = ParseJsonSalvage(text);
  if (!doc.complete) {
    out.Skip("truncated or invalid JSON", std::string(name) + ": not valid JSON at byte " +
                                              std::to_string(doc.offset) + " (" + doc.error +
                                              "); the attributes read before it are kept");
  }
  const Json& root = doc.value;
  if (root.is_object() && root.contains("response") && root["response"].is_array()) {
    for (const Json& item : root["response"]) {
      if (item.is_object() && item.contains("Event")) ParseEventObject(name, item["Event"], out);
    }
    return;
  }
  if (root.is_object() && root.contains("Event") && root["Event"].is_object()) {
    ParseEventObject(name, root["Event"], out);
    return;
  }
  if (root.is_object() && (root.contains("Attribute") || root.contains("Object"))) {
    ParseEventObject(name, root, out);
    return;
  }
  if (doc.complete) {
    out.Skip("not a MISP event", std::string(name) + ": not a MISP event (no \"Event\" object)");
  }
}

Status LoadMispFeedDirectory(const std::string& dir, FeedContent& out) {
  namespace fs = std::filesystem;
  std::string manifest_path = (fs::path(dir) / "manifest.json").string();
  auto text = ReadFileBounded(manifest_path, kMaxFeedFileBytes);
  if (!text) return text.error();
  out.files.push_back(manifest_path);
  SalvagedJson manifest = ParseJsonSalvage(*text);
  if (!manifest.complete) {
    out.Skip("truncated or invalid JSON",
             manifest_path + ": not valid JSON at byte " + std::to_string(manifest.offset) + " (" +
                 manifest.error + "); the events listed before it are read");
  }
  if (!manifest.value.is_object()) {
    out.Skip("not a MISP feed", manifest_path + ": not a MISP manifest (a JSON object of events)");
    return OkStatus();
  }
  for (const auto& [uuid, entry] : manifest.value.items()) {
    // The key becomes a file name: a UUID, nothing that could leave the directory.
    bool safe =
        !uuid.empty() && uuid.size() <= 64 && std::all_of(uuid.begin(), uuid.end(), [](char c) {
          return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                 c == '-';
        });
    if (!safe) {
      out.Skip("bad manifest entry",
               manifest_path + ": event key " + Quote(uuid) + " is not a UUID; skipped");
      continue;
    }
    std::string path = (fs::path(dir) / (uuid + ".json")).string();
    auto event = ReadFileBounded(path, kMaxFeedFileBytes);
    if (!event) {
      out.Skip("missing event file",
               path + ": listed in manifest.json but unreadable: " + event.error().message);
      continue;
    }
    out.files.push_back(path);
    ParseMispEvent(path, *event, out);
  }
  return OkStatus();
}

}  // namespace beffroi::ioc
