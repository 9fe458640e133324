// FileEvent: the ECS "beffroi.file" event for a path and its stat, shared by `beffroi-host
// collect` and `beffroi scan` so both describe a file identically.
//
// Owner and group names come from a process-wide cache (getpwuid_r/getgrgid_r are slow on
// NSS-backed systems). A name that is not valid UTF-8 keeps a lossless hex copy in
// beffroi.file.path_hex. Thread-safe.
#pragma once

#include <sys/stat.h>

#include <string>
#include <string_view>

#include "common/event.h"

namespace beffroi::host {

Event FileEvent(const std::string& path, const struct stat& st);
// The event for a symlink: file.type "symlink", never followed. With `read_target`, also
// file.target_path; reading a link's target updates the link's own access time on Linux, so
// that is the caller's informed choice (beffroi-host --symlink-targets).
Event SymlinkEvent(const std::string& path, const struct stat& st, bool read_target);

std::string OwnerName(uid_t uid);
std::string GroupName(gid_t gid);
// "application/pdf" for "pdf", "" when there is no registered type.
std::string_view MimeTypeFor(std::string_view magic);

}  // namespace beffroi::host
