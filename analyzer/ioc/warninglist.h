// Warninglist: values a feed must not bring in, because matching them would flag everyone
// (public resolvers, private and special address ranges, the hash of an empty file, the big
// CDN, cloud and OS-update domains). MISP ships the same idea as "warninglists".
//
// Format (rules/warninglists/README.md): "# comment" lines, "list NAME: what it is" starting
// a named list, and entries "TYPE VALUE" with TYPE one of md5, sha1, sha256, ip, cidr, domain,
// url. A domain covers its subdomains; a CIDR block covers the addresses in it and every
// block it overlaps. Bad lines are warnings "FILE:LINE: message". Covers() names the list
// that drops an indicator. Immutable after loading; Covers() is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyzer/ioc/feed.h"
#include "common/result.h"

namespace beffroi::ioc {

class Warninglist {
 public:
  Status Load(const std::string& path);
  void LoadText(std::string_view name, std::string_view text);

  // The name of the list that covers `indicator` (type and canonical value), if any. A domain
  // without a dot (a top-level domain) is always covered: it would match a whole TLD.
  std::optional<std::string> Covers(const FeedIndicator& indicator) const;

  std::size_t size() const { return exact_.size() + blocks_.size(); }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  struct Block {
    int family = 4;
    std::array<std::uint8_t, 16> bytes{};
    unsigned prefix = 0;
    std::uint32_t list = 0;
  };
  std::optional<std::uint32_t> Exact(const std::string& type, const std::string& value) const;

  std::vector<std::string> lists_;
  std::unordered_map<std::string, std::uint32_t> exact_;  // "type\0value" -> list
  std::vector<Block> blocks_;
  std::vector<std::string> warnings_;
};

}  // namespace beffroi::ioc
