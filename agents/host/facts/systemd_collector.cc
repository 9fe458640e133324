// The systemd part of the "persistence" collector: one beffroi.persistence event per service or
// timer unit in the system and per-user unit directories, with what it runs, as whom, when, and
// whether a *.wants/ or *.requires/ link enables it.
#include <sys/stat.h>

#include <array>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agents/host/facts/collector.h"
#include "agents/host/facts/limits.h"
#include "agents/host/facts/parsers.h"
#include "agents/host/facts/persistence.h"
#include "common/fs.h"

namespace beffroi::host::facts {

namespace {

constexpr std::array<std::string_view, 3> kSystemUnitDirectories = {
    "etc/systemd/system", "lib/systemd/system", "usr/lib/systemd/system"};
constexpr std::string_view kUserUnitSubdirectory = ".config/systemd/user";
// System units run as root unless they say otherwise.
constexpr std::string_view kDefaultSystemUser = "root";

struct UnitDirectory {
  std::string path;
  std::string owner;  // the user of a per-user directory; empty for system directories
};

bool IsUnitFile(std::string_view name) {
  return name.ends_with(".service") || name.ends_with(".timer");
}

bool IsDependencyDirectory(std::string_view name) {
  return name.ends_with(".wants") || name.ends_with(".requires");
}

// The existing unit directories, each once: on merged-/usr systems /lib is a link to /usr/lib.
std::vector<UnitDirectory> UnitDirectories(CollectorContext& ctx) {
  std::vector<UnitDirectory> candidates;
  for (std::string_view dir : kSystemUnitDirectories)
    candidates.push_back({ctx.RootPath(dir), {}});
  candidates.push_back({JoinPath(ctx.RootPath("root"), kUserUnitSubdirectory), "root"});
  auto homes = ListDirectory(ctx.RootPath("home"), kMaxHomeDirectories);
  if (homes.ok()) {
    for (const std::string& home : *homes) {
      candidates.push_back({JoinPath(ctx.RootPath("home/" + home), kUserUnitSubdirectory), home});
    }
  }
  std::vector<UnitDirectory> out;
  std::set<std::pair<dev_t, ino_t>> seen;
  for (UnitDirectory& d : candidates) {
    struct stat st {};
    if (::stat(d.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    if (seen.insert({st.st_dev, st.st_ino}).second) out.push_back(std::move(d));
  }
  return out;
}

// Unit names that some *.wants/ or *.requires/ directory links to: by link name and by the
// link target's file name (template instances link "foo@bar.service" to "foo@.service").
std::set<std::string> EnabledUnits(const std::vector<UnitDirectory>& dirs) {
  std::set<std::string> enabled;
  for (const UnitDirectory& d : dirs) {
    auto names = ListDirectory(d.path, kMaxDirectoryEntries);
    if (!names.ok()) continue;  // reported when the units themselves are listed
    for (const std::string& name : *names) {
      std::string sub = JoinPath(d.path, name);
      if (!IsDependencyDirectory(name) || !IsDirectory(sub)) continue;
      auto links = ListDirectory(sub, kMaxDirectoryEntries);
      if (!links.ok()) continue;
      for (const std::string& link : *links) {
        enabled.insert(link);
        auto target = ReadLink(JoinPath(sub, link));
        if (target.ok()) enabled.insert(target->substr(target->rfind('/') + 1));
      }
    }
  }
  return enabled;
}

void EmitUnitFile(CollectorContext& ctx, const UnitDirectory& dir, const std::string& name,
                  bool enabled) {
  std::string path = JoinPath(dir.path, name);
  auto text = ReadFileBounded(path, kMaxUnitFileBytes);
  if (!text.ok()) {
    if (text.error().code != ErrorCode::kNotFound) {
      ctx.Fail(kPersistenceCollector, text.error().message, path);
    }
    return;
  }
  SystemdUnit unit = ParseSystemdUnit(*text);
  ctx.Count("persistence.unparsed", unit.unparsed);
  Event e = MakePersistenceEvent("systemd", path);
  e.Set("beffroi.persistence.unit", name).Set("beffroi.persistence.enabled", enabled);
  std::string user = unit.user;
  if (user.empty()) user = dir.owner.empty() ? std::string(kDefaultSystemUser) : dir.owner;
  e.Set("user.name", user);
  if (const std::string* start = unit.FirstExecStart()) {
    e.Set("process.command_line", StripExecPrefixes(*start));
  }
  std::vector<std::string> commands;
  for (const SystemdExec& x : unit.exec)
    commands.push_back(x.command);
  e.SetJson("beffroi.persistence.exec", StringArray(commands));
  if (!unit.schedule.empty()) {
    std::string schedule;
    for (const std::string& s : unit.schedule)
      schedule += (schedule.empty() ? "" : "; ") + s;
    e.Set("beffroi.persistence.schedule", schedule);
  }
  ctx.Emit(std::move(e));
}

// A unit that is a symlink is an alias, a mask (-> /dev/null) or a unit linked in from
// elsewhere ("systemctl link", a persistence trick). The target is not read: under a mounted
// image an absolute target points into the live system.
void EmitUnitLink(CollectorContext& ctx, const UnitDirectory& dir, const std::string& name,
                  bool enabled) {
  std::string path = JoinPath(dir.path, name);
  auto target = ReadLink(path);
  if (!target.ok()) return;  // removed while we looked
  Event e = MakePersistenceEvent("systemd", path);
  e.Set("beffroi.persistence.unit", name).Set("beffroi.persistence.enabled", enabled);
  e.Set("beffroi.persistence.link_target", *target);
  e.Set("beffroi.persistence.masked", *target == "/dev/null");
  ctx.Emit(std::move(e));
}

}  // namespace

void CollectSystemd(CollectorContext& ctx) {
  std::vector<UnitDirectory> dirs = UnitDirectories(ctx);
  std::set<std::string> enabled = EnabledUnits(dirs);
  std::size_t budget = kMaxUnitFiles;
  for (const UnitDirectory& dir : dirs) {
    auto names = ListDirectory(dir.path, kMaxDirectoryEntries);
    if (!names.ok()) {
      ctx.Fail(kPersistenceCollector, names.error().message, dir.path);
      continue;
    }
    for (const std::string& name : *names) {
      if (budget == 0) return;
      if (!IsUnitFile(name)) continue;
      --budget;
      struct stat st {};
      if (::lstat(JoinPath(dir.path, name).c_str(), &st) != 0) continue;
      bool is_enabled = enabled.contains(name);
      if (S_ISREG(st.st_mode)) EmitUnitFile(ctx, dir, name, is_enabled);
      if (S_ISLNK(st.st_mode)) EmitUnitLink(ctx, dir, name, is_enabled);
    }
  }
}

}  // namespace beffroi::host::facts
