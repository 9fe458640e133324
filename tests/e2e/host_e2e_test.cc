// beffroi-host end to end: collect a generated tree that holds every odd case the agent must
// survive, verify the bundle, tamper with it, and check that nothing scanned was modified.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/bundle.h"
#include "common/event.h"
#include "common/hash.h"
#include "run.h"

namespace beffroi {
namespace {

namespace fs = std::filesystem;
using e2e::RunBinary;

constexpr uid_t kNobody = 65534;

struct FileState {
  std::int64_t mtime_ns, ctime_ns, atime_ns;
  std::string sha256;
  bool operator==(const FileState&) const = default;
};

class HostE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("beffroi_host_e2e_" + std::to_string(::getpid()));
    Cleanup();
    fs::create_directories(base_ / "tree");
    fs::create_directories(base_ / "out");
    ::chmod(base_.c_str(), 0755);
    ::chmod((base_ / "tree").c_str(), 0755);
    if (::geteuid() == 0) ::chown((base_ / "out").c_str(), kNobody, kNobody);
    tree_ = (base_ / "tree").string();
    bundle_ = (base_ / "out" / "bundle").string();
    // Run a copy from a world-readable place: the build tree may sit under a 0700 home
    // directory that the unprivileged user cannot enter.
    bin_ = (base_ / "beffroi-host").string();
    fs::copy_file(BEFFROI_HOST_BIN, bin_);
    ::chmod(bin_.c_str(), 0755);
  }
  void TearDown() override { Cleanup(); }
  void Cleanup() {
    std::error_code ec;
    for (auto& e : fs::recursive_directory_iterator(base_, ec)) {
      if (!e.is_symlink(ec)) ::chmod(e.path().c_str(), 0755);
    }
    fs::remove_all(base_, ec);
  }
  std::string Write(const std::string& rel, const std::string& content, mode_t mode = 0644) {
    fs::path p = fs::path(tree_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    ::chmod(p.c_str(), mode);
    return p.string();
  }
  std::map<std::string, FileState> Snapshot(bool with_atime = false) {
    std::map<std::string, FileState> s;
    std::error_code ec;
    for (auto& e : fs::recursive_directory_iterator(
             tree_, fs::directory_options::skip_permission_denied, ec)) {
      struct stat st {};
      if (::lstat(e.path().c_str(), &st) != 0) continue;
      // Access times are compared only when the agent runs as the files' owner: that is
      // when the kernel honours O_NOATIME.
      FileState f{st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec,
                  st.st_ctim.tv_sec * 1'000'000'000LL + st.st_ctim.tv_nsec,
                  with_atime ? st.st_atim.tv_sec * 1'000'000'000LL + st.st_atim.tv_nsec : 0, ""};
      if (S_ISREG(st.st_mode) && st.st_size < (1 << 20)) {
        auto d = HashFile(e.path().string());
        f.sha256 = d.ok() ? d->sha256 : "unreadable";
      }
      s[e.path().string()] = f;
    }
    return s;
  }
  std::optional<uid_t> Collector() const {
    return ::geteuid() == 0 ? std::optional<uid_t>(kNobody) : std::nullopt;
  }
  std::vector<Event> Events() {
    std::vector<Event> out;
    auto r = NdjsonReader::Open(bundle_ + "/events.ndjson");
    EXPECT_TRUE(r.ok());
    for (;;) {
      auto ev = (*r)->Next();
      EXPECT_TRUE(ev.ok()) << (ev.ok() ? "" : ev.error().message);
      if (!ev.ok() || !ev->has_value()) break;
      out.push_back(**ev);
    }
    return out;
  }

  // In the child only: a private mount namespace with `what` bind-mounted on `where`, so the
  // mount disappears with the child whatever happens to the test.
  static bool BindInPrivateNamespace(const std::string& what, const std::string& where) {
    return ::unshare(CLONE_NEWNS) == 0 &&
           ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
           ::mount(what.c_str(), where.c_str(), nullptr, MS_BIND, nullptr) == 0;
  }

  fs::path base_;
  std::string tree_, bundle_, bin_;
};

TEST_F(HostE2E, CollectsATreeOfOddCasesVerifiesAndModifiesNothing) {
  Write("shares/population/registre.csv", "name;born\nA;1970\n");
  Write("shares/population/empty.txt", "");
  std::string script = Write("shares/it/cleanup.ps1", "vssadmin delete shadows /all /quiet\r\n");
  Write("shares/it/RyukReadMe.html", "<html>Your network has been penetrated</html>");
  Write("shares/locked.txt", "secret", 0000);
  Write("shares/lockeddir/inside.txt", "x");
  ::chmod((fs::path(tree_) / "shares/lockeddir").c_str(), 0000);
  std::string odd_name = tree_ + "/shares/\xff\xfe-legacy.txt";
  { std::ofstream(odd_name) << "latin-1 name"; }
  int fd = ::open((tree_ + "/shares/disk.img").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 10LL << 30), 0);  // a sparse 10 GB file
  ::close(fd);
  ASSERT_EQ(::mkfifo((tree_ + "/shares/pipe").c_str(), 0644), 0);
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock_path = tree_ + "/shares/agent.sock";
  ASSERT_LT(sock_path.size(), sizeof addr.sun_path);
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock_path.c_str());
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  fs::create_directory_symlink("..", tree_ + "/shares/it/loop");
  fs::create_symlink("/etc/shadow", tree_ + "/shares/it/shadow");
  // A real directory loop: the collector runs in a private mount namespace where shares/mnt
  // is a bind mount of shares/, where the sandbox allows it.
  fs::create_directories(tree_ + "/shares/mnt");
  std::string shares = tree_ + "/shares", mnt = tree_ + "/shares/mnt";
  auto bind = [&] { return BindInPrivateNamespace(shares, mnt); };
  bool can_mount = ::geteuid() == 0 && RunBinary({"/bin/true"}, std::nullopt, bind).exit_code == 0;
  std::function<bool()> setup = can_mount ? std::function<bool()>(bind) : nullptr;

