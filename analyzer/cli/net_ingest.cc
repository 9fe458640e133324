#include "analyzer/cli/net_ingest.h"

#include <arpa/inet.h>

#include <array>

#include "common/hash.h"
#include "common/text.h"

namespace beffroi::cli {
namespace {

constexpr std::size_t kObservationBatch = 10000;

std::optional<std::string> OptString(const Event& e, std::string_view key) {
  std::string v = e.GetString(key);
  if (v.empty()) return std::nullopt;
  return v;
}

std::optional<std::int64_t> OptInt(const Event& e, std::string_view key) {
  const auto* v = e.Find(key);
  if (v == nullptr || !v->is_number_integer()) return std::nullopt;
  return v->get<std::int64_t>();
}

// "tcp 10.0.0.5 -> 203.0.113.7:443": the conversation without the client's ephemeral port, so
// that a beacon's hundred connections are one detection.
std::string Conversation(const Event& e) {
  std::string out = e.GetString("network.transport");
  out += " " + e.GetString("source.ip") + " -> " + e.GetString("destination.ip");
  if (auto port = OptInt(e, "destination.port")) out += ":" + std::to_string(*port);
  return out;
}

std::string FiveTupleText(const Event& e) {
  std::string out = e.GetString("network.transport") + " " + e.GetString("source.ip");
  if (auto port = OptInt(e, "source.port")) out += ":" + std::to_string(*port);
  out += " -> " + e.GetString("destination.ip");
  if (auto port = OptInt(e, "destination.port")) out += ":" + std::to_string(*port);
  return out;
}

std::vector<std::string> Strings(const Event& e, std::string_view key) {
  std::vector<std::string> out;
  const auto* v = e.Find(key);
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& item : *v)
    if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

}  // namespace

bool IsPrivateAddress(const std::string& ip) {
  std::array<std::uint8_t, 16> b{};
  if (inet_pton(AF_INET, ip.c_str(), b.data()) == 1) {
    return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xF0) == 16) ||
           (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
           (b[0] == 100 && (b[1] & 0xC0) == 64);
  }
  if (inet_pton(AF_INET6, ip.c_str(), b.data()) == 1) {
    const bool loopback =
        std::all_of(b.begin(), b.end() - 1, [](auto x) { return x == 0; }) && b[15] == 1;
    return loopback || (b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80);
  }
  return false;
}

correlate::Finding NetworkIndicatorFinding(const ioc::NetworkHit& hit, const std::string& field,
                                           const std::string& locator,
                                           const std::string& observed_at) {
  const ioc::NetworkIndicator& ind = *hit.indicator;
  correlate::Finding f;
  f.kind = "ioc.network";
  f.rule = std::string(ioc::NetworkTypeName(ind.type)) + ":" + ind.value;
  f.score = ind.score;
  f.techniques = ind.techniques;
  f.playbook = ind.playbook;
  f.description = ind.description.empty() ? "Network indicator " + ind.value : ind.description;
  f.file_path = locator;
  f.observed_at = observed_at;
  f.reasons = {{"indicator", ind.value},
               {"type", ioc::NetworkTypeName(ind.type)},
               {"list", ind.source},
               {"field", field},
               {"observed", hit.value}};
  return f;
}

bool IsNetworkDataset(std::string_view d) {
  return d == "beffroi.dns" || d == "beffroi.http" || d == "beffroi.tls" || d == "beffroi.flow";
}

NetIngest::NetIngest(const Engine& engine, store::Store& store,
                     std::optional<std::int64_t> bundle_id)
    : engine_(engine), store_(store), bundle_id_(bundle_id), matcher_(engine.iocs.network()) {}

Result<HostRef> NetIngest::HostForAddress(const std::string& ip, const std::string& seen_at) {
  if (auto it = hosts_by_ip_.find(ip); it != hosts_by_ip_.end()) return it->second;
  auto found = store_.FindHostByAddress(ip);
  if (!found.ok()) return found.error();
  HostRef ref;
  if (found->has_value()) {
    ref = {(*found)->id, (*found)->name};
  } else {
    auto id = store_.UpsertHost(ip, "", seen_at);
    if (!id.ok()) return id.error();
    if (auto s = store_.AddHostAddress(*id, ip, seen_at); !s.ok()) return s.error();
    ref = {*id, ip};
  }
  hosts_by_ip_[ip] = ref;
  return ref;
}

