// File type from magic bytes, and the Shannon entropy of a block.
//
// DetectFileType looks only at the first bytes of a file (it never needs more than
// kFileTypeProbeBytes) and returns a short stable name used in evidence ("pe", "elf", "pdf",
// "zip", "ole2", "script", "text", "empty", "data", ...) and as YARA's `filetype` external.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace beffroi {

inline constexpr std::size_t kFileTypeProbeBytes = 4096;

std::string_view DetectFileType(std::span<const std::uint8_t> head);

// Shannon entropy in bits per byte (0..8) of `data`; 0 for an empty block.
double ShannonEntropy(std::span<const std::uint8_t> data);

}  // namespace beffroi
