#include "analyzer/yara/externals.h"

#include "common/file_type.h"
#include "common/text.h"

namespace beffroi::yara {

const std::string& ExternalValue(const Externals& externals, std::string_view name) {
  if (name == "filename") return externals.filename;
  if (name == "filepath") return externals.filepath;
  if (name == "extension") return externals.extension;
  if (name == "filetype") return externals.filetype;
  if (name == "md5") return externals.md5;
  if (name == "owner") return externals.owner;
  static const std::string kEmpty;
  return kEmpty;
}

Externals ExternalsForPath(std::string_view path, std::span<const std::uint8_t> head) {
  Externals ex;
  while (path.size() > 1 && path.back() == '/')
    path.remove_suffix(1);
  std::size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::string_view dir;
  if (slash != std::string_view::npos) {
    dir = path.substr(0, slash);
    while (dir.size() > 1 && dir.back() == '/')
      dir.remove_suffix(1);
    if (dir.empty()) dir = "/";
  }
  ex.filename = std::string(name);
  ex.filepath = std::string(dir);
  // Leading dots belong to the name (".bashrc", "..."), as in os.path.splitext.
  std::size_t first = name.find_first_not_of('.');
  std::size_t dot = name.rfind('.');
  if (first != std::string_view::npos && dot != std::string_view::npos && dot > first) {
    ex.extension = ToLowerAscii(name.substr(dot));
  }
  ex.filetype = std::string(DetectFileType(head));
  return ex;
}

}  // namespace beffroi::yara
