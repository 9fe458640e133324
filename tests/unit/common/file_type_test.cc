#include "common/file_type.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace beffroi {
namespace {

std::span<const std::uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(DetectFileType, RecognisesMagicBytes) {
  EXPECT_EQ(DetectFileType(Bytes(std::string("MZ\x90\x00", 4))), "pe");
  EXPECT_EQ(DetectFileType(Bytes("\x7f"
                                 "ELF\x02\x01")),
            "elf");
  EXPECT_EQ(DetectFileType(Bytes("%PDF-1.7\n")), "pdf");
  EXPECT_EQ(DetectFileType(Bytes("PK\x03\x04....")), "zip");
  EXPECT_EQ(DetectFileType(Bytes("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")), "ole2");
  EXPECT_EQ(DetectFileType(Bytes("#!/bin/sh\nvssadmin delete shadows\n")), "script");
  EXPECT_EQ(DetectFileType(Bytes("Your files are encrypted.\r\n")), "text");
  EXPECT_EQ(DetectFileType(Bytes(std::string("\x00\x01\x02\x03", 4))), "data");
  EXPECT_EQ(DetectFileType({}), "empty");
}

TEST(DetectFileType, FindsTarMagicAtOffset257AndNotBeyondTheBuffer) {
  std::string tar(512, '\0');
  tar.replace(257, 5, "ustar");
  EXPECT_EQ(DetectFileType(Bytes(tar)), "tar");
  EXPECT_EQ(DetectFileType(Bytes(tar.substr(0, 260))), "data");  // cut inside the magic
}

TEST(DetectFileType, TruncationSweepOverEveryPrefix) {
  std::string pe = "MZ" + std::string(300, 'A');
  for (std::size_t n = 0; n <= pe.size(); ++n) {
    auto type = DetectFileType(Bytes(pe.substr(0, n)));
    EXPECT_FALSE(type.empty());
  }
}

TEST(ShannonEntropy, IsZeroForConstantAndEightForUniformBytes) {
  std::vector<std::uint8_t> same(4096, 'a');
  EXPECT_DOUBLE_EQ(ShannonEntropy(same), 0.0);
  std::vector<std::uint8_t> uniform;
  for (int r = 0; r < 16; ++r) {
    for (int b = 0; b < 256; ++b)
      uniform.push_back(static_cast<std::uint8_t>(b));
  }
  EXPECT_NEAR(ShannonEntropy(uniform), 8.0, 1e-9);
  EXPECT_DOUBLE_EQ(ShannonEntropy({}), 0.0);
}

}  // namespace
}  // namespace beffroi
