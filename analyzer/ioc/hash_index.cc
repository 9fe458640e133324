#include "analyzer/ioc/hash_index.h"

namespace beffroi::ioc {

std::string_view HashKindName(HashKind kind) {
  switch (kind) {
    case HashKind::kMd5:
      return "md5";
    case HashKind::kSha1:
      return "sha1";
    case HashKind::kSha256:
      return "sha256";
  }
  return "sha256";
}

std::string_view HashKindEcsField(HashKind kind) {
  switch (kind) {
    case HashKind::kMd5:
      return "file.hash.md5";
    case HashKind::kSha1:
      return "file.hash.sha1";
    case HashKind::kSha256:
      return "file.hash.sha256";
  }
  return "file.hash.sha256";
}

std::optional<HashKind> HashKindOfHex(std::string_view hex) {
  std::optional<HashKind> kind;
  switch (hex.size()) {
    case 32:
      kind = HashKind::kMd5;
      break;
    case 40:
      kind = HashKind::kSha1;
      break;
    case 64:
      kind = HashKind::kSha256;
      break;
    default:
      return std::nullopt;
  }
  for (char c : hex) {
    if (HexNibble(c) < 0) return std::nullopt;
  }
  return kind;
}

bool IsTrivialContentHash(std::string_view hex) {
  static constexpr std::string_view kTrivial[] = {
      // empty input
      "d41d8cd98f00b204e9800998ecf8427e",
      "da39a3ee5e6b4b0d3255bfef95601890afd80709",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      // a single "\n"
      "68b329da9893e34099c7d8ad5cb9c940",
      "adc83b19e793491b1c6ea0fd8b46cd9f32e592fc",
      "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b",
  };
  for (std::string_view trivial : kTrivial) {
    if (trivial.size() != hex.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < hex.size() && same; ++i) {
      char c = hex[i];
      same = (c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c) == trivial[i];
    }
    if (same) return true;
  }
  return false;
}

}  // namespace beffroi::ioc
