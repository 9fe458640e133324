// Externals: the per-file external variables a rule may test, as Loki and THOR pass them.
//
// Every RuleSet declares all six as string externals with empty defaults at compile time, so
// public rule sets written for Loki/THOR (signature-base's external-variable rules) compile;
// a Scanner sets them before each scan. Meanings:
//   filename   base name, "RyukReadMe.html"
//   filepath   the directory, without the file name and without a trailing separator
//              ("/srv/shares/etat-civil"; "/" for a file at the root), as THOR and Loki v1 do
//   extension  lower case with its leading dot, ".ryk"; "" when the name has none (".bashrc"
//              has none, like Python's os.path.splitext)
//   filetype   the name common/file_type.h's DetectFileType gives ("pe", "elf", "zip",
//              "text", "data", ...), exactly as it appears in Beffroi's evidence (file.type).
//              THOR and Loki use their own upper-case names ("EXE", "ZIP"): a rule ported from
//              them compares with our names instead (`filetype == "pe"`).
//   md5        lower-case hex MD5 of the content ("legacy rule support" in Loki), or ""
//   owner      the owning account ("root", "NT AUTHORITY\SYSTEM"), or ""
// Value type; ExternalsForPath is a pure function.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace beffroi::yara {

struct Externals {
  std::string filename;
  std::string filepath;
  std::string extension;
  std::string filetype;
  std::string md5;
  std::string owner;
};

// The names declared in every compiled rule set, in declaration order.
inline constexpr std::array<std::string_view, 6> kExternalNames = {
    "filename", "filepath", "extension", "filetype", "md5", "owner"};

// The value of external `name` (one of kExternalNames) in `externals`.
const std::string& ExternalValue(const Externals& externals, std::string_view name);

// filename, filepath and extension from a '/'-separated path, and filetype from the first
// bytes of the content (DetectFileType; pass at least kFileTypeProbeBytes when available).
// md5 and owner are left empty for the caller, who has the digests and the stat data.
Externals ExternalsForPath(std::string_view path, std::span<const std::uint8_t> head);

}  // namespace beffroi::yara