  auto before = Snapshot();
  auto r = RunBinary(
      {bin_, "collect", tree_, "--out", bundle_, "--json", "--threads", "2", "--no-host-facts",
       "--cross-mounts", "--hashes", "sha256,md5", "--case", "LGE-2021-06", "--examiner",
       "cert-duty", "--sample-recent", "off", "--symlink-targets"},
      Collector(), setup);
  ::close(sock);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");  // not a terminal: no progress noise
  nlohmann::json summary = nlohmann::json::parse(r.out);
  EXPECT_EQ(summary["skipped"]["not_regular"], 2);  // the FIFO and the socket
  EXPECT_EQ(summary["skipped"]["too_large"], 1);    // the sparse disk image
  EXPECT_EQ(summary["symlinks"], 2);
  EXPECT_EQ(summary["anomalies"]["file.sparse"], 1);
  EXPECT_EQ(summary["anomalies"]["file.name_not_utf8"], 1);
  if (::geteuid() != 0 || Collector()) {
    EXPECT_EQ(summary["anomalies"]["file.permission_denied"], 1);
    EXPECT_EQ(summary["anomalies"]["dir.permission_denied"], 1);
  }
  if (can_mount) {
    EXPECT_GE(summary["anomalies"]["dir.loop"], 1);
  }
  EXPECT_EQ(summary["samples"]["stored"], 2);  // the script and the ransom note

  std::map<std::string, Event> files;
  std::set<std::string> anomalies;
  for (const Event& e : Events()) {
    if (e.dataset() == "beffroi.file") files[e.GetString("file.path")] = e;
    if (e.dataset() == "beffroi.anomaly") anomalies.insert(e.GetString("beffroi.anomaly.name"));
  }
  auto& s = files[script];
  EXPECT_EQ(s.GetString("file.hash.sha256"), Sha256Hex("vssadmin delete shadows /all /quiet\r\n"));
  EXPECT_EQ(s.GetString("file.hash.md5").size(), 32u);
  EXPECT_EQ(s.GetString("beffroi.sample.reason"), "script");
  EXPECT_EQ(s.GetString("file.mode"), "0644");
  EXPECT_EQ(files[tree_ + "/shares/population/empty.txt"].GetString("file.hash.sha256"),
            Sha256Hex(""));
  EXPECT_EQ(files[tree_ + "/shares/it/shadow"].GetString("file.target_path"), "/etc/shadow");
  bool odd_found = false;
  for (auto& [path, e] : files) {
    if (e.GetString("beffroi.file.path_hex") ==
        HexEncode({reinterpret_cast<const std::uint8_t*>(odd_name.data()), odd_name.size()})) {
      odd_found = e.GetString("file.hash.sha256") == Sha256Hex("latin-1 name");
    }
  }
  EXPECT_TRUE(odd_found);
  EXPECT_TRUE(anomalies.count("file.sparse"));

