// ReadEvidenceFile: reads one file exactly once, safely, for every consumer at the same time.
//
// Opens without following links or blocking (see common/fs.h), checks that what was opened is
// the regular file the walker listed (same device and inode), streams it in chunks to the
// consumer, honours the throttle, and compares size, mtime and ctime before and after: a file
// that changed or shrank while being read is reported, because a hash of a moving target is
// not evidence. Never writes to the file. Thread-safe (each call owns its descriptor; the
// caller provides the buffer).
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "agents/host/throttle.h"
#include "agents/host/walker.h"

namespace beffroi::host {

struct ReadOutcome {
  bool ok = false;  // read whole and unchanged
  std::uint64_t bytes_read = 0;
  struct stat st {};  // fstat of the opened file (valid when opened)
  bool opened = false;
  std::string anomaly;  // stable anomaly name when !ok ("file.vanished", ...)
  std::string message;  // one line for the anomaly event
};

using ChunkConsumer = std::function<void(std::span<const std::uint8_t> chunk)>;

ReadOutcome ReadEvidenceFile(const WalkItem& item, std::vector<std::uint8_t>& buffer,
                             const ChunkConsumer& consume, Throttle* throttle);

// True when a file's allocated blocks cover less than half its size (and it is over 16 MiB):
// a sparse file, worth an anomaly because it may be a disk image or a trap for scanners.
bool LooksSparse(const struct stat& st);

}  // namespace beffroi::host
