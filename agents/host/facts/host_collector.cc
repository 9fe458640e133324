// The "host" collector: one beffroi.host state event naming the machine, its OS and kernel,
// how long it has been up and when it booted.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/utsname.h>

#include <cstdint>
#include <set>
#include <string>

#include "agents/host/facts/collector.h"
#include "agents/host/facts/limits.h"
#include "agents/host/facts/parse_util.h"
#include "agents/host/facts/parsers.h"
#include "common/fs.h"
#include "common/text.h"

namespace beffroi::host::facts {

namespace {

constexpr std::string_view kCollector = "host";

// os-release(5): /etc/os-release wins; /usr/lib/os-release is the vendor fallback. A minimal
// container may have neither, which is not a failure.
void SetOsRelease(CollectorContext& ctx, Event& e) {
  for (std::string_view rel : {"etc/os-release", "usr/lib/os-release"}) {
    std::string path = ctx.RootPath(rel);
    auto text = ReadRootFile(ctx, path, kMaxOsReleaseBytes);
    if (!text.ok()) {
      if (text.error().code != ErrorCode::kNotFound) {
        ctx.Fail(kCollector, text.error().message, path);
      }
      continue;
    }
    OsRelease os = ParseOsRelease(*text);
    ctx.Count("host.unparsed", os.unparsed);
    // ECS os.family is the distribution family: the first ID_LIKE entry, else the ID itself.
    std::string like = os.Get("ID_LIKE");
    std::string_view rest = like;
    std::string family(NextToken(rest));
    if (family.empty()) family = os.Get("ID");
    auto set_if = [&](std::string_view key, const std::string& value) {
      if (!value.empty()) e.Set(key, value);
    };
    set_if("host.os.name", os.Get("NAME"));
    set_if("host.os.version", os.Get("VERSION_ID"));
    set_if("host.os.platform", os.Get("ID"));
    set_if("host.os.family", family);
    set_if("host.os.full", os.Get("PRETTY_NAME"));
    return;
  }
}

void SetMachineId(CollectorContext& ctx, Event& e) {
  std::string path = ctx.RootPath("etc/machine-id");
  auto text = ReadRootFile(ctx, path, kMaxMachineIdBytes);
  if (!text.ok()) {
    if (text.error().code != ErrorCode::kNotFound) ctx.Fail(kCollector, text.error().message, path);
    return;
  }
  std::string_view id = TrimSpace(*text);
  if (!id.empty()) e.Set("host.id", id);
}

// Uptime and boot time come from procfs; without them the event still goes out, but the
// unreadable procfs is reported.
void SetUptime(CollectorContext& ctx, Event& e) {
  std::string uptime_path = ctx.ProcPath("uptime");
  auto uptime_text = ReadFileBounded(uptime_path, kMaxProcSmallFileBytes);
  std::optional<std::uint64_t> uptime;
  if (uptime_text.ok()) {
    uptime = ParseProcUptime(*uptime_text);
    if (!uptime) ctx.Count("host.unparsed");
  } else {
    ctx.Fail(kCollector, uptime_text.error().message, uptime_path);
  }
  if (uptime) e.Set("host.uptime", *uptime);

  std::string stat_path = ctx.ProcPath("stat");
  auto stat_text = ReadFileBounded(stat_path, kMaxProcStatBytes);
  if (!stat_text.ok()) {
    ctx.Fail(kCollector, stat_text.error().message, stat_path);
    return;
  }
  auto btime = ParseProcStatBootTime(*stat_text);
  // Zero ticks after boot is the boot itself; this also rejects an implausible btime.
  auto boot_ns = btime ? ProcessStartUnixNs(*btime, 0, 1) : std::nullopt;
  if (boot_ns) {
    e.Set("beffroi.host.boot_time", FormatTimestampNs(*boot_ns));
  } else {
    ctx.Count("host.unparsed");
  }
}

// host.ip: the addresses of the running system's interfaces (loopback left out), so that the
// analyzer can put network detections on this host. Like the kernel facts, they describe the
// running system even when `root` is a mounted image.
void SetAddresses(Event& e) {
  struct ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return;
  std::set<std::string> addresses;
  for (struct ifaddrs* it = list; it != nullptr && addresses.size() < kMaxHostAddresses;
       it = it->ifa_next) {
    if (it->ifa_addr == nullptr || (it->ifa_flags & IFF_LOOPBACK) != 0) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (it->ifa_addr->sa_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
      if (::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text) != nullptr)
        addresses.insert(text);
    } else if (it->ifa_addr->sa_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(it->ifa_addr);
      if (::inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text) != nullptr)
        addresses.insert(text);
    }
  }
  ::freeifaddrs(list);
  if (addresses.empty()) return;
  nlohmann::json ips = nlohmann::json::array();
  for (const auto& a : addresses)
    ips.push_back(a);
  e.SetJson("host.ip", std::move(ips));
}

}  // namespace

void CollectHost(CollectorContext& ctx) {
  Event e = Event::Make("state", "beffroi.host");
  struct utsname uts {};
  if (::uname(&uts) == 0) {
    // The kernel facts are those of the running system even when `root` is a mounted image.
    e.Set("host.hostname", uts.nodename).Set("host.name", uts.nodename);
    e.Set("host.os.kernel", uts.release).Set("host.architecture", uts.machine);
  }
  e.Set("host.os.type", "linux");
  SetOsRelease(ctx, e);
  SetMachineId(ctx, e);
  SetUptime(ctx, e);
  SetAddresses(e);
  ctx.Emit(std::move(e));
}

}  // namespace beffroi::host::facts
