#include "common/identity.h"

#include <pwd.h>
#include <unistd.h>

#include <vector>

#include "common/fs.h"
#include "common/hash.h"
#include "common/text.h"

namespace beffroi {

std::string LocalHostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return ToValidUtf8(buf);
}

std::string LocalMachineId(const std::string& root) {
  auto text = ReadFileBounded(root + "/etc/machine-id", 4096);
  if (!text.ok()) return {};
  std::string id = *text;
  while (!id.empty() && (id.back() == '\n' || id.back() == ' '))
    id.pop_back();
  return IsHex(id, 32) ? id : std::string();
}

std::string AccountName(unsigned uid) {
  std::vector<char> buf(16384);
  struct passwd pw {};
  struct passwd* result = nullptr;
  if (::getpwuid_r(static_cast<uid_t>(uid), &pw, buf.data(), buf.size(), &result) == 0 &&
      result != nullptr && result->pw_name != nullptr) {
    return ToValidUtf8(result->pw_name);
  }
  return std::to_string(uid);
}

}  // namespace beffroi
