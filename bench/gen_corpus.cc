// beffroi-gen-corpus DIR [--files N] [--large N]: writes a deterministic file tree for the
// host-agent benchmark. Sizes are mixed like a real file server: many small files (log-uniform,
// empty to 256 KiB), a few dozen of 1-20 MiB and `--large` files of 50 MiB. Content is
// pseudo-random (xorshift), so no tool can compress or deduplicate its way ahead.
#include <sys/stat.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct XorShift {
  std::uint64_t s;
  std::uint64_t Next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  double Unit() { return static_cast<double>(Next() >> 11) / 9007199254740992.0; }
};

bool WriteFile(const std::string& path, std::uint64_t size, XorShift& rng,
               std::vector<std::uint64_t>& buf) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  while (size > 0) {
    for (auto& w : buf)
      w = rng.Next();
    std::uint64_t n = std::min<std::uint64_t>(size, buf.size() * 8);
    if (std::fwrite(buf.data(), 1, n, f) != n) {
      std::fclose(f);
      return false;
    }
    size -= n;
  }
  return std::fclose(f) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: beffroi-gen-corpus DIR [--files N] [--large N]\n");
    return 2;
  }
  std::string dir = argv[1];
  long files = 20000, large = 10;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--files") == 0) files = std::atol(argv[i + 1]);
    if (std::strcmp(argv[i], "--large") == 0) large = std::atol(argv[i + 1]);
  }
  XorShift rng{0x9e3779b97f4a7c15ULL};
  std::vector<std::uint64_t> buf(1 << 16);
  ::mkdir(dir.c_str(), 0755);
  std::uint64_t total = 0;
  const long medium = 40;
  for (long i = 0; i < files; ++i) {
    std::string sub = dir + "/d" + std::to_string(i / 100);
    if (i % 100 == 0) ::mkdir(sub.c_str(), 0755);
    std::uint64_t size;
    if (i < large) {
      size = 50ULL << 20;
    } else if (i < large + medium) {
      size = (1ULL << 20) + static_cast<std::uint64_t>(rng.Unit() * (19 << 20));
    } else if (i % 97 == 0) {
      size = 0;
    } else {  // log-uniform between 1 byte and 256 KiB
      size = static_cast<std::uint64_t>(std::exp(rng.Unit() * std::log(256.0 * 1024)));
    }
    if (!WriteFile(sub + "/f" + std::to_string(i) + ".bin", size, rng, buf)) {
      std::perror(sub.c_str());
      return 1;
    }
    total += size;
  }
  std::printf("%ld files, %.2f GiB in %s\n", files, static_cast<double>(total) / (1ULL << 30),
              dir.c_str());
  return 0;
}
