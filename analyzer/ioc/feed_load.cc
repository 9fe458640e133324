// LoadFeed: which reader a path goes to (see feed.h).
#include <algorithm>
#include <filesystem>

#include "analyzer/ioc/feed.h"
#include "common/fs.h"
#include "common/text.h"

namespace beffroi::ioc {
namespace {

namespace fs = std::filesystem;

// First non-blank byte: JSON documents start with '{' or '['.
char FirstByte(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\xEF' && c != '\xBB' &&
        c != '\xBF')
      return c;
  }
  return '\0';
}

// A STIX bundle says "type": "bundle" (or is an indicator); anything else in JSON is MISP.
bool LooksLikeStix(std::string_view text) {
  std::string_view head = text.substr(0, 4096);
  return head.find("\"bundle\"") != std::string_view::npos ||
         head.find("\"spec_version\"") != std::string_view::npos ||
         head.find("\"indicator\"") != std::string_view::npos;
}

void Note(FeedContent& out, FeedFormat format) {
  std::string name(FeedFormatName(format));
  auto at = std::lower_bound(out.formats.begin(), out.formats.end(), name);
  if (at == out.formats.end() || *at != name) out.formats.insert(at, name);
}

Status LoadOne(const std::string& path, FeedFormat format, FeedContent& out) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    bool misp = fs::exists(fs::path(path) / "manifest.json", ec);
    if (format == FeedFormat::kMisp || (format == FeedFormat::kAuto && misp)) {
      Note(out, FeedFormat::kMisp);
      return LoadMispFeedDirectory(path, out);
    }
    if (format == FeedFormat::kStix) {
      return MakeError(ErrorCode::kInvalidArgument, path + ": a directory; give the bundle file");
    }
    Note(out, FeedFormat::kLoki);
    return LoadIocLists(path, format, out);
  }
  if (format == FeedFormat::kLoki || format == FeedFormat::kCsv) {
    Note(out, format);
    return LoadIocLists(path, format, out);
  }
  bool csv = ToLowerAscii(fs::path(path).extension().string()) == ".csv";
  if (format == FeedFormat::kAuto && csv) {
    Note(out, FeedFormat::kCsv);
    return LoadIocLists(path, FeedFormat::kCsv, out);
  }
  auto text = ReadFileBounded(path, kMaxFeedFileBytes);
  if (!text) return text.error();
  char first = FirstByte(*text);
  bool json = first == '{' || first == '[';
  if (format == FeedFormat::kAuto && !json) {
    Note(out, FeedFormat::kLoki);
    return LoadIocLists(path, FeedFormat::kLoki, out);
  }
  out.files.push_back(path);
  if (fs::path(path).filename() == "manifest.json" && format != FeedFormat::kStix) {
    Note(out, FeedFormat::kMisp);
    return LoadMispFeedDirectory(fs::path(path).parent_path().string(), out);
  }
  bool stix = format == FeedFormat::kStix || (format == FeedFormat::kAuto && LooksLikeStix(*text));
  Note(out, stix ? FeedFormat::kStix : FeedFormat::kMisp);
  if (stix) {
    ParseStixBundle(path, *text, out);
  } else {
    ParseMispEvent(path, *text, out);
  }
  return OkStatus();
}

}  // namespace

Status LoadFeed(const std::vector<std::string>& paths, FeedFormat format, FeedContent& out) {
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return MakeError(ErrorCode::kNotFound, path + ": no such file");
    if (Status s = LoadOne(path, format, out); !s.ok()) return s;
  }
  return OkStatus();
}

}  // namespace beffroi::ioc
