#include "analyzer/yara/rule_cache.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "analyzer/yara/yara_api.h"
#include "common/fs.h"
#include "common/hash.h"

namespace beffroi::yara {

namespace {

constexpr std::string_view kTrailerMagic = "BFYARC01";
constexpr std::size_t kDigestHexSize = 64;
constexpr std::size_t kTrailerSize = 8 + kDigestHexSize;
// Compiled signature-base is a few tens of MiB; anything far larger is not ours.
constexpr std::size_t kMaxCacheFileBytes = 1024u * 1024 * 1024;

struct ReadStream {
  std::string_view data;
  std::size_t pos = 0;
};

// fread semantics: returns the number of whole items copied.
std::size_t ReadFromMemory(void* ptr, std::size_t size, std::size_t count,
                           void* user_data) noexcept {
  auto* in = static_cast<ReadStream*>(user_data);
  if (size == 0 || count == 0) return 0;
  std::size_t available = (in->data.size() - in->pos) / size;
  std::size_t items = count < available ? count : available;
  std::memcpy(ptr, in->data.data() + in->pos, items * size);
  in->pos += items * size;
  return items;
}

struct WriteStream {
  std::string* out = nullptr;
  bool failed = false;
};

std::size_t WriteToMemory(const void* ptr, std::size_t size, std::size_t count,
                          void* user_data) noexcept {
  auto* sink = static_cast<WriteStream*>(user_data);
  try {
    sink->out->append(static_cast<const char*>(ptr), size * count);
    return count;
  } catch (...) {
    sink->failed = true;
    return 0;
  }
}

}  // namespace

Result<YrRulesPtr> LoadCachedRules(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return MakeError(ErrorCode::kNotFound, "rule cache " + path + ": absent");
  }
  auto bytes = ReadFileBounded(path, kMaxCacheFileBytes);
  if (!bytes.ok()) return MakeError(ErrorCode::kCorrupt, "rule cache " + bytes.error().message);
  std::string_view all = *bytes;
  if (all.size() < kTrailerSize) {
    return MakeError(ErrorCode::kCorrupt, "rule cache " + path + ": too short");
  }
  std::string_view saved = all.substr(0, all.size() - kTrailerSize);
  std::string_view trailer = all.substr(saved.size());
  if (trailer.substr(0, kTrailerMagic.size()) != kTrailerMagic ||
      trailer.substr(kTrailerMagic.size()) != Sha256Hex(saved)) {
    return MakeError(ErrorCode::kCorrupt, "rule cache " + path + ": checksum mismatch");
  }
  ReadStream in{saved, 0};
  YR_STREAM stream{};
  stream.user_data = &in;
  stream.read = ReadFromMemory;
  YR_RULES* rules = nullptr;
  int rc = yr_rules_load_stream(&stream, &rules);
  if (rc != ERROR_SUCCESS) {
    return MakeError(ErrorCode::kCorrupt, "rule cache " + path + ": " + YaraErrorText(rc));
  }
  return YrRulesPtr(rules);
}

Status SaveCachedRules(YR_RULES* rules, const std::string& path) {
  std::string data;
  WriteStream sink{&data, false};
  YR_STREAM stream{};
  stream.user_data = &sink;
  stream.write = WriteToMemory;
  int rc = yr_rules_save_stream(rules, &stream);
  if (rc != ERROR_SUCCESS || sink.failed) {
    return MakeError(ErrorCode::kIo,
                     "rule cache " + path + ": yr_rules_save_stream: " +
                         YaraErrorText(rc != ERROR_SUCCESS ? rc : ERROR_WRITING_FILE));
  }
  std::string digest = Sha256Hex(data);
  data.append(kTrailerMagic);
  data.append(digest);
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return MakeError(ErrorCode::kIo, "rule cache " + parent.string() + ": " + ec.message());
  // WriteFileAtomic stages in PATH.tmp, which two loaders of the same rule set would share:
  // stage under a name of our own, then publish it with a second rename.
  static std::atomic<unsigned> counter{0};
  std::string staging = path + "." + std::to_string(::getpid()) + "." +
                        std::to_string(counter.fetch_add(1)) + ".part";
  Status written = WriteFileAtomic(staging, data, 0600);
  if (!written.ok()) return MakeError(ErrorCode::kIo, "rule cache " + written.error().message);
  if (::rename(staging.c_str(), path.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    ::unlink(staging.c_str());
    return MakeError(ErrorCode::kIo, "rule cache: rename " + staging + ": " + reason);
  }
  return OkStatus();
}

}  // namespace beffroi::yara
