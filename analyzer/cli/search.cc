// `beffroi search`: the responder's first questions over stored observations. Which hosts had
// this hash, resolved this domain, contacted this address or range, used this URL, TLS
// fingerprint or user agent, and when. Reads only; indexed lookups (a CIDR range filters the
// distinct stored addresses first).
#include <boost/program_options.hpp>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"
#include "analyzer/cli/parse.h"
#include "analyzer/ioc/hash_index.h"
#include "analyzer/ioc/network.h"
#include "analyzer/ioc/network_matcher.h"
#include "analyzer/store/feeds.h"
#include "common/text.h"

namespace po = boost::program_options;

namespace beffroi::cli {
namespace {

using Field = store::ObservationQuery::Field;

// Where an observation was, for a human: the path, the conversation, the socket.
std::string Where(const store::ObservationView& v) {
  if (v.table == "file") return v.path;
  if (v.table == "net") {
    std::string out = v.transport + " " + v.src_ip;
    if (v.src_port != 0) out += ":" + std::to_string(v.src_port);
    out += " -> " + v.dst_ip;
    if (v.dst_port != 0) out += ":" + std::to_string(v.dst_port);
    if (!v.domain.empty()) out += " " + v.domain;
    if (!v.url.empty()) out += " " + v.url;
    return out;
  }
  if (v.kind == "socket") return v.transport + " " + v.ip + ":" + std::to_string(v.port);
  if (!v.command_line.empty()) return v.path + ": " + v.command_line;
  return v.path;
}

nlohmann::json ViewJson(const store::ObservationView& v) {
  nlohmann::json j = {{"host", v.host_name}, {"observed_at", v.observed_at},
                      {"kind", v.kind},      {"where", Where(v)},
                      {"source", v.source},  {"source_id", v.source_id}};
  auto put = [&](const char* key, const std::string& value) {
    if (!value.empty()) j[key] = value;
  };
  put("path", v.path);
  put("sha256", v.sha256);
  put("md5", v.md5);
  put("sha1", v.sha1);
  put("source_ip", v.src_ip);
  put("destination_ip", v.dst_ip);
  put("domain", v.domain);
  put("url", v.url);
  put("ja3", v.ja3);
  put("user_agent", v.user_agent);
  put("ip", v.ip);
  put("command_line", v.command_line);
  return j;
}

Result<std::string> TimeBound(const std::string& text, const char* flag) {
  if (text.empty()) return std::string();
  auto ns = ParseDateOrAge(text, NowUnixNs());
  if (!ns) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(flag) +
                         ": not a date (2021-06-21, 2021-06-21T03:00:00Z) or an "
                         "age (7d, 12h)");
  }
  return FormatTimestampNs(*ns);
}

}  // namespace

