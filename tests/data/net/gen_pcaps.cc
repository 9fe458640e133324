// beffroi-gen-pcaps: writes the network agent's capture fixtures and its benchmark capture.
//
//   beffroi-gen-pcaps fixtures OUTDIR
//   beffroi-gen-pcaps bench OUTFILE [--size 1GiB] [--seed N]
//
// Every byte is built by hand here (never by the project's parsers), so the captures and the
// expected/<fixture>.txt files are independent ground truth. Deterministic: the same command
// writes the same bytes on every run. Exit codes: 0 ok, 1 I/O error, 2 usage error.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "bench_capture.h"
#include "fixtures.h"

namespace beffroi::testdata::net {
namespace {

constexpr std::uint64_t kDefaultBenchSize = std::uint64_t{1} << 30;

int Usage() {
  std::fprintf(stderr,
               "usage: beffroi-gen-pcaps fixtures OUTDIR\n"
               "       beffroi-gen-pcaps bench OUTFILE [--size 1GiB] [--seed N]\n");
  return 2;
}

// "1GiB", "50MiB", "64KiB", "100MB", "1234": bytes, or 0 when unreadable.
std::uint64_t ParseSize(std::string_view text) {
  std::size_t i = 0;
  std::uint64_t n = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (n > (~std::uint64_t{0} - 9) / 10) return 0;
    n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  if (i == 0) return 0;
  const std::string_view unit = text.substr(i);
  std::uint64_t mult = 0;
  if (unit.empty() || unit == "B") mult = 1;
  if (unit == "KiB" || unit == "K") mult = std::uint64_t{1} << 10;
  if (unit == "MiB" || unit == "M") mult = std::uint64_t{1} << 20;
  if (unit == "GiB" || unit == "G") mult = std::uint64_t{1} << 30;
  if (unit == "KB") mult = 1000;
  if (unit == "MB") mult = 1000 * 1000;
  if (unit == "GB") mult = 1000 * 1000 * 1000;
  if (mult == 0 || n > (std::uint64_t{1} << 50) / mult) return 0;
  return n * mult;
}

bool MakeDir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "gen_pcaps: cannot create %s: %s\n", dir.c_str(), ec.message().c_str());
    return false;
  }
  return true;
}

bool WriteFixture(const std::filesystem::path& out, const Fixture& f) {
  const std::filesystem::path file = out / f.file;
  if (!MakeDir(file.parent_path()) || !WriteWholeFile(file.string(), f.bytes)) return false;
  if (!f.has_expected) return true;
  std::string text;
  for (const std::string& line : f.expected)
    text += line + "\n";
  const std::filesystem::path expected =
      out / "expected" / (std::filesystem::path(f.file).stem().string() + ".txt");
  return MakeDir(expected.parent_path()) && WriteWholeFile(expected.string(), AsBytes(text));
}

int Fixtures(const std::filesystem::path& out) {
  std::vector<Fixture> all = {DnsFixture(),  HttpFixture(),        TlsFixture(),
                              FragFixture(), MixedPcapngFixture(), NanosecondFixture()};
  const std::pair<Link, const char*> links[] = {
      {Link::kEthernet, "ethernet"}, {Link::kVlan, "vlan"}, {Link::kQinQ, "qinq"},
      {Link::kSll, "sll"},           {Link::kSll2, "sll2"}, {Link::kRaw, "raw"},
      {Link::kNull, "null"},         {Link::kLoop, "loop"}};
  for (const auto& [link, name] : links)
    all.push_back(LinkFixture(link, name));
  for (Fixture& f : BadFixtures())
    all.push_back(std::move(f));
  for (const Fixture& f : all) {
    if (!WriteFixture(out, f)) return 1;
  }
  std::printf("wrote %zu captures to %s\n", all.size(), out.c_str());
  return 0;
}

int Bench(int argc, char** argv) {
  const std::string path = argv[2];
  std::uint64_t size = kDefaultBenchSize;
  std::uint64_t seed = 1;
  for (int i = 3; i < argc; i += 2) {
    if (i + 1 >= argc) return Usage();
    if (std::strcmp(argv[i], "--size") == 0) {
      size = ParseSize(argv[i + 1]);
      if (size == 0) return Usage();
    } else if (std::strcmp(argv[i], "--seed") == 0) {
      char* end = nullptr;
      seed = std::strtoull(argv[i + 1], &end, 10);
      if (end == argv[i + 1] || *end != '\0') return Usage();
    } else {
      return Usage();
    }
  }
  BenchStats stats;
  if (!WriteBenchCapture(path, size, seed, &stats)) return 1;
  std::printf("%s: %llu packets, %llu bytes (%.1f MiB)\n", path.c_str(),
              static_cast<unsigned long long>(stats.packets),
              static_cast<unsigned long long>(stats.bytes),
              static_cast<double>(stats.bytes) / (1024.0 * 1024.0));
  return 0;
}

}  // namespace
}  // namespace beffroi::testdata::net

int main(int argc, char** argv) {
  namespace gen = beffroi::testdata::net;
  if (argc == 3 && std::strcmp(argv[1], "fixtures") == 0) return gen::Fixtures(argv[2]);
  if (argc >= 3 && std::strcmp(argv[1], "bench") == 0) return gen::Bench(argc, argv);
  return gen::Usage();
}
