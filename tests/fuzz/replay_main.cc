// Replays a libFuzzer target over files and directories of seed inputs, so that every normal
// build checks the fuzz targets compile and that no committed seed crashes. With
// -DBEFFROI_FUZZ=ON (clang) the real libFuzzer main is linked instead.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

int RunFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 0;
  // The empty input always runs: every parser must accept it.
  LLVMFuzzerTestOneInput(nullptr, 0);
  ++runs;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg, ec)) {
        if (entry.is_regular_file(ec)) runs += RunFile(entry.path());
      }
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      runs += RunFile(arg);
    } else {
      std::fprintf(stderr, "replay: %s: not found\n", argv[i]);
      return 1;
    }
  }
  std::printf("replayed %d inputs\n", runs);
  return 0;
}
