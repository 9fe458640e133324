// The "users" collector: one beffroi.user state event per /etc/passwd account, with its primary
// group name and its membership of administrative groups from /etc/group.
#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agents/host/facts/collector.h"
#include "agents/host/facts/limits.h"
#include "agents/host/facts/parsers.h"

namespace beffroi::host::facts {

namespace {

constexpr std::string_view kCollector = "users";

// Groups whose members can become root: sudo (Debian), wheel (Red Hat, SUSE), and adm, which
// reads every log in /var/log and is a common stepping stone.
constexpr std::array<std::string_view, 3> kPrivilegedGroups = {"sudo", "wheel", "adm"};

// Shells that refuse interactive logins.
constexpr std::array<std::string_view, 2> kNoLoginShellSuffixes = {"nologin", "false"};

struct GroupIndex {
  std::map<std::string, std::string> name_by_gid;
  std::map<std::string, std::string> privileged_by_gid;                // gid -> group name
  std::map<std::string, std::vector<std::string>> privileged_by_user;  // explicit members
};

GroupIndex IndexGroups(const GroupFile& groups) {
  GroupIndex index;
  for (const GroupEntry& g : groups.entries) {
    index.name_by_gid.emplace(g.gid, g.name);  // the first entry for a gid wins, like getgrgid
    bool privileged = std::find(kPrivilegedGroups.begin(), kPrivilegedGroups.end(), g.name) !=
                      kPrivilegedGroups.end();
    if (!privileged) continue;
    index.privileged_by_gid.emplace(g.gid, g.name);
    for (const std::string& member : g.members)
      index.privileged_by_user[member].push_back(g.name);
  }
  return index;
}

// An absent /etc/group only costs the group names; an unreadable one is reported.
GroupFile ReadGroups(CollectorContext& ctx) {
  std::string path = ctx.RootPath("etc/group");
  auto text = ReadRootFile(ctx, path, kMaxGroupBytes);
  if (!text.ok()) {
    if (text.error().code != ErrorCode::kNotFound) ctx.Fail(kCollector, text.error().message, path);
    return GroupFile{};
  }
  GroupFile groups = ParseGroup(*text);
  ctx.Count("users.unparsed", groups.unparsed);
  return groups;
}

bool LoginAllowed(std::string_view shell) {
  for (std::string_view suffix : kNoLoginShellSuffixes) {
    if (shell.ends_with(suffix)) return false;
  }
  return true;
}

std::vector<std::string> PrivilegedGroupsOf(const PasswdEntry& user, const GroupIndex& index) {
  std::vector<std::string> out;
  if (auto it = index.privileged_by_user.find(user.name); it != index.privileged_by_user.end()) {
    out = it->second;
  }
  // Membership through the primary group does not appear in the member list.
  if (auto it = index.privileged_by_gid.find(user.gid); it != index.privileged_by_gid.end()) {
    out.push_back(it->second);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

void CollectUsers(CollectorContext& ctx) {
  std::string path = ctx.RootPath("etc/passwd");
  auto text = ReadRootFile(ctx, path, kMaxPasswdBytes);
  if (!text.ok()) {
    ctx.Fail(kCollector, text.error().message, path);  // every Linux system has one
    return;
  }
  PasswdFile passwd = ParsePasswd(*text);
  ctx.Count("users.unparsed", passwd.unparsed);
  GroupIndex groups = IndexGroups(ReadGroups(ctx));
  for (const PasswdEntry& u : passwd.entries) {
    Event e = Event::Make("state", "beffroi.user");
    e.Set("user.name", u.name).Set("user.id", u.uid).Set("user.group.id", u.gid);
    if (auto it = groups.name_by_gid.find(u.gid); it != groups.name_by_gid.end()) {
      e.Set("user.group.name", it->second);
    }
    if (!u.full_name.empty()) e.Set("user.full_name", u.full_name);
    e.Set("beffroi.user.home", u.home).Set("beffroi.user.shell", u.shell);
    e.Set("beffroi.user.login_allowed", LoginAllowed(u.shell));
    e.SetJson("beffroi.user.privileged_groups", StringArray(PrivilegedGroupsOf(u, groups)));
    ctx.Emit(std::move(e));
  }
}

}  // namespace beffroi::host::facts
