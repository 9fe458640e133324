#include "analyzer/cli/observation_match.h"

#include <nlohmann/json.hpp>

#include "analyzer/cli/context.h"
#include "analyzer/cli/matcher.h"
#include "analyzer/cli/net_ingest.h"
#include "analyzer/ioc/network.h"
#include "analyzer/yara/rule_info.h"
#include "common/text.h"

namespace beffroi::cli {
namespace {

constexpr std::size_t kMaxCommandWords = 256;

bool Unspecified(const std::string& ip) {
  return ip.empty() || ip == "0.0.0.0" || ip == "::" || ip == "*";
}

}  // namespace

std::vector<std::string> CommandWords(std::string_view line) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && out.size() < kMaxCommandWords) out.push_back(word);
    word.clear();
  };
  for (char c : line.substr(0, 64 * 1024)) {
    if (std::string_view(" \t\r\n|;&<>()`'\"=").find(c) != std::string_view::npos) {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  return out;
}

std::vector<correlate::Finding> ObservationMatcher::Match(const store::ObservationView& v) const {
  if (v.table == "file") return MatchFile(v);
  if (v.table == "net") return MatchNet(v);
  return MatchHost(v);
}

std::vector<correlate::Finding> ObservationMatcher::MatchFile(
    const store::ObservationView& v) const {
  FileFacts facts;
  facts.path = v.path;
  facts.digests.sha256 = v.sha256;
  facts.digests.md5 = v.md5;
  facts.digests.sha1 = v.sha1;
  // When the file came to be as it is, not when an agent listed it: a retro-hunt dates the
  // incident from the evidence.
  facts.observed_at = v.mtime.empty() ? v.observed_at : v.mtime;
  return FileIocFindings(iocs_, facts);
}

void ObservationMatcher::Network(const std::string& field, const std::string& locator,
                                 const store::ObservationView& v,
                                 std::vector<ioc::NetworkHit>& hits,
                                 std::vector<correlate::Finding>& out) const {
  for (const ioc::NetworkHit& h : hits) {
    out.push_back(NetworkIndicatorFinding(h, field, locator, v.observed_at));
    out.back().reasons["observation"] = v.kind;
  }
  hits.clear();
}

std::vector<correlate::Finding> ObservationMatcher::MatchNet(
    const store::ObservationView& v) const {
  std::vector<correlate::Finding> out;
  if (network_.empty() && v.sha256.empty()) return out;
  // NetIngest's locator: the conversation without the client's port.
  std::string locator = "net:" + v.transport + " " + v.src_ip + " -> " + v.dst_ip;
  if (v.dst_port != 0) locator += ":" + std::to_string(v.dst_port);
  std::vector<ioc::NetworkHit> hits;
  if (!v.src_ip.empty() && !IsPrivateAddress(v.src_ip)) {
    network_.MatchIp(v.src_ip, hits);
    Network("source.ip", locator, v, hits, out);
  }
  if (!v.dst_ip.empty() && !IsPrivateAddress(v.dst_ip)) {
    network_.MatchIp(v.dst_ip, hits);
    Network("destination.ip", locator, v, hits, out);
  }
  if (!v.domain.empty()) {
    network_.MatchDomain(v.domain, hits);
    std::string field = v.kind == "dns"   ? "dns.question.name"
                        : v.kind == "tls" ? "tls.client.server_name"
                                          : "url.domain";
    Network(field, locator, v, hits, out);
  }
  if (!v.url.empty()) {
    network_.MatchUrl(v.url, hits);
    Network("url.full", locator, v, hits, out);
  }
  network_.MatchJa3(v.ja3, hits);
  Network("tls.client.ja3", locator, v, hits, out);
  network_.MatchJa4(v.ja4, hits);
  Network("tls.client.ja4", locator, v, hits, out);
  network_.MatchUserAgent(v.user_agent, hits);
  Network("user_agent.original", locator, v, hits, out);
  if (!v.sha256.empty()) {
    FileFacts facts;
    facts.path = v.url.empty() ? "stream:" + locator.substr(4) : v.url;
    facts.digests.sha256 = v.sha256;
    facts.observed_at = v.observed_at;
    for (correlate::Finding& f : FileIocFindings(iocs_, facts)) {
      if (f.kind != "ioc.hash") continue;  // a URL is not a path for filename IOCs
      f.reasons["observation"] = v.kind;
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::vector<correlate::Finding> ObservationMatcher::MatchHost(
    const store::ObservationView& v) const {
  std::vector<correlate::Finding> out;
  std::vector<ioc::NetworkHit> hits;
  if (v.kind == "process") {
    FileFacts facts;
    facts.path = v.path;
    facts.digests.sha256 = v.sha256;
    facts.observed_at = v.observed_at;
    for (correlate::Finding& f : FileIocFindings(iocs_, facts)) {
      f.file_path = "process:" + v.path;
      f.reasons["observation"] = "process";
      f.reasons["matched_field"] =
          f.kind == "ioc.hash" ? "process.hash.sha256" : "process.executable";
      if (!v.name.empty()) f.reasons["process"] = v.name;
      if (!v.command_line.empty()) f.reasons["command_line"] = ToValidUtf8(v.command_line);
      out.push_back(std::move(f));
    }
  } else if (v.kind == "socket") {
    std::string locator = "socket:" + v.transport + " " + v.ip + ":" + std::to_string(v.port);
    if (!Unspecified(v.ip) && !IsPrivateAddress(v.ip)) {
      network_.MatchIp(v.ip, hits);
      Network("source.ip", locator, v, hits, out);
    }
  } else if (v.kind == "persistence") {
    std::string locator = "persistence:" + v.path;
    FileFacts facts;
    facts.path = v.path;
    facts.observed_at = v.observed_at;
    auto add = [&](std::vector<correlate::Finding> found, const std::string& field) {
      for (correlate::Finding& f : found) {
        f.file_path = locator;
        f.reasons["observation"] = "persistence";
        f.reasons["matched_field"] = field;
        if (!v.command_line.empty()) f.reasons["command_line"] = ToValidUtf8(v.command_line);
        out.push_back(std::move(f));
      }
    };
    add(FileIocFindings(iocs_, facts), "file.path");
    for (const std::string& word : CommandWords(v.command_line)) {
      if (word.front() == '/') {
        FileFacts w;
        w.path = word;
        w.observed_at = v.observed_at;
        add(FileIocFindings(iocs_, w), "process.command_line");
        continue;
      }
      if (network_.empty()) continue;
      if (word.find("://") != std::string::npos) {
        network_.MatchUrl(word, hits);
        std::size_t host_start = word.find("://") + 3;
        std::string host =
            word.substr(host_start, word.find_first_of("/:?#", host_start) - host_start);
        network_.MatchDomain(host, hits);
        network_.MatchIp(host, hits);
      } else if (word.find('.') != std::string::npos || word.find(':') != std::string::npos) {
        std::string host = word.substr(0, word.find('/'));
        if (std::count(host.begin(), host.end(), ':') == 1) host = host.substr(0, host.find(':'));
        network_.MatchIp(host, hits);
        network_.MatchDomain(host, hits);
      }
      std::vector<correlate::Finding> found;
      Network("process.command_line", locator, v, hits, found);
      add(std::move(found), "process.command_line");
    }
  }
  return out;
}

std::optional<store::HostObservationRow> HostObservationFromEvent(const Event& e,
                                                                  std::int64_t host_id,
                                                                  std::int64_t bundle_id) {
  std::string dataset = e.dataset();
  if (dataset != "beffroi.process" && dataset != "beffroi.socket" &&
      dataset != "beffroi.persistence" && dataset != "beffroi.anomaly") {
    return std::nullopt;
  }
  auto opt = [&](std::string_view key) -> std::optional<std::string> {
    std::string v = e.GetString(key);
    if (v.empty()) return std::nullopt;
    return v;
  };
  store::HostObservationRow r;
  r.host_id = host_id;
  r.bundle_id = bundle_id;
  r.kind = dataset.substr(8);
  r.observed_at = e.GetString("@timestamp");
  nlohmann::json detail = nlohmann::json::object();
  auto keep = [&](std::initializer_list<const char*> keys) {
    for (const char* k : keys)
      if (const auto* v = e.Find(k)) detail[k] = *v;
  };
  if (r.kind == "process") {
    r.name = opt("process.name");
    r.path = opt("process.executable");
    r.sha256 = opt("process.hash.sha256");
    if (r.sha256) *r.sha256 = ToLowerAscii(*r.sha256);
    r.command_line = opt("process.command_line");
    keep({"process.pid", "process.parent.pid", "process.user.id", "process.start",
          "beffroi.process.executable_deleted", "beffroi.process.hash_error"});
  } else if (r.kind == "socket") {
    r.ip = opt("source.ip");
    if (const auto* p = e.Find("source.port"); p != nullptr && p->is_number_integer())
      r.port = p->get<std::int64_t>();
    r.transport = opt("network.transport");
    r.name = opt("process.name");
    keep({"process.pid", "user.id", "beffroi.socket.state", "destination.ip", "destination.port"});
  } else if (r.kind == "persistence") {
    r.name = opt("beffroi.persistence.mechanism");
    r.path = opt("file.path");
    r.command_line = opt("process.command_line");
    keep({"user.name", "beffroi.persistence.schedule", "beffroi.persistence.unit",
          "beffroi.persistence.exec", "beffroi.persistence.enabled", "beffroi.persistence.line"});
  } else {
    r.name = opt("beffroi.anomaly.name");
    r.path = opt("file.path");
    keep({"error.message"});
  }
  if (!detail.empty()) r.detail = Dump(detail);
  return r;
}

store::ObservationView ViewOf(const store::HostObservationRow& r, const std::string& host_name) {
  store::ObservationView v;
  v.table = "host";
  v.host_id = r.host_id;
  v.host_name = host_name;
  v.kind = r.kind;
  v.observed_at = r.observed_at;
  v.source = "bundle";
  v.source_id = r.bundle_id;
  v.name = r.name.value_or("");
  v.path = r.path.value_or("");
  v.sha256 = r.sha256.value_or("");
  v.command_line = r.command_line.value_or("");
  v.ip = r.ip.value_or("");
  v.port = r.port.value_or(0);
  v.transport = r.transport.value_or("");
  return v;
}

}  // namespace beffroi::cli
