// Generates the data of bench/feeds.sh: a host bundle of N observations and an IOC feed of M
// indicators, K of which match observations in the bundle.
//   beffroi-gen-feeds OUT_DIR [--observations N] [--indicators M] [--hits K] [--seed S]
// OUT_DIR/bundle/        events.ndjson + manifest.json (a valid bundle: beffroi-host verify)
//                        60% file events, 25% DNS records, 10% flows, 5% processes; the
//                        observation times spread over May 2021
// OUT_DIR/feed.csv       type,value,score,comment: 70% sha256, 20% domains, 10% IPv4
// OUT_DIR/hashes.txt     the feed's SHA-256 values, one a line (for grep -F -f)
// OUT_DIR/observed.txt   the bundle's file SHA-256 values, one a line
// OUT_DIR/probe.txt      one observed hash, domain and address for the search timing
// Deterministic for a given seed.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/bundle.h"
#include "common/hash.h"
#include "common/text.h"

namespace {

namespace fs = std::filesystem;

std::string Hex(std::mt19937_64& rng, int bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < bytes; i += 8) {
    std::uint64_t v = rng();
    for (int j = 0; j < 16 && static_cast<int>(out.size()) < bytes * 2; ++j) {
      out += kDigits[v & 15];
      v >>= 4;
    }
  }
  return out;
}

std::string Domain(std::uint64_t i) {
  return "host" + std::to_string(i) + ".example-" + std::to_string(i % 997) + ".net";
}

std::string PublicIp(std::uint64_t i) {
  // 100.0.0.0/8 minus the shared 100.64/10 space is plain public address space.
  return "100." + std::to_string(1 + (i >> 16) % 60) + "." + std::to_string((i >> 8) & 255) + "." +
         std::to_string(i & 255);
}

