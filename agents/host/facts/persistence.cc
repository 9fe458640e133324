#include "agents/host/facts/persistence.h"

#include "agents/host/facts/limits.h"
#include "agents/host/facts/parsers.h"

namespace beffroi::host::facts {

namespace {

// rc.local runs as root at the end of boot (rc-local.service on systemd hosts).
constexpr std::string_view kRcLocalUser = "root";

}  // namespace

Event MakePersistenceEvent(std::string_view mechanism, const std::string& path) {
  Event e = Event::Make("state", "beffroi.persistence");
  e.Set("beffroi.persistence.mechanism", mechanism).Set("file.path", path);
  return e;
}

std::vector<DirectoryFile> ListRegularFiles(CollectorContext& ctx, const std::string& dir,
                                            std::size_t& budget) {
  std::vector<DirectoryFile> files;
  auto names = ListDirectory(dir, kMaxDirectoryEntries);
  if (!names.ok()) {
    if (names.error().code != ErrorCode::kNotFound) {
      ctx.Fail(kPersistenceCollector, names.error().message, dir);
    }
    return files;
  }
  for (std::string& name : *names) {
    if (budget == 0) break;
    if (name.starts_with('.')) continue;
    std::string path = JoinPath(dir, name);
    if (!IsRegularFile(path)) continue;
    --budget;
    files.push_back(DirectoryFile{std::move(name), std::move(path)});
  }
  return files;
}

void CollectRcLocal(CollectorContext& ctx) {
  std::string path = ctx.RootPath("etc/rc.local");
  auto text = ReadRootFile(ctx, path, kMaxRcLocalBytes);
  if (!text.ok()) {
    // Absent on most modern systems; present but unreadable is worth a look.
    if (text.error().code != ErrorCode::kNotFound) {
      ctx.Fail(kPersistenceCollector, text.error().message, path);
    }
    return;
  }
  if (text->empty()) return;
  Event e = MakePersistenceEvent("rc.local", path);
  e.Set("user.name", kRcLocalUser);
  e.SetJson("beffroi.persistence.exec", StringArray(ParseShellCommands(*text)));
  ctx.Emit(std::move(e));
}

}  // namespace beffroi::host::facts
