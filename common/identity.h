// Who and where: the local host name, the machine id, and the name of an account.
//
// Every agent stamps its evidence with these. Plain functions; thread-safe.
#pragma once

#include <string>

namespace beffroi {

// gethostname(), made valid UTF-8; "unknown" when it fails.
std::string LocalHostName();
// /etc/machine-id under `root` ("" for /), or "" when absent or not 32 hex digits.
std::string LocalMachineId(const std::string& root = "");
// The account name of `uid`, or the number as text when it has none.
std::string AccountName(unsigned uid);

}  // namespace beffroi
