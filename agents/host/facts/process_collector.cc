// The "processes" collector: one beffroi.process state event per process in procfs, with its
// parent, command line, real user, start time, executable and the executable's SHA-256.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "agents/host/facts/collector.h"
#include "agents/host/facts/limits.h"
#include "agents/host/facts/parsers.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/text.h"

namespace beffroi::host::facts {

namespace {

constexpr std::string_view kCollector = "processes";
// readlink of /proc/PID/exe appends this when the file was unlinked after exec: a binary that
// deleted itself is a classic malware trait.
constexpr std::string_view kDeletedSuffix = " (deleted)";

struct HashOutcome {
  std::string sha256;  // empty on failure
  std::string error;   // empty on success, or when the process simply exited
};

// common's HashFile opens with O_NOFOLLOW, which refuses the /proc/PID/exe magic link (ELOOP).
// Here following it is the point: it reaches the running image even when the file was deleted
// or lives in another mount namespace, so the file is opened here and hashed with HashFd.
Result<UniqueFd> OpenExecutable(const std::string& path, int& err) {
  int fd = OpenNoAtime(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    err = errno;
    return MakeError(ErrorCode::kIo, "open " + path + ": " + std::strerror(err));
  }
  return UniqueFd(fd);
}

// Hashes each executable once per (device, inode): a host runs hundreds of processes from a
// few dozen binaries.
class ExecutableHasher {
 public:
  HashOutcome Hash(const std::string& exe_link) {
    int err = 0;
    auto fd = OpenExecutable(exe_link, err);
    if (!fd.ok()) return HashOutcome{{}, err == ENOENT ? std::string() : fd.error().message};
    struct stat st {};
    if (::fstat(fd->get(), &st) != 0) {
      return HashOutcome{{}, "stat " + exe_link + ": " + std::strerror(errno)};
    }
    if (!S_ISREG(st.st_mode)) return HashOutcome{{}, exe_link + ": not a regular file"};
    auto key = std::make_pair(st.st_dev, st.st_ino);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    auto digest = HashFd(fd->get(), exe_link, kSha256);
    HashOutcome outcome =
        digest.ok() ? HashOutcome{digest->sha256, {}} : HashOutcome{{}, digest.error().message};
    cache_.emplace(key, outcome);
    return outcome;
  }
  std::uint64_t hashed() const { return cache_.size(); }

 private:
  std::map<std::pair<dev_t, ino_t>, HashOutcome> cache_;
};

struct BootClock {
  std::optional<std::uint64_t> boot_time_s;
  std::uint64_t ticks_per_second = 0;
};

// Without a boot time the start times are left out; the host collector reports the failure.
BootClock ReadBootClock(const CollectorContext& ctx) {
  BootClock clock;
  long hz = ::sysconf(_SC_CLK_TCK);
  clock.ticks_per_second = hz > 0 ? static_cast<std::uint64_t>(hz) : 0;
  auto text = ReadFileBounded(ctx.ProcPath("stat"), kMaxProcStatBytes);
  if (text.ok()) clock.boot_time_s = ParseProcStatBootTime(*text);
  return clock;
}

void SetCommandLine(const std::string& dir, Event& e) {
  auto text = ReadFileBounded(dir + "/cmdline", kMaxCmdlineBytes);
  if (!text.ok()) {
    if (text.error().code != ErrorCode::kNotFound) {
      e.Set("beffroi.process.command_line_error", text.error().message);
    }
    return;
  }
  std::vector<std::string> args = SplitCmdline(*text);
  if (args.empty()) return;  // kernel threads and zombies have no command line
  std::string joined;
  for (const std::string& arg : args) {
    if (!joined.empty()) joined.push_back(' ');
    joined += arg;
  }
  e.Set("process.command_line", joined);
  e.Set("process.args_count", static_cast<std::uint64_t>(args.size()));
  e.SetJson("process.args", StringArray(args));
}

void SetUser(const std::string& dir, Event& e) {
  auto text = ReadFileBounded(dir + "/status", kMaxProcSmallFileBytes);
  if (!text.ok()) return;
  ProcStatus status = ParseProcStatus(*text);
  if (status.real_uid) e.Set("process.user.id", std::to_string(*status.real_uid));
}

void SetExecutable(const CollectorContext& ctx, const std::string& dir, ExecutableHasher& hasher,
                   Event& e) {
  int err = 0;
  auto link = ReadLink(dir + "/exe", &err);
  if (link.ok()) {
    std::string exe = std::move(*link);
    bool deleted = exe.ends_with(kDeletedSuffix);
    if (deleted) exe.resize(exe.size() - kDeletedSuffix.size());
    e.Set("process.executable", exe).Set("beffroi.process.executable_deleted", deleted);
  }
  // ENOENT: a kernel thread (no executable) or a process that has just exited.
  if (!ctx.options().hash_executables || (!link.ok() && err == ENOENT)) return;
  HashOutcome hash = hasher.Hash(dir + "/exe");
  if (!hash.sha256.empty()) e.Set("process.hash.sha256", hash.sha256);
  if (!hash.error.empty()) e.Set("beffroi.process.hash_error", hash.error);
}

void CollectProcess(CollectorContext& ctx, std::uint64_t pid, const BootClock& clock,
                    ExecutableHasher& hasher) {
  std::string dir = ctx.ProcPath(std::to_string(pid));
  auto stat_text = ReadFileBounded(dir + "/stat", kMaxProcSmallFileBytes);
  if (!stat_text.ok()) {
    // Processes exit while we walk; that is not an anomaly, just a count.
    ctx.Count(IsDirectory(dir) ? "processes.unreadable" : "processes.vanished");
    return;
  }
  auto stat = ParseProcStat(*stat_text);
  if (!stat) {
    ctx.Count("processes.unparsed");
    return;
  }
  Event e = Event::Make("state", "beffroi.process");
  e.Set("process.pid", pid).Set("process.parent.pid", stat->ppid).Set("process.name", stat->comm);
  if (clock.boot_time_s) {
    auto start = ProcessStartUnixNs(*clock.boot_time_s, stat->start_ticks, clock.ticks_per_second);
    if (start) e.Set("process.start", FormatTimestampNs(*start));
  }
  SetCommandLine(dir, e);
  SetUser(dir, e);
  SetExecutable(ctx, dir, hasher, e);
  ctx.Emit(std::move(e));
}

}  // namespace

void CollectProcesses(CollectorContext& ctx) {
  const std::string& proc = ctx.options().proc;
  auto pids = ListPids(ctx);
  if (!pids.ok()) {
    ctx.Fail(kCollector, pids.error().message, proc);
    return;
  }
  if (pids->empty()) {
    ctx.Fail(kCollector, "no process directories in " + proc + " (is procfs mounted?)", proc);
    return;
  }
  BootClock clock = ReadBootClock(ctx);
  ExecutableHasher hasher;
  for (std::uint64_t pid : *pids)
    CollectProcess(ctx, pid, clock, hasher);
  ctx.Count("processes.hashed", hasher.hashed());
}

}  // namespace beffroi::host::facts