int RunSearch(const Args& args) {
  EngineFlags flags;
  std::string hash, domain, ip, url, ja3, user_agent, since, until;
  bool json = false, subdomains = false;
  std::int64_t limit = 1000;
  po::options_description desc(
      "beffroi search (--hash H | --domain D | --ip IP[/LEN] | --url U | --ja3 J | "
      "--user-agent UA) [options]");
  desc.add_options()("help,h", "show this help")("hash", po::value(&hash),
                                                 "MD5, SHA-1 or SHA-256 of a file or payload")(
      "domain", po::value(&domain), "DNS question, HTTP host or TLS server name")(
      "subdomains", po::bool_switch(&subdomains), "--domain: also names under it (slower)")(
      "ip", po::value(&ip), "an address or a CIDR range (either side of a connection, sockets)")(
      "url", po::value(&url), "a full URL")("ja3", po::value(&ja3), "a TLS client fingerprint")(
      "user-agent", po::value(&user_agent), "an HTTP user agent, exactly")(
      "since", po::value(&since), "only observations at or after this date, or age (7d)")(
      "until", po::value(&until), "only observations at or before this date, or age")(
      "limit", po::value(&limit)->default_value(limit), "at most this many observations (0: all)")(
      "json", po::bool_switch(&json), "print JSON");
  AddDbFlag(desc, flags);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "", 0, nullptr, "search", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc
              << "\nExamples:\n  beffroi search --hash 5b2c...e91f\n"
                 "  beffroi search --ip 203.0.113.0/24 --since 2021-05-01 --json\n";
    return kExitOk;
  }
  int given = !hash.empty() + !domain.empty() + !ip.empty() + !url.empty() + !ja3.empty() +
              !user_agent.empty();
  if (given != 1) {
    return Fail("search", "give exactly one of --hash, --domain, --ip, --url, --ja3, --user-agent",
                kExitUsage);
  }
  if (limit < 0) return Fail("search", "--limit: 0 or more", kExitUsage);
  store::ObservationQuery q;
  q.limit = limit;
  q.subdomains = subdomains;
  auto since_bound = TimeBound(since, "--since");
  if (!since_bound.ok()) return Fail("search", since_bound.error().message, kExitUsage);
  auto until_bound = TimeBound(until, "--until");
  if (!until_bound.ok()) return Fail("search", until_bound.error().message, kExitUsage);
  q.since = *since_bound;
  q.until = *until_bound;
  // An --until date without a time means the whole of that day.
  if (!until.empty() && until.size() == 10 && q.until.size() > 10) {
    q.until = until + "T23:59:59.999999Z";
  }
  bool cidr = false;
  auto canonical = [&](ioc::NetworkType type, const std::string& value) -> Result<std::string> {
    return ioc::CanonicalNetworkValue(type, value);
  };
  Result<std::string> value = std::string();
  if (!hash.empty()) {
    q.field = Field::kHash;
    if (!ioc::HashKindOfHex(hash)) {
      return Fail("search", "--hash: not a 32, 40 or 64 digit hex hash", kExitUsage);
    }
    value = ToLowerAscii(hash);
  } else if (!domain.empty()) {
    q.field = Field::kDomain;
    value = canonical(ioc::NetworkType::kDomain, domain);
  } else if (!ip.empty()) {
    q.field = Field::kIp;
    cidr = ip.find('/') != std::string::npos;
    value = canonical(cidr ? ioc::NetworkType::kCidr : ioc::NetworkType::kIp, ip);
  } else if (!url.empty()) {
    q.field = Field::kUrl;
    value = url;  // stored as the agent saw it
  } else if (!ja3.empty()) {
    q.field = Field::kJa3;
    value = canonical(ioc::NetworkType::kJa3, ja3);
  } else {
    q.field = Field::kUserAgent;
    value = user_agent;
  }
  if (!value.ok()) return Fail("search", value.error().message, kExitUsage);
  q.value = *value;

  auto store = OpenStore(flags, /*read_only=*/true);
  if (!store.ok()) return Fail("search", store.error().message);
  store::ObservationStore observations((*store)->db());
  std::vector<store::ObservationView> found;
  if (cidr) {
    auto addresses = observations.DistinctAddresses();
    if (!addresses.ok()) return Fail("search", addresses.error().message);
    std::vector<ioc::NetworkIndicator> block{
        ioc::NetworkIndicator{ioc::NetworkType::kCidr, q.value, 0, "", "", {}, {}}};
    ioc::NetworkMatcher matcher(block);
    std::vector<ioc::NetworkHit> hits;
    for (const std::string& address : *addresses) {
      hits.clear();
      matcher.MatchIp(address, hits);
      if (hits.empty()) continue;
      store::ObservationQuery one = q;
      one.value = address;
      auto rows = observations.Search(one);
      if (!rows.ok()) return Fail("search", rows.error().message);
      found.insert(found.end(), rows->begin(), rows->end());
    }
  } else {
    auto rows = observations.Search(q);
    if (!rows.ok()) return Fail("search", rows.error().message);
    found = std::move(rows).value();
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return std::tie(a.observed_at, a.host_name, a.table, a.id) <
           std::tie(b.observed_at, b.host_name, b.table, b.id);
  });
  // A conversation inside the range is found by both its addresses: report it once.
  found.erase(
      std::unique(found.begin(), found.end(),
                  [](const auto& a, const auto& b) { return a.table == b.table && a.id == b.id; }),
      found.end());
  bool truncated = limit > 0 && found.size() > static_cast<std::size_t>(limit);
  if (truncated) found.resize(static_cast<std::size_t>(limit));

  struct HostSpan {
    std::string first, last;
    std::size_t count = 0;
  };
  std::map<std::string, HostSpan> hosts;
  for (const auto& v : found) {
    HostSpan& h = hosts[v.host_name];
    if (h.count == 0 || v.observed_at < h.first) h.first = v.observed_at;
    if (h.count == 0 || v.observed_at > h.last) h.last = v.observed_at;
    ++h.count;
  }
  if (json) {
    nlohmann::json out;
    out["query"] = {{"value", q.value},
                    {"since", q.since},
                    {"until", q.until},
                    {"limit", limit},
                    {"field", !hash.empty()     ? "hash"
                              : !domain.empty() ? "domain"
                              : !ip.empty()     ? (cidr ? "cidr" : "ip")
                              : !url.empty()    ? "url"
                              : !ja3.empty()    ? "ja3"
                                                : "user-agent"}};
    out["hosts"] = nlohmann::json::array();
    for (const auto& [name, h] : hosts) {
      out["hosts"].push_back({{"host", name},
                              {"first_seen", h.first},
                              {"last_seen", h.last},
                              {"observations", h.count}});
    }
    out["observations"] = nlohmann::json::array();
    for (const auto& v : found)
      out["observations"].push_back(ViewJson(v));
    out["truncated"] = truncated;
    std::cout << Dump(out, 2) << "\n";
    return kExitOk;
  }
  if (found.empty()) {
    std::printf("no observation of %s\n", ToValidUtf8(q.value).c_str());
    return kExitOk;
  }
  std::printf("%zu observation%s on %zu host%s, %s .. %s%s\n", found.size(),
              found.size() == 1 ? "" : "s", hosts.size(), hosts.size() == 1 ? "" : "s",
              found.front().observed_at.c_str(), found.back().observed_at.c_str(),
              truncated ? " (limit reached: --limit)" : "");
  for (const auto& [name, h] : hosts) {
    std::printf("  %-20s %zu, %s .. %s\n", ToValidUtf8(name).c_str(), h.count, h.first.c_str(),
                h.last.c_str());
  }
  std::printf("\n%-27s %-20s %-12s %s\n", "TIME", "HOST", "KIND", "WHERE");
  for (const auto& v : found) {
    std::printf("%-27s %-20s %-12s %s\n", v.observed_at.c_str(), ToValidUtf8(v.host_name).c_str(),
                v.kind.c_str(), ToValidUtf8(Where(v)).c_str());
  }
  return kExitOk;
}

}  // namespace beffroi::cli
