#include "agents/host/file_event.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <mutex>
#include <vector>

#include "agents/host/walker.h"
#include "common/hash.h"
#include "common/text.h"

namespace beffroi::host {

namespace {

std::mutex g_names_mu;
std::map<uid_t, std::string> g_users;
std::map<gid_t, std::string> g_groups;

std::string ModeString(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

void SetCommon(Event& e, const std::string& path, const struct stat& st) {
  std::string_view name = BaseName(path);
  std::string_view dir(path.data(), path.size() - name.size());
  if (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  e.Set("file.path", path);
  e.Set("file.name", name);
  e.Set("file.directory", dir);
  std::string ext = LowerExtension(name);
  if (!ext.empty()) e.Set("file.extension", std::string_view(ext).substr(1));
  e.Set("file.size", static_cast<std::uint64_t>(st.st_size));
  e.Set("file.inode", std::to_string(st.st_ino));
  e.Set("file.device", std::to_string(st.st_dev));
  e.Set("file.uid", std::to_string(st.st_uid));
  e.Set("file.gid", std::to_string(st.st_gid));
  e.Set("file.owner", OwnerName(st.st_uid));
  e.Set("file.group", GroupName(st.st_gid));
  e.Set("file.mode", ModeString(st.st_mode));
  e.Set("file.mtime", FormatTimestamp(st.st_mtim));
  e.Set("file.ctime", FormatTimestamp(st.st_ctim));
  e.Set("file.accessed", FormatTimestamp(st.st_atim));
  if (!IsValidUtf8(path)) {
    e.Set("beffroi.file.path_hex",
          HexEncode(std::span<const std::uint8_t>(
              reinterpret_cast<const std::uint8_t*>(path.data()), path.size())));
  }
}

}  // namespace

namespace {

// Looks a uid or gid up once; `lookup` fills the name or returns false.
template <typename Id, typename Lookup>
std::string CachedName(std::map<Id, std::string>& cache, Id id, Lookup lookup) {
  std::lock_guard<std::mutex> lock(g_names_mu);
  auto it = cache.find(id);
  if (it != cache.end()) return it->second;
  // Directory groups (sssd, winbind) can list thousands of members: grow the buffer on
  // ERANGE instead of recording an empty name.
  std::string name;
  for (std::size_t size = 16384; size <= (16u << 20); size *= 4) {
    std::vector<char> buf(size);
    errno = 0;
    if (const char* found = lookup(buf)) {
      name = ToValidUtf8(found);
      break;
    }
    if (errno != ERANGE) break;
  }
  cache[id] = name;
  return name;
}

}  // namespace

std::string OwnerName(uid_t uid) {
  return CachedName(g_users, uid, [uid](std::vector<char>& buf) -> const char* {
    struct passwd pw {};
    struct passwd* result = nullptr;
    int rc = ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &result);
    errno = rc;
    return rc == 0 && result != nullptr ? result->pw_name : nullptr;
  });
}

std::string GroupName(gid_t gid) {
  return CachedName(g_groups, gid, [gid](std::vector<char>& buf) -> const char* {
    struct group gr {};
    struct group* result = nullptr;
    int rc = ::getgrgid_r(gid, &gr, buf.data(), buf.size(), &result);
    errno = rc;
    return rc == 0 && result != nullptr ? result->gr_name : nullptr;
  });
}

std::string_view MimeTypeFor(std::string_view magic) {
  static const std::map<std::string_view, std::string_view> kTypes = {
      {"pe", "application/vnd.microsoft.portable-executable"},
      {"elf", "application/x-executable"},
      {"macho", "application/x-mach-binary"},
      {"pdf", "application/pdf"},
      {"zip", "application/zip"},
      {"ole2", "application/x-ole-storage"},
      {"rtf", "application/rtf"},
      {"gzip", "application/gzip"},
      {"bzip2", "application/x-bzip2"},
      {"xz", "application/x-xz"},
      {"7z", "application/x-7z-compressed"},
      {"rar", "application/vnd.rar"},
      {"zstd", "application/zstd"},
      {"tar", "application/x-tar"},
      {"png", "image/png"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"sqlite", "application/vnd.sqlite3"},
      {"pcap", "application/vnd.tcpdump.pcap"},
      {"pcapng", "application/x-pcapng"},
      {"script", "text/x-script"},
      {"text", "text/plain"},
      {"data", "application/octet-stream"},
  };
  auto it = kTypes.find(magic);
  return it == kTypes.end() ? std::string_view() : it->second;
}

Event FileEvent(const std::string& path, const struct stat& st) {
  Event e = Event::Make("event", "beffroi.file");
  e.SetJson("event.category", nlohmann::json::array({"file"}));
  e.SetJson("event.type", nlohmann::json::array({"info"}));
  e.Set("file.type", "file");
  SetCommon(e, path, st);
  return e;
}

Event SymlinkEvent(const std::string& path, const struct stat& st, bool read_target) {
  Event e = Event::Make("event", "beffroi.file");
  e.SetJson("event.category", nlohmann::json::array({"file"}));
  e.SetJson("event.type", nlohmann::json::array({"info"}));
  e.Set("file.type", "symlink");
  SetCommon(e, path, st);
  if (!read_target) return e;
  std::vector<char> target(4096);
  ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
  if (n >= 0)
    e.Set("file.target_path", std::string_view(target.data(), static_cast<std::size_t>(n)));
  return e;
}

}  // namespace beffroi::host
