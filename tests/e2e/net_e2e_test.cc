// beffroi-net end to end, on the captures beffroi-gen-pcaps writes: the DNS names, HTTP hosts,
// URIs, user agents and TLS SNIs we extract must equal what tshark extracts from the same file
// and what the generator put in; malformed files give one clear line and keep what preceded the
// defect; a bundle verifies and holds the HTTP body; `beffroi pcap` finds the EICAR download
// and network indicators, on the host that owns the address.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "common/bundle.h"
#include "common/event.h"
#include "run.h"

namespace beffroi {
namespace {

namespace fs = std::filesystem;
using e2e::RunBinary;
using Names = std::map<std::string, std::set<std::string>>;  // kind -> values

const char* kFixtures = BEFFROI_NET_FIXTURES_DIR;
constexpr const char* kEicarSha256 =
    "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";

// tshark and the generator keep the Host header as sent; ECS url.domain has no port.
std::string WithoutPort(const std::string& host) {
  const auto colon = host.rfind(':');
  if (colon == std::string::npos || host.find(':') != colon) return host;
  return host.substr(0, colon);
}

std::vector<nlohmann::json> ParseNdjson(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

Names OurNames(const std::vector<nlohmann::json>& events) {
  Names n;
  for (const auto& e : events) {
    const std::string d = e["event"]["dataset"];
    if (d == "beffroi.dns" && e.contains("dns") && e["dns"].contains("question")) {
      n["dns"].insert(e["dns"]["question"]["name"].get<std::string>());
    } else if (d == "beffroi.http") {
      if (e["url"].contains("domain")) n["host"].insert(e["url"]["domain"].get<std::string>());
      n["uri"].insert(e["url"]["original"].get<std::string>());
      if (e.contains("user_agent")) n["ua"].insert(e["user_agent"]["original"].get<std::string>());
    } else if (d == "beffroi.tls" && e["tls"]["client"].contains("server_name")) {
      n["sni"].insert(e["tls"]["client"]["server_name"].get<std::string>());
    }
  }
  return n;
}

Names TsharkNames(const std::string& file) {
  auto r = RunBinary({"tshark",
                      "-r",
                      file,
                      "-o",
                      "tcp.reassemble_out_of_order:TRUE",
                      "-T",
                      "fields",
                      "-E",
                      "separator=\t",
                      "-E",
                      "occurrence=a",
                      "-E",
                      "aggregator=\x1f",
                      "-e",
                      "dns.qry.name",
                      "-e",
                      "http.host",
                      "-e",
                      "http.request.uri",
                      "-e",
                      "http.user_agent",
                      "-e",
                      "tls.handshake.extensions_server_name"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  static const char* kKinds[] = {"dns", "host", "uri", "ua", "sni"};
  Names n;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream cols(line);
    std::string col;
    for (int i = 0; i < 5 && std::getline(cols, col, '\t'); ++i) {
      std::istringstream values(col);
      for (std::string v; std::getline(values, v, '\x1f');) {
        if (!v.empty()) n[kKinds[i]].insert(i == 1 ? WithoutPort(v) : v);
      }
    }
  }
  return n;
}

Names ExpectedNames(const std::string& file) {
  Names n;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    const std::string kind = line.substr(0, tab), value = line.substr(tab + 1);
    n[kind].insert(kind == "host" ? WithoutPort(value) : value);
  }
  return n;
}

std::string Dump(const Names& n) {
  std::string out;
  for (const auto& [k, vs] : n)
    for (const auto& v : vs)
      out += "  " + k + "\t" + v + "\n";
  return out;
}

class NetE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("beffroi_net_e2e_" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_);
  }
  void TearDown() override { fs::remove_all(base_); }
  std::string Fixture(const std::string& name) const { return std::string(kFixtures) + "/" + name; }
  fs::path base_;
};

TEST_F(NetE2E, IndicatorsEqualTsharksAndTheGeneratorsOnEveryFixture) {
  ASSERT_EQ(RunBinary({"tshark", "--version"}).exit_code, 0)
      << "tshark is needed (scripts/setup installs it)";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(kFixtures)) {
    const auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".pcap" && ext != ".pcapng")) continue;
    const std::string file = entry.path().string();
    SCOPED_TRACE(file);
    auto r = RunBinary({BEFFROI_NET_BIN, "read", "-q", file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Names ours = OurNames(ParseNdjson(r.out));
    const Names tshark = TsharkNames(file);
    const Names expected = ExpectedNames(std::string(kFixtures) + "/expected/" +
                                         entry.path().stem().string() + ".txt");
    EXPECT_FALSE(expected.empty());
    EXPECT_EQ(ours, tshark) << "ours:\n" << Dump(ours) << "tshark:\n" << Dump(tshark);
    EXPECT_EQ(ours, expected) << "ours:\n" << Dump(ours) << "expected:\n" << Dump(expected);
    ++checked;
  }
  EXPECT_GE(checked, 14);
}

