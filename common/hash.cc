#include "common/hash.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/fs.h"

namespace beffroi {

void EvpMdCtxDeleter::operator()(evp_md_ctx_st* ctx) const {
  EVP_MD_CTX_free(ctx);
}

namespace {

std::unique_ptr<evp_md_ctx_st, EvpMdCtxDeleter> NewCtx(const EVP_MD* md) {
  std::unique_ptr<evp_md_ctx_st, EvpMdCtxDeleter> ctx(EVP_MD_CTX_new());
  // Allocation failure of a few hundred bytes is not recoverable here; EVP calls below
  // tolerate a null context by failing, and Finish() then yields an empty digest.
  if (ctx) EVP_DigestInit_ex(ctx.get(), md, nullptr);
  return ctx;
}

std::string FinishCtx(evp_md_ctx_st* ctx, const EVP_MD* md) {
  if (ctx == nullptr) return {};
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, out, &len) != 1) return {};
  std::string hex = HexEncode(std::span<const std::uint8_t>(out, len));
  EVP_DigestInit_ex(ctx, md, nullptr);
  return hex;
}

}  // namespace

MultiHasher::MultiHasher(unsigned algorithms) : algorithms_(algorithms) {
  if (algorithms_ & kMd5) md5_ = NewCtx(EVP_md5());
  if (algorithms_ & kSha1) sha1_ = NewCtx(EVP_sha1());
  if (algorithms_ & kSha256) sha256_ = NewCtx(EVP_sha256());
}

void MultiHasher::Update(std::span<const std::uint8_t> data) {
  if (data.empty()) return;
  if (md5_) EVP_DigestUpdate(md5_.get(), data.data(), data.size());
  if (sha1_) EVP_DigestUpdate(sha1_.get(), data.data(), data.size());
  if (sha256_) EVP_DigestUpdate(sha256_.get(), data.data(), data.size());
}

void MultiHasher::Update(std::string_view data) {
  Update(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data.data()),
                                       data.size()));
}

Digests MultiHasher::Finish() {
  Digests d;
  if (md5_) d.md5 = FinishCtx(md5_.get(), EVP_md5());
  if (sha1_) d.sha1 = FinishCtx(sha1_.get(), EVP_sha1());
  if (sha256_) d.sha256 = FinishCtx(sha256_.get(), EVP_sha256());
  return d;
}

std::string Sha256Hex(std::string_view data) {
  MultiHasher h(kSha256);
  h.Update(data);
  return h.Finish().sha256;
}

Result<Digests> HashFile(const std::string& path, unsigned algorithms) {
  auto fd = OpenForEvidenceRead(path);
  if (!fd.ok()) return fd.error();
  return HashFd(fd->get(), path, algorithms);
}

Result<Digests> HashFd(int fd, const std::string& what, unsigned algorithms) {
  MultiHasher hasher(algorithms);
  std::vector<std::uint8_t> buf(kReadChunkSize);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        return MakeError(ErrorCode::kIo, "read " + what + ": not a regular file (would block)");
      }
      return MakeError(ErrorCode::kIo, "read " + what + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    hasher.Update(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
  }
  return hasher.Finish();
}

std::string HexEncode(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return out;
}

bool IsHex(std::string_view s, std::size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!digit) return false;
  }
  return true;
}

}  // namespace beffroi
