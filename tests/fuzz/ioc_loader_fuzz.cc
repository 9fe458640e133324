// Fuzzes the IOC list loaders: the input is written to a temporary file and loaded as every
// format (through the file path, as the scanner does), then matched once. Loading must never
// crash, hang or exceed its bounds, whatever the bytes; warnings are expected.
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "analyzer/ioc/ioc_set.h"

namespace {

// One temporary file per process, rewritten for every input and removed at exit.
struct TempFile {
  TempFile() {
    std::string pattern = "/tmp/beffroi_ioc_fuzz_XXXXXX";
    int fd = mkstemp(pattern.data());
    if (fd >= 0) {
      close(fd);
      path = pattern;
    }
  }
  ~TempFile() {
    if (!path.empty()) unlink(path.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path;
};

const std::string& TempPath() {
  static const TempFile file;
  return file.path;
}

bool WriteInput(const std::uint8_t* data, std::size_t size) {
  if (TempPath().empty()) return false;
  FILE* f = std::fopen(TempPath().c_str(), "wb");
  if (f == nullptr) return false;
  bool ok = size == 0 || std::fwrite(data, 1, size, f) == size;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using beffroi::ioc::IocFormat;
  if (!WriteInput(data, size)) return 0;
  const IocFormat formats[] = {IocFormat::kAuto,         IocFormat::kHashList,
                               IocFormat::kFilenameList, IocFormat::kNetworkList,
                               IocFormat::kCsv,          IocFormat::kTrustedHashList,
                               IocFormat::kAllowlist};
  for (IocFormat format : formats) {
    beffroi::ioc::IocSet set;
    if (!set.Load(TempPath(), format).ok()) __builtin_trap();  // a readable regular file
    beffroi::ioc::IocSummary summary = set.summary();
    if (summary.files.size() != 1 || summary.warnings < set.warnings().size()) __builtin_trap();
    (void)set.MatchFile(
        "C:\\Users\\Public\\Documents\\RyukReadMe.txt",
        beffroi::Digests{"44d88612fea8a8f36de82e1278abb02f", "",
                         "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"});
    (void)set.IsAllowlisted("/srv/backup/x", beffroi::Digests{});
  }
  return 0;
}
