// Format names and detection (see IocFormat in ioc_set.h).
#include "analyzer/ioc/hash_index.h"
#include "analyzer/ioc/ioc_set.h"
#include "analyzer/ioc/network.h"
#include "common/text.h"

namespace beffroi::ioc {
namespace {

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// THOR looks for tags with word-boundary regexes (\Wc2\W): "c2-iocs.txt", not "abc2.txt".
bool ContainsWord(std::string_view text, std::string_view word) {
  for (std::size_t pos = text.find(word); pos != std::string_view::npos;
       pos = text.find(word, pos + 1)) {
    std::size_t end = pos + word.size();
    bool start_ok = pos == 0 || !IsAlnum(text[pos - 1]);
    bool end_ok = end == text.size() || !IsAlnum(text[end]);
    if (start_ok && end_ok) return true;
  }
  return false;
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

std::string_view IocFormatName(IocFormat format) {
  switch (format) {
    case IocFormat::kAuto:
      return "auto";
    case IocFormat::kHashList:
      return "hash";
    case IocFormat::kFilenameList:
      return "filename";
    case IocFormat::kNetworkList:
      return "c2";
    case IocFormat::kCsv:
      return "csv";
    case IocFormat::kTrustedHashList:
      return "trusted-hash";
    case IocFormat::kAllowlist:
      return "allowlist";
  }
  return "auto";
}

IocFormat FormatFromFileName(std::string_view file_name) {
  std::size_t slash = file_name.find_last_of('/');
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  std::string name = ToLowerAscii(file_name);
  if (name.ends_with(".csv")) return IocFormat::kCsv;
  if (Contains(name, "hash")) {
    bool trusted = Contains(name, "falsepositive") || Contains(name, "false-positive") ||
                   Contains(name, "false_positive") || Contains(name, "trusted");
    return trusted ? IocFormat::kTrustedHashList : IocFormat::kHashList;
  }
  if (Contains(name, "filename")) return IocFormat::kFilenameList;
  if (ContainsWord(name, "c2") || Contains(name, "domain")) return IocFormat::kNetworkList;
  return IocFormat::kAuto;
}

IocFormat SniffFormat(std::string_view first_data_line) {
  std::string_view csv_first = first_data_line.substr(0, first_data_line.find(','));
  while (!csv_first.empty() && (csv_first.back() == ' ' || csv_first.back() == '\t')) {
    csv_first.remove_suffix(1);
  }
  if (ToLowerAscii(csv_first) == "type" && Contains(first_data_line, ",")) {
    return IocFormat::kCsv;
  }
  std::string_view field = first_data_line.substr(0, first_data_line.find(';'));
  while (!field.empty() && (field.back() == ' ' || field.back() == '\t'))
    field.remove_suffix(1);
  if (HashKindOfHex(field)) return IocFormat::kHashList;
  NetworkType type = ClassifyC2Value(field);
  if (type != NetworkType::kDomain && CanonicalNetworkValue(type, field).ok()) {
    return IocFormat::kNetworkList;
  }
  if (!Contains(field, "\\") && CanonicalNetworkValue(NetworkType::kDomain, field).ok()) {
    return IocFormat::kNetworkList;
  }
  return IocFormat::kFilenameList;
}

}  // namespace beffroi::ioc
