#include "run.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace beffroi::e2e {

namespace {
std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

RunResult RunBinary(const std::vector<std::string>& argv, std::optional<uid_t> as_uid,
                    const std::function<bool()>& in_child) {
  std::string base = "/tmp/beffroi_e2e_run_" + std::to_string(::getpid());
  std::string out_path = base + ".out", err_path = base + ".err";
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (in_child && !in_child()) _exit(125);
    if (as_uid && ::geteuid() == 0) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(*as_uid) != 0 || ::setuid(*as_uid) != 0)
        _exit(126);
    }
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());  // PATH lookup for peer tools (tshark, yara)
    _exit(127);
  }
  RunResult r;
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = Slurp(out_path);
  r.err = Slurp(err_path);
  ::unlink(out_path.c_str());
  ::unlink(err_path.c_str());
  return r;
}

std::string As(const std::string& name) {
  struct passwd* pw = ::getpwuid(::getuid());
  std::string user = pw != nullptr ? pw->pw_name : "uid:" + std::to_string(::getuid());
  return name + " (as " + user + ")";
}

}  // namespace beffroi::e2e