  auto manifest = ReadManifest(bundle_);
  ASSERT_TRUE(manifest.ok());
  EXPECT_EQ(manifest->info.case_id, "LGE-2021-06");
  EXPECT_EQ(manifest->info.examiner, "cert-duty");
  EXPECT_EQ(manifest->info.agent_name, "beffroi-host");
  EXPECT_FALSE(manifest->info.started.empty());
  EXPECT_EQ(manifest->info.command_line.at(1), "collect");

  auto v = RunBinary({bin_, "verify", bundle_});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("intact"), std::string::npos);

  EXPECT_EQ(before, Snapshot()) << "the scanned tree was modified";
}

TEST_F(HostE2E, VerifyNamesEveryTamperedFile) {
  Write("a/tool.exe", "MZ fake executable");
  Write("a/note.txt", "plain");
  auto r = RunBinary({bin_, "collect", tree_, "--out", bundle_, "--no-host-facts", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string sample = bundle_ + "/samples/" + Sha256Hex("MZ fake executable");
  ASSERT_TRUE(fs::exists(sample));
  // One byte changed, one file removed, one added.
  {
    std::fstream f(bundle_ + "/events.ndjson", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.put('#');
  }
  fs::remove(sample);
  { std::ofstream(bundle_ + "/samples/extra") << "planted"; }
  auto v = RunBinary({bin_, "verify", bundle_});
  EXPECT_EQ(v.exit_code, 4);
  EXPECT_NE(v.out.find("ALTERED  events.ndjson"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("MISSING  samples/" + Sha256Hex("MZ fake executable")), std::string::npos);
  EXPECT_NE(v.out.find("ADDED    samples/extra"), std::string::npos);
  EXPECT_NE(v.out.find("VERIFICATION FAILED"), std::string::npos);
  auto j = RunBinary({bin_, "verify", bundle_, "--json"});
  EXPECT_EQ(j.exit_code, 4);
  auto report = nlohmann::json::parse(j.out);
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["added"].size(), 1u);
}

TEST_F(HostE2E, HostFactsAreCollectedFromThisMachine) {
  Write("x.txt", "x");
  auto r = RunBinary({bin_, "collect", tree_, "--out", bundle_, "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> datasets;
  for (const Event& e : Events())
    datasets.insert(e.dataset());
  EXPECT_TRUE(datasets.count("beffroi.host"));
  EXPECT_TRUE(datasets.count("beffroi.user"));
  EXPECT_TRUE(datasets.count("beffroi.process"));
  EXPECT_TRUE(datasets.count("beffroi.file"));
}

TEST_F(HostE2E, UsageErrorsExitTwoWithOneLine) {
  auto no_out = RunBinary({bin_, "collect", tree_});
  EXPECT_EQ(no_out.exit_code, 2);
  EXPECT_NE(no_out.err.find("--out BUNDLE is required"), std::string::npos);
  auto inside = RunBinary({bin_, "collect", tree_, "--out", tree_ + "/ev"});
  EXPECT_EQ(inside.exit_code, 2);
  EXPECT_NE(inside.err.find("inside the scanned path"), std::string::npos);
  EXPECT_EQ(RunBinary({bin_, "collect", tree_, "--out", bundle_, "--bogus"}).exit_code, 2);
  EXPECT_EQ(RunBinary({bin_, "collect", tree_, "--out", bundle_, "--since", "soon"}).exit_code, 2);
  EXPECT_EQ(RunBinary({bin_, "frobnicate"}).exit_code, 2);
  EXPECT_EQ(RunBinary({bin_, "collect", "--help"}).exit_code, 0);
  EXPECT_EQ(RunBinary({bin_, "verify", "--help"}).exit_code, 0);
  EXPECT_EQ(RunBinary({bin_, "--help"}).exit_code, 0);
  auto not_bundle = RunBinary({bin_, "verify", tree_});
  EXPECT_EQ(not_bundle.exit_code, 1);
  EXPECT_NE(not_bundle.err.find("manifest.json: missing"), std::string::npos);
  // An existing, non-empty output is never overwritten.
  Write("y.txt", "y");
  fs::create_directories(base_ / "out" / "used");
  { std::ofstream(base_ / "out" / "used" / "keep") << "k"; }
  auto used = RunBinary({bin_, "collect", tree_, "--out", (base_ / "out" / "used").string()});
  EXPECT_EQ(used.exit_code, 1);
  EXPECT_NE(used.err.find("never overwritten"), std::string::npos);
}

}  // namespace
}  // namespace beffroi
