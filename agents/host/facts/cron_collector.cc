// The cron part of the "persistence" collector: one beffroi.persistence event per job in the
// system crontab, /etc/cron.d, the user crontabs in /var/spool/cron, and per script in
// /etc/cron.{hourly,daily,weekly,monthly}.
#include <array>
#include <string>
#include <string_view>

#include "agents/host/facts/collector.h"
#include "agents/host/facts/limits.h"
#include "agents/host/facts/parsers.h"
#include "agents/host/facts/persistence.h"

namespace beffroi::host::facts {

namespace {

struct ScriptDirectory {
  std::string_view dir;
  std::string_view schedule;  // as the equivalent cron nickname
};

// run-parts directories; /etc/crontab (or anacron) runs them as root.
constexpr std::array<ScriptDirectory, 4> kScriptDirectories = {{
    {"etc/cron.hourly", "@hourly"},
    {"etc/cron.daily", "@daily"},
    {"etc/cron.weekly", "@weekly"},
    {"etc/cron.monthly", "@monthly"},
}};

constexpr std::string_view kScriptUser = "root";

// `file_user` names the owner of a user crontab (its file name); system crontabs name the
// user on each line instead.
void EmitCrontab(CollectorContext& ctx, const std::string& path, bool system_format,
                 std::string_view file_user) {
  auto text = ReadRootFile(ctx, path, kMaxCrontabBytes);
  if (!text.ok()) {
    if (text.error().code != ErrorCode::kNotFound) {
      ctx.Fail(kPersistenceCollector, text.error().message, path);
    }
    return;
  }
  Crontab tab = ParseCrontab(*text, system_format);
  ctx.Count("persistence.unparsed", tab.unparsed);
  for (const CronEntry& entry : tab.entries) {
    Event e = MakePersistenceEvent("cron", path);
    e.Set("beffroi.persistence.schedule", entry.schedule)
        .Set("user.name", system_format ? std::string_view(entry.user) : file_user)
        .Set("process.command_line", entry.command)
        .Set("beffroi.persistence.line", static_cast<std::uint64_t>(entry.line));
    ctx.Emit(std::move(e));
  }
}

void EmitScripts(CollectorContext& ctx, const ScriptDirectory& scripts, std::size_t& budget) {
  for (const DirectoryFile& f : ListRegularFiles(ctx, ctx.RootPath(scripts.dir), budget)) {
    Event e = MakePersistenceEvent("cron", f.path);
    e.Set("beffroi.persistence.schedule", scripts.schedule)
        .Set("user.name", kScriptUser)
        .Set("process.command_line", f.path);
    ctx.Emit(std::move(e));
  }
}

}  // namespace

void CollectCron(CollectorContext& ctx) {
  std::size_t budget = kMaxCronFiles;
  EmitCrontab(ctx, ctx.RootPath("etc/crontab"), /*system_format=*/true, {});
  for (const DirectoryFile& f : ListRegularFiles(ctx, ctx.RootPath("etc/cron.d"), budget)) {
    EmitCrontab(ctx, f.path, /*system_format=*/true, {});
  }
  // Debian keeps user crontabs in crontabs/USER, Red Hat directly in /var/spool/cron/USER.
  for (std::string_view dir : {"var/spool/cron/crontabs", "var/spool/cron"}) {
    for (const DirectoryFile& f : ListRegularFiles(ctx, ctx.RootPath(dir), budget)) {
      EmitCrontab(ctx, f.path, /*system_format=*/false, f.name);
    }
  }
  for (const ScriptDirectory& scripts : kScriptDirectories)
    EmitScripts(ctx, scripts, budget);
}

}  // namespace beffroi::host::facts
