#include "common/file_type.h"

#include <array>
#include <cmath>
#include <cstring>

namespace beffroi {

namespace {

struct Magic {
  std::size_t offset;
  std::string_view bytes;
  std::string_view type;
};

// Ordered: the first match wins. Sources: each format's specification (PE/COFF, ELF, PDF 1.7
// §7.5.2, APPNOTE.TXT for ZIP, [MS-CFB] for OLE2, RFC 1952 for gzip, ...).
constexpr Magic kMagics[] = {
    {0, std::string_view("MZ", 2), "pe"},
    {0,
     std::string_view("\x7f"
                      "ELF",
                      4),
     "elf"},
    {0, std::string_view("\xcf\xfa\xed\xfe", 4), "macho"},
    {0, std::string_view("\xce\xfa\xed\xfe", 4), "macho"},
    {0, std::string_view("\xca\xfe\xba\xbe", 4), "macho"},
    {0, std::string_view("%PDF-", 5), "pdf"},
    {0, std::string_view("PK\x03\x04", 4), "zip"},
    {0, std::string_view("PK\x05\x06", 4), "zip"},
    {0, std::string_view("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8), "ole2"},
    {0, std::string_view("{\\rtf", 5), "rtf"},
    {0, std::string_view("\x1f\x8b", 2), "gzip"},
    {0, std::string_view("BZh", 3), "bzip2"},
    {0,
     std::string_view("\xfd"
                      "7zXZ\x00",
                      6),
     "xz"},
    {0, std::string_view("7z\xbc\xaf\x27\x1c", 6), "7z"},
    {0, std::string_view("Rar!\x1a\x07", 6), "rar"},
    {0, std::string_view("\x28\xb5\x2f\xfd", 4), "zstd"},
    {257, std::string_view("ustar", 5), "tar"},
    {0, std::string_view("\x89PNG\r\n\x1a\n", 8), "png"},
    {0, std::string_view("\xff\xd8\xff", 3), "jpeg"},
    {0, std::string_view("GIF8", 4), "gif"},
    {0, std::string_view("SQLite format 3\x00", 16), "sqlite"},
    {0, std::string_view("\xd4\xc3\xb2\xa1", 4), "pcap"},
    {0, std::string_view("\xa1\xb2\xc3\xd4", 4), "pcap"},
    {0, std::string_view("\x4d\x3c\xb2\xa1", 4), "pcap"},
    {0, std::string_view("\xa1\xb2\x3c\x4d", 4), "pcap"},
    {0, std::string_view("\x0a\x0d\x0d\x0a", 4), "pcapng"},
    {0, std::string_view("L\x00\x00\x00\x01\x14\x02\x00", 8), "lnk"},
    {0, std::string_view("#!", 2), "script"},
};

bool LooksLikeText(std::span<const std::uint8_t> head) {
  std::size_t control = 0;
  for (std::uint8_t c : head) {
    if (c == 0) return false;
    if (c < 0x09 || (c > 0x0d && c < 0x20 && c != 0x1b)) ++control;
  }
  return control * 100 <= head.size();  // at most 1% odd control bytes
}

}  // namespace

std::string_view DetectFileType(std::span<const std::uint8_t> head) {
  if (head.empty()) return "empty";
  if (head.size() > kFileTypeProbeBytes) head = head.first(kFileTypeProbeBytes);
  for (const Magic& m : kMagics) {
    if (m.bytes.size() <= head.size() && m.offset <= head.size() - m.bytes.size() &&
        std::memcmp(head.data() + m.offset, m.bytes.data(), m.bytes.size()) == 0) {
      return m.type;
    }
  }
  if (LooksLikeText(head)) return "text";
  return "data";
}

double ShannonEntropy(std::span<const std::uint8_t> data) {
  if (data.empty()) return 0.0;
  std::array<std::uint64_t, 256> counts{};
  for (std::uint8_t b : data)
    ++counts[b];
  double entropy = 0.0;
  const double n = static_cast<double>(data.size());
  for (std::uint64_t c : counts) {
    if (c == 0) continue;
    double p = static_cast<double>(c) / n;
    entropy -= p * std::log2(p);
  }
  return entropy;
}

}  // namespace beffroi
