// The "sockets" collector: one beffroi.socket state event per listening TCP socket and per
// unconnected bound UDP socket in /proc/net/{tcp,tcp6,udp,udp6}, attributed to the process
// holding it when one of /proc/PID/fd/* links to "socket:[INODE]".
#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agents/host/facts/collector.h"
#include "agents/host/facts/limits.h"
#include "agents/host/facts/parsers.h"
#include "common/fs.h"

namespace beffroi::host::facts {

namespace {

constexpr std::string_view kCollector = "sockets";

struct SocketTable {
  std::string_view file;       // under the procfs mount
  std::string_view transport;  // network.transport
  bool required;               // IPv6 may be disabled, UDP tables compiled out; TCP never
};

constexpr std::array<SocketTable, 4> kTables = {{
    {"net/tcp", "tcp", true},
    {"net/tcp6", "tcp", false},
    {"net/udp", "udp", false},
    {"net/udp6", "udp", false},
}};

struct BoundSocket {
  ProcNetSocket socket;
  std::string_view transport;
};

struct Owner {
  std::uint64_t pid = 0;
  std::string name;
};

// Listening TCP sockets, and UDP sockets with no peer (UDP reports TCP_CLOSE when unconnected):
// the ways a host accepts traffic, where a backdoor shows itself.
bool IsAccepting(const ProcNetSocket& s, std::string_view transport) {
  if (transport == "tcp") return s.state == kTcpStateListen;
  return s.state == kTcpStateClose && s.remote_port == 0;
}

std::vector<BoundSocket> ReadTables(CollectorContext& ctx) {
  std::vector<BoundSocket> out;
  for (const SocketTable& table : kTables) {
    std::string path = ctx.ProcPath(table.file);
    auto text = ReadFileBounded(path, kMaxProcNetBytes);
    if (!text.ok()) {
      if (table.required || text.error().code != ErrorCode::kNotFound) {
        ctx.Fail(kCollector, text.error().message, path);
      }
      continue;
    }
    ProcNetTable parsed = ParseProcNet(*text);
    ctx.Count("sockets.unparsed", parsed.unparsed);
    for (ProcNetSocket& s : parsed.sockets) {
      if (IsAccepting(s, table.transport)) {
        out.push_back(BoundSocket{std::move(s), table.transport});
      }
    }
  }
  return out;
}

std::string ReadComm(const CollectorContext& ctx, std::uint64_t pid) {
  auto text = ReadFileBounded(ctx.ProcPath(std::to_string(pid) + "/comm"), kMaxProcSmallFileBytes);
  if (!text.ok()) return {};
  std::string name = std::move(*text);
  if (!name.empty() && name.back() == '\n') name.pop_back();
  return name;
}

// One pass over every process's descriptors, keeping only the inodes we are asked about; the
// lowest pid wins when a socket is shared (usually the parent that created it).
std::map<std::uint64_t, Owner> MapOwners(const CollectorContext& ctx,
                                         const std::set<std::uint64_t>& wanted) {
  std::map<std::uint64_t, Owner> owners;
  auto pids = ListPids(ctx);
  if (!pids.ok()) return owners;  // the processes collector reports an unreadable procfs
  for (std::uint64_t pid : *pids) {
    if (owners.size() == wanted.size()) break;
    std::string fd_dir = ctx.ProcPath(std::to_string(pid) + "/fd");
    auto fds = ListDirectory(fd_dir, kMaxFdsPerProcess);
    if (!fds.ok()) continue;  // exited, or not ours to read
    for (const std::string& fd : *fds) {
      auto link = ReadLink(JoinPath(fd_dir, fd));
      if (!link.ok()) continue;
      auto inode = ParseSocketLink(*link);
      if (!inode || !wanted.contains(*inode) || owners.contains(*inode)) continue;
      owners.emplace(*inode, Owner{pid, ReadComm(ctx, pid)});
    }
  }
  return owners;
}

}  // namespace

void CollectSockets(CollectorContext& ctx) {
  std::vector<BoundSocket> sockets = ReadTables(ctx);
  std::set<std::uint64_t> wanted;
  for (const BoundSocket& b : sockets) {
    if (b.socket.inode != 0) wanted.insert(b.socket.inode);
  }
  std::map<std::uint64_t, Owner> owners =
      wanted.empty() ? std::map<std::uint64_t, Owner>() : MapOwners(ctx, wanted);
  for (const BoundSocket& b : sockets) {
    const ProcNetSocket& s = b.socket;
    Event e = Event::Make("state", "beffroi.socket");
    e.Set("source.ip", s.local_ip).Set("source.port", static_cast<std::uint64_t>(s.local_port));
    e.Set("network.transport", b.transport).Set("network.type", s.ipv6 ? "ipv6" : "ipv4");
    e.Set("user.id", std::to_string(s.uid)).Set("beffroi.socket.inode", s.inode);
    e.Set("beffroi.socket.state", b.transport == "tcp" ? "listen" : "unconnected");
    if (auto it = owners.find(s.inode); it != owners.end()) {
      e.Set("process.pid", it->second.pid);
      if (!it->second.name.empty()) e.Set("process.name", it->second.name);
    }
    ctx.Emit(std::move(e));
  }
}

}  // namespace beffroi::host::facts
