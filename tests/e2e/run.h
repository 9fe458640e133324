// Runs a binary for an end-to-end test and captures its exit code, stdout and stderr.
#pragma once

#include <sys/types.h>

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
RunResult RunBinary(const std::vector<std::string>& argv,
                    std::optional<uid_t> as_uid = std::nullopt);

}  // namespace beffroi::e2e
