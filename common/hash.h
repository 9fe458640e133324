// Content hashing (MD5, SHA-1, SHA-256) through OpenSSL's EVP API.
//
// MultiHasher feeds one stream of bytes to every requested algorithm at once, so a file is
// read a single time whatever the number of digests. Each MultiHasher owns its EVP contexts;
// use one per thread. Digests are returned as lower-case hex.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace beffroi {

enum HashAlgorithm : unsigned {
  kMd5 = 1u << 0,
  kSha1 = 1u << 1,
  kSha256 = 1u << 2,
};

struct Digests {
  std::string md5;     // empty when not requested
  std::string sha1;    // empty when not requested
  std::string sha256;  // empty when not requested
};

struct EvpMdCtxDeleter {
  void operator()(evp_md_ctx_st* ctx) const;
};

class MultiHasher {
 public:
  // `algorithms` is a bit set of HashAlgorithm.
  explicit MultiHasher(unsigned algorithms = kSha256);

  void Update(std::span<const std::uint8_t> data);
  void Update(std::string_view data);
  // Returns the digests and resets the hasher for the next stream.
  Digests Finish();
  unsigned algorithms() const { return algorithms_; }

 private:
  void Reset();

  unsigned algorithms_;
  std::unique_ptr<evp_md_ctx_st, EvpMdCtxDeleter> md5_;
  std::unique_ptr<evp_md_ctx_st, EvpMdCtxDeleter> sha1_;
  std::unique_ptr<evp_md_ctx_st, EvpMdCtxDeleter> sha256_;
};

// One-shot SHA-256 of a byte string, lower-case hex.
std::string Sha256Hex(std::string_view data);

// Streams a whole file through the given algorithms (O_NOATIME where permitted, no symlink
// followed).
Result<Digests> HashFile(const std::string& path, unsigned algorithms = kSha256);
// Streams an open descriptor from its current offset to the end; `what` names it in errors.
Result<Digests> HashFd(int fd, const std::string& what, unsigned algorithms = kSha256);

// Lower-case hex of raw bytes.
std::string HexEncode(std::span<const std::uint8_t> bytes);

// True when `s` is exactly `length` lower- or upper-case hex digits.
bool IsHex(std::string_view s, std::size_t length);

}  // namespace beffroi