TEST_F(NetE2E, MalformedCapturesGiveOneLineAndKeepWhatCameBefore) {
  struct Case {
    const char* file;
    int exit_code;
    std::uint64_t packets;        // read before the defect
    const char* message_part;     // in the one-line error
    std::uint64_t bad_block = 0;  // pcapng: where the bad block starts (SHB, IDB, one EPB)
  };
  const Case cases[] = {
      {"bad/empty.pcap", 1, 0, "empty.pcap"},
      {"bad/garbage.pcap", 1, 0, "unknown file format"},
      {"bad/header-only.pcap", 0, 0, ""},
      {"bad/cut-record.pcap", 1, 2, "byte 248"},
      {"bad/huge-caplen.pcap", 1, 1, "capture length"},
      {"bad/caplen-over-snaplen.pcap", 0, 3, ""},
      {"bad/unknown-linktype.pcap", 1, 0, "unsupported link type 147"},
      {"bad/pcapng-unknown-block.pcapng", 0, 3, ""},
      {"bad/pcapng-bad-block-length.pcapng", 1, 1, "length of 8", 192},
      {"bad/pcapng-bad-block-length-unaligned.pcapng", 1, 1, "multiple of 4", 192},
      {"bad/pcapng-bad-block-length-past-eof.pcapng", 1, 1, "truncated", 192},
      {"bad/pcapng-bad-block-trailer.pcapng", 1, 1, "don't match", 192},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    auto r = RunBinary({BEFFROI_NET_BIN, "read", "-q", Fixture(c.file)});
    EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
    if (c.exit_code != 0) {
      EXPECT_NE(r.err.find(c.message_part), std::string::npos) << r.err;
      EXPECT_NE(r.err.find(fs::path(c.file).filename().string()), std::string::npos) << r.err;
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
    if (c.bad_block != 0) {
      // libpcap hides pcapng's block structure: the offset is where it stopped reading, at or
      // after the start of the bad block, never inside the good blocks before it.
      const auto at = r.err.find("near byte ");
      ASSERT_NE(at, std::string::npos) << r.err;
      const std::uint64_t named = std::stoull(r.err.substr(at + 10));
      EXPECT_GE(named, c.bad_block) << r.err;
      EXPECT_LE(named, fs::file_size(Fixture(c.file))) << r.err;
    }
    std::uint64_t packets = 0;
    for (const auto& e : ParseNdjson(r.out)) {
      if (e["event"]["dataset"] == "beffroi.capture") packets = e["beffroi"]["capture"]["packets"];
    }
    EXPECT_EQ(packets, c.packets);
  }
}

TEST_F(NetE2E, ABundleVerifiesAndKeepsTheHttpBodyAndTheInputHash) {
  const std::string out = (base_ / "http-bundle").string();
  auto r = RunBinary({BEFFROI_NET_BIN, "read", Fixture("http.pcap"), "--out", out, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto summary = nlohmann::json::parse(r.out);
  EXPECT_EQ(summary["sources"][0]["packets"], 83);
  EXPECT_EQ(summary["sources"][0]["sha256"].get<std::string>().size(), 64u);
  EXPECT_TRUE(fs::exists(fs::path(out) / "samples" / kEicarSha256));
  auto verify = RunBinary({BEFFROI_HOST_BIN, "verify", out});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  // The events point at the sample, with the 5-tuple of the download.
  std::ifstream in(fs::path(out) / "events.ndjson");
  std::stringstream text;
  text << in.rdbuf();
  bool found = false;
  for (const auto& e : ParseNdjson(text.str())) {
    if (e["event"]["dataset"] != "beffroi.http" || !e.contains("file")) continue;
    if (e["file"]["hash"]["sha256"] != kEicarSha256) continue;
    found = true;
    EXPECT_EQ(e["beffroi"]["sample"]["path"], std::string("samples/") + kEicarSha256);
    EXPECT_EQ(e["url"]["path"], "/telechargements/eicar.com.txt");
    EXPECT_TRUE(e["source"].contains("port"));
  }
  EXPECT_TRUE(found);
  // An existing bundle is never overwritten.
  auto again = RunBinary({BEFFROI_NET_BIN, "read", Fixture("http.pcap"), "--out", out});
  EXPECT_EQ(again.exit_code, 1);
}

TEST_F(NetE2E, UsageErrorsAndHelp) {
  EXPECT_EQ(RunBinary({BEFFROI_NET_BIN}).exit_code, 2);
  EXPECT_EQ(RunBinary({BEFFROI_NET_BIN, "read"}).exit_code, 2);
  EXPECT_EQ(
      RunBinary({BEFFROI_NET_BIN, "read", "x.pcap", "--stream-sample-kib", "99999"}).exit_code, 2);
  EXPECT_EQ(RunBinary({BEFFROI_NET_BIN, "capture", "--out", "x"}).exit_code, 2);
  EXPECT_EQ(RunBinary({BEFFROI_NET_BIN, "frobnicate"}).exit_code, 2);
  for (const char* cmd : {"read", "capture"}) {
    auto help = RunBinary({BEFFROI_NET_BIN, cmd, "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("--stream-sample-kib"), std::string::npos);
  }
  auto missing = RunBinary({BEFFROI_NET_BIN, "read", "-q", (base_ / "nope.pcap").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope.pcap"), std::string::npos);
}

TEST_F(NetE2E, LiveCaptureOnLoopbackEndsOnTimeDropsRootAndKeepsTheRawPackets) {
  if (::geteuid() != 0) GTEST_SKIP() << "live capture needs root";
  const std::string out = (base_ / "live").string();
  e2e::RunResult r;
  std::thread capture([&] {
    r = RunBinary({BEFFROI_NET_BIN, "capture", "-i", "lo", "--duration", "3", "--filter",
                   "udp and dst port 5355 and dst host 127.0.0.1", "--out", out, "--json"});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // An LLMNR-style query for etat-civil.example (DNS format on UDP 5355).
  const unsigned char query[] = {0xbe, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                                 0x00, 0x00, 0x00, 0x0a, 'e',  't',  'a',  't',  '-',
                                 'c',  'i',  'v',  'i',  'l',  0x07, 'e',  'x',  'a',
                                 'm',  'p',  'l',  'e',  0x00, 0x00, 0x01, 0x00, 0x01};
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(5355);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::sendto(fd, query, sizeof query, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  ::close(fd);
  const auto start = std::chrono::steady_clock::now();
  capture.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto summary = nlohmann::json::parse(r.out);
  EXPECT_GE(summary["sources"][0]["packets"], 1);
  EXPECT_TRUE(summary["sources"][0].contains("dropped_kernel"));
  // The bundle verifies, holds the raw packets, and was written by nobody, not root.
  EXPECT_EQ(RunBinary({BEFFROI_HOST_BIN, "verify", out}).exit_code, 0);
  struct stat st {};
  ASSERT_EQ(::stat((fs::path(out) / "captures" / "capture-000001.pcap").c_str(), &st), 0);
  const passwd* nobody = ::getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  EXPECT_EQ(st.st_uid, nobody->pw_uid);
  std::ifstream in(fs::path(out) / "events.ndjson");
  std::stringstream text;
  text << in.rdbuf();
  bool dns = false;
  for (const auto& e : ParseNdjson(text.str())) {
    if (e["event"]["dataset"] == "beffroi.dns") {
      dns = e["dns"]["question"]["name"] == "etat-civil.example";
    }
  }
  EXPECT_TRUE(dns) << text.str();
}

#ifdef BEFFROI_BIN
// A hand-made host bundle saying pc-etat-civil-01 has the address of the fixtures' client.
void WriteHostBundle(const std::string& dir) {
  auto writer = BundleWriter::Create(dir);
  ASSERT_TRUE(writer.ok()) << writer.error().message;
  Event e = Event::Make("state", "beffroi.host");
  e.Set("host.name", "pc-etat-civil-01");
  e.SetJson("host.ip", nlohmann::json::array({"10.20.1.15", "fe80::1"}));
  ASSERT_TRUE((*writer)->events().Write(e).ok());
  BundleInfo info;
  info.bundle_id = RandomUuid();
  info.agent_name = "beffroi-host";
  info.agent_version = "0.1.0";
  info.host_name = "pc-etat-civil-01";
  info.started = "2026-06-21T05:00:00.000000Z";
  info.ended = "2026-06-21T05:01:00.000000Z";
  ASSERT_TRUE((*writer)->Finish(info, nlohmann::json::object()).ok());
}

TEST_F(NetE2E, PcapFindsTheEicarDownloadAndNetworkIndicatorsOnTheOwningHost) {
  const std::string db = (base_ / "city.db").string();
  const std::string host_bundle = (base_ / "host-bundle").string();
  WriteHostBundle(host_bundle);
  auto analyzed = RunBinary({BEFFROI_BIN, "analyze", host_bundle, "--db", db});
  ASSERT_EQ(analyzed.exit_code, 0) << analyzed.out << analyzed.err;
  const std::string iocs = (base_ / "c2-iocs.txt").string();
  std::ofstream(iocs) << "example-commune.be;70;Test: the city's own domain as a C2 stand-in\n"
                         "198.51.100.0/24;60;Test: a documentation network\n";
  auto r = RunBinary({BEFFROI_BIN, "pcap", Fixture("http.pcap"), Fixture("dns.pcap"), "--db", db,
                      "--ioc", iocs, "--out", (base_ / "pcap-bundle").string(), "--json"});
  ASSERT_EQ(r.exit_code, 3) << r.out << r.err;  // detections found
  auto list = RunBinary({BEFFROI_BIN, "incidents", "list", "--db", db, "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto incidents = nlohmann::json::parse(list.out);
  bool eicar = false, domain = false;
  for (const auto& inc : incidents) {
    auto show = RunBinary({BEFFROI_BIN, "incidents", "show",
                           std::to_string(inc["id"].get<std::int64_t>()), "--db", db, "--json"});
    ASSERT_EQ(show.exit_code, 0) << show.err;
    auto detail = nlohmann::json::parse(show.out);
    for (const auto& d : detail["detections_list"]) {
      const std::string kind = d["kind"], path = d.value("file_path", "");
      if (kind == "yara" && d.value("sha256", "") == kEicarSha256) {
        eicar = true;
        EXPECT_EQ(detail["host"], "pc-etat-civil-01") << detail.dump();
        EXPECT_EQ(d["reasons"]["connection"].get<std::string>().rfind("tcp 10.20.1.15:", 0), 0u)
            << d.dump();
      }
      if (kind == "ioc.network" && d["rule"] == "domain:example-commune.be") {
        domain = true;
        EXPECT_EQ(path.rfind("net:", 0), 0u) << path;  // the conversation, without the port
        EXPECT_FALSE(d["reasons"]["connection"].get<std::string>().empty());
      }
    }
  }
  EXPECT_TRUE(eicar) << incidents.dump(1);
  EXPECT_TRUE(domain) << incidents.dump(1);
  // The same captures again add nothing.
  auto again = RunBinary({BEFFROI_BIN, "pcap", Fixture("http.pcap"), Fixture("dns.pcap"), "--db",
                          db, "--ioc", iocs, "--json"});
  EXPECT_EQ(again.exit_code, 3) << again.err;
  auto list2 = RunBinary({BEFFROI_BIN, "incidents", "list", "--db", db, "--json"});
  EXPECT_EQ(nlohmann::json::parse(list2.out).size(), incidents.size());
}
#endif

}  // namespace
}  // namespace beffroi
