// Runs a binary for an end-to-end test and captures its exit code, stdout and stderr.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace beffroi::e2e {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `as_uid`: when set and we are root, the child drops to that uid/gid before exec.
// `in_child`: runs in the child before that (e.g. to enter a private mount namespace); a
// false return makes the child exit 125 without running anything.
RunResult RunBinary(const std::vector<std::string>& argv,
                    std::optional<uid_t> as_uid = std::nullopt,
                    const std::function<bool()>& in_child = nullptr);

// How the analyzer records `--as NAME` run by this process's OS user: "NAME (as USER)".
std::string As(const std::string& name);

}  // namespace beffroi::e2e