std::vector<correlate::Finding> NetIngest::Match(const Event& e, const std::string& locator) {
  std::vector<correlate::Finding> out;
  if (matcher_.empty()) return out;
  struct Hit {
    std::string field;
    ioc::NetworkHit hit;
  };
  std::vector<Hit> hits;
  std::vector<ioc::NetworkHit> found;
  auto collect = [&](const std::string& field) {
    for (auto& h : found)
      hits.push_back({field, std::move(h)});
    found.clear();
  };
  for (const char* field : {"source.ip", "destination.ip"}) {
    std::string ip = e.GetString(field);
    if (!ip.empty() && !IsPrivateAddress(ip)) {
      matcher_.MatchIp(ip, found);
      collect(field);
    }
  }
  for (const auto& ip : Strings(e, "dns.resolved_ip")) {
    matcher_.MatchIp(ip, found);
    collect("dns.resolved_ip");
  }
  for (const char* field : {"dns.question.name", "url.domain", "tls.client.server_name"}) {
    std::string name = e.GetString(field);
    if (!name.empty()) {
      matcher_.MatchDomain(name, found);
      collect(field);
    }
  }
  if (const auto* answers = e.Find("dns.answers"); answers != nullptr && answers->is_array()) {
    for (const auto& a : *answers) {
      if (!a.is_object() || a.value("type", "") != "CNAME") continue;
      matcher_.MatchDomain(a.value("data", ""), found);
      collect("dns.answers.data");
    }
  }
  if (auto url = e.GetString("url.full"); !url.empty()) {
    matcher_.MatchUrl(url, found);
    collect("url.full");
  }
  matcher_.MatchJa3(e.GetString("tls.client.ja3"), found);
  collect("tls.client.ja3");
  matcher_.MatchJa3(e.GetString("tls.server.ja3s"), found);
  collect("tls.server.ja3s");
  matcher_.MatchJa4(e.GetString("tls.client.ja4"), found);
  collect("tls.client.ja4");
  matcher_.MatchUserAgent(e.GetString("user_agent.original"), found);
  collect("user_agent.original");

  for (const auto& h : hits) {
    correlate::Finding f =
        NetworkIndicatorFinding(h.hit, h.field, locator, e.GetString("@timestamp"));
    f.reasons["event"] = e.dataset();
    f.reasons["connection"] = FiveTupleText(e);
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<correlate::Finding>> NetIngest::OnEvent(
    const Event& e, HostRef& host, std::map<std::string, std::vector<SampleRef>>& samples) {
  const std::string dataset = e.dataset();
  const std::string ts = e.GetString("@timestamp");
  const std::string src = e.GetString("source.ip"), dst = e.GetString("destination.ip");
  // The city's side of the conversation: the private endpoint, the client when both are.
  const std::string& local = IsPrivateAddress(src) || !IsPrivateAddress(dst) ? src : dst;
  if (!local.empty()) {
    auto ref = HostForAddress(local, ts);
    if (!ref.ok()) return ref.error();
    host = *ref;
  }
  store::NetObservationRow row;
  row.host_id = host.id;
  row.bundle_id = bundle_id_;
  row.kind = dataset.substr(dataset.find('.') + 1);
  row.observed_at = ts;
  row.transport = OptString(e, "network.transport");
  row.src_ip = OptString(e, "source.ip");
  row.dst_ip = OptString(e, "destination.ip");
  row.src_port = OptInt(e, "source.port");
  row.dst_port = OptInt(e, "destination.port");
  row.domain = OptString(e, "dns.question.name");
  if (!row.domain) row.domain = OptString(e, "url.domain");
  if (!row.domain) row.domain = OptString(e, "tls.client.server_name");
  if (row.domain) *row.domain = ToLowerAscii(*row.domain);
  row.url = OptString(e, "url.full");
  if (!row.url) row.url = OptString(e, "url.original");
  row.ja3 = OptString(e, "tls.client.ja3");
  row.ja4 = OptString(e, "tls.client.ja4");
  row.user_agent = OptString(e, "user_agent.original");
  row.sha256 = OptString(e, "file.hash.sha256");
  nlohmann::json detail = nlohmann::json::object();
  for (const char* key :
       {"dns.answers", "dns.response_code", "http.response.status_code", "http.request.method",
        "tls.server.subject", "tls.server.issuer", "tls.server.ja3s", "network.bytes",
        "network.packets", "beffroi.stream.source.sha256", "beffroi.stream.destination.sha256"}) {
    if (const auto* v = e.Find(key)) detail[key] = *v;
  }
  if (!detail.empty())
    row.detail = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  batch_.push_back(std::move(row));
  if (batch_.size() >= kObservationBatch) {
    if (auto s = Flush(); !s.ok()) return s.error();
  }

  const std::string locator = "net:" + Conversation(e);
  // Payload samples: stream directions carry the full 5-tuple in their name.
  for (const char* side : {"source", "destination"}) {
    const std::string prefix = std::string("beffroi.stream.") + side;
    std::string sample = e.GetString(prefix + ".sample");
    if (sample.empty()) continue;
    SampleRef ref;
    ref.facts.path = "stream:" + FiveTupleText(e) + " (" + side + " bytes)";
    ref.facts.digests.sha256 = ToLowerAscii(e.GetString(prefix + ".sha256"));
    ref.facts.observed_at = ts;
    ref.host = host;
    ref.connection = FiveTupleText(e);
    samples[sample].push_back(std::move(ref));
  }
  if (std::string body = e.GetString("beffroi.sample.path"); !body.empty()) {
    SampleRef ref;
    ref.facts.path = e.GetString("url.full");
    if (ref.facts.path.empty()) ref.facts.path = e.GetString("url.original");
    ref.facts.digests.sha256 = ToLowerAscii(e.GetString("file.hash.sha256"));
    ref.facts.observed_at = ts;
    ref.host = host;
    ref.connection = FiveTupleText(e);
    samples[body].push_back(std::move(ref));
  }
  return Match(e, locator);
}

Status NetIngest::Flush() {
  Status s = store_.InsertNetObservations(batch_);
  batch_.clear();
  return s;
}

}  // namespace beffroi::cli