std::string Stamp(std::uint64_t i, std::uint64_t n) {
  // Spread over May 2021.
  std::int64_t start = 1619827200LL * 1'000'000'000;  // 2021-05-01T00:00:00Z
  std::int64_t span = 31LL * 86400 * 1'000'000'000;
  return beffroi::FormatTimestampNs(
      start + static_cast<std::int64_t>(static_cast<double>(span) * static_cast<double>(i) /
                                        static_cast<double>(n)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: beffroi-gen-feeds OUT_DIR [--observations N] [--indicators M] [--hits K] "
                 "[--seed S]\n");
    return 2;
  }
  std::string out = argv[1];
  std::uint64_t n = 1'000'000, m = 1'000'000, k = 1000, seed = 42;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    std::uint64_t v = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--observations")
      n = v;
    else if (flag == "--indicators")
      m = v;
    else if (flag == "--hits")
      k = v;
    else if (flag == "--seed")
      seed = v;
    else {
      std::fprintf(stderr, "gen-feeds: unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  std::mt19937_64 rng(seed);
  fs::create_directories(out + "/bundle");
  FILE* ev = std::fopen((out + "/bundle/events.ndjson").c_str(), "w");
  FILE* observed = std::fopen((out + "/observed.txt").c_str(), "w");
  if (ev == nullptr || observed == nullptr) {
    std::perror("gen-feeds");
    return 1;
  }
  const std::string agent =
      R"("agent":{"type":"beffroi-host","version":"0.1.0","id":"00000000000000000000000000000001"},"host":{"name":"bench-fs01"})";
  std::vector<std::string> hit_hashes, hit_domains, hit_ips;
  std::string probe_hash, probe_domain, probe_ip;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string ts = Stamp(i, n);
    std::uint64_t r = i % 20;
    std::string line = R"({"schema":"beffroi/1","@timestamp":")" + ts + "\",";
    std::string client = "10.1." + std::to_string((i >> 8) % 4) + "." + std::to_string(i % 50 + 1);
    if (r < 12) {
      std::string sha = Hex(rng, 32);
      std::fprintf(observed, "%s\n", sha.c_str());
      if (hit_hashes.size() < k * 7 / 10 && i % 97 == 0) hit_hashes.push_back(sha);
      if (probe_hash.empty() && i > n / 2) probe_hash = sha;
      line += R"("event":{"kind":"event","dataset":"beffroi.file"},)" + agent +
              R"(,"file":{"type":"file","path":"/srv/shares/d)" + std::to_string(i % 1000) + "/f" +
              std::to_string(i) + R"(.docx","size":)" + std::to_string(1000 + i % 50000) +
              R"(,"mtime":")" + ts + R"(","hash":{"sha256":")" + sha + "\"}}}";
    } else if (r < 17) {
      std::string name = Domain(rng() % (m * 4));
      if (hit_domains.size() < k * 2 / 10 && i % 89 == 0) hit_domains.push_back(name);
      if (probe_domain.empty() && i > n / 2) probe_domain = name;
      line +=
          R"("event":{"kind":"event","dataset":"beffroi.dns"},)" + agent + R"(,"source":{"ip":")" +
          client +
          R"(","port":53001},"destination":{"ip":"10.1.0.53","port":53},"network":{"transport":"udp"},"dns":{"question":{"name":")" +
          name + "\"}}}";
    } else if (r < 19) {
      std::string ip = PublicIp(rng() % (m * 4));
      if (hit_ips.size() < k / 10 && i % 83 == 0) hit_ips.push_back(ip);
      if (probe_ip.empty() && i > n / 2) probe_ip = ip;
      line += R"("event":{"kind":"event","dataset":"beffroi.flow"},)" + agent +
              R"(,"source":{"ip":")" + client + R"(","port":49152},"destination":{"ip":")" + ip +
              R"(","port":443},"network":{"transport":"tcp","bytes":5120}})";
    } else {
      std::string sha = Hex(rng, 32);
      line += R"("event":{"kind":"state","dataset":"beffroi.process"},)" + agent +
              R"(,"process":{"pid":)" + std::to_string(1000 + i % 30000) +
              R"(,"name":"svc","executable":"/usr/sbin/svc)" + std::to_string(i % 500) +
              R"(","command_line":"/usr/sbin/svc --daemon","hash":{"sha256":")" + sha + "\"}}}";
    }
    line += "\n";
    std::fwrite(line.data(), 1, line.size(), ev);
  }
  std::fclose(ev);
  std::fclose(observed);

  FILE* feed = std::fopen((out + "/feed.csv").c_str(), "w");
  FILE* hashes = std::fopen((out + "/hashes.txt").c_str(), "w");
  if (feed == nullptr || hashes == nullptr) {
    std::perror("gen-feeds");
    return 1;
  }
  std::fprintf(feed, "type,value,score,comment\n");
  std::uint64_t written = 0;
  auto put = [&](const char* type, const std::string& value, const char* comment) {
    std::fprintf(feed, "%s,%s,80,%s\n", type, value.c_str(), comment);
    if (std::string(type) == "sha256") std::fprintf(hashes, "%s\n", value.c_str());
    ++written;
  };
  for (const auto& h : hit_hashes)
    put("sha256", h, "bench hit");
  for (const auto& d : hit_domains)
    put("domain", d, "bench hit");
  for (const auto& ip : hit_ips)
    put("ip", ip, "bench hit");
  for (std::uint64_t i = 0; written < m; ++i) {
    std::uint64_t r = i % 10;
    if (r < 7) {
      put("sha256", Hex(rng, 32), "bench feed");
    } else if (r < 9) {
      put("domain", "feed" + std::to_string(i) + ".bad-" + std::to_string(i % 991) + ".org",
          "bench feed");
    } else {
      put("ip",
          "198." + std::to_string(18 + (i >> 16) % 2) + "." + std::to_string((i >> 8) & 255) + "." +
              std::to_string(i & 255),
          "bench feed");
    }
  }
  std::fclose(feed);
  std::fclose(hashes);
  FILE* probe = std::fopen((out + "/probe.txt").c_str(), "w");
  if (probe == nullptr) return 1;
  std::fprintf(probe, "%s\n%s\n%s\n", probe_hash.c_str(), probe_domain.c_str(), probe_ip.c_str());
  std::fclose(probe);

  beffroi::Manifest manifest;
  manifest.info.bundle_id = beffroi::RandomUuid();
  manifest.info.agent_name = "beffroi-host";
  manifest.info.agent_version = "0.1.0";
  manifest.info.agent_id = "00000000000000000000000000000001";
  manifest.info.host_name = "bench-fs01";
  manifest.info.os_user = "bench";
  manifest.info.os_uid = 0;
  manifest.info.started = Stamp(0, 1);
  manifest.info.ended = beffroi::FormatTimestampNs(1622505600LL * 1'000'000'000);
  auto digest = beffroi::HashFile(out + "/bundle/events.ndjson");
  if (!digest.ok()) {
    std::fprintf(stderr, "gen-feeds: %s\n", digest.error().message.c_str());
    return 1;
  }
  manifest.files.push_back(
      {"events.ndjson", fs::file_size(out + "/bundle/events.ndjson"), digest->sha256});
  FILE* mf = std::fopen((out + "/bundle/manifest.json").c_str(), "w");
  if (mf == nullptr) return 1;
  std::string text = beffroi::ManifestToJson(manifest).dump(2) + "\n";
  std::fwrite(text.data(), 1, text.size(), mf);
  std::fclose(mf);
  fs::create_directories(out + "/bundle/samples");
  std::printf("%llu observations, %llu indicators, %zu planted hits\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(written),
              hit_hashes.size() + hit_domains.size() + hit_ips.size());
  return 0;
}
