#include "analyzer/ioc/warninglist.h"

#include <arpa/inet.h>

#include "analyzer/ioc/line_reader.h"
#include "analyzer/ioc/list_loader.h"
#include "common/fs.h"
#include "common/text.h"

namespace beffroi::ioc {
namespace {

constexpr std::size_t kMaxWarninglistWarnings = 1000;

struct Address {
  int family = 4;
  std::array<std::uint8_t, 16> bytes{};
  unsigned prefix = 32;
};

std::optional<Address> ParseAddress(std::string_view text) {
  Address a;
  std::string ip(text);
  std::optional<unsigned> prefix;
  if (auto slash = ip.find('/'); slash != std::string::npos) {
    auto n = ParseInteger(ip.substr(slash + 1));
    if (!n || *n < 0 || *n > 128) return std::nullopt;
    prefix = static_cast<unsigned>(*n);
    ip.resize(slash);
  }
  if (inet_pton(AF_INET, ip.c_str(), a.bytes.data()) == 1) {
    a.family = 4;
    a.prefix = prefix.value_or(32);
    if (a.prefix > 32) return std::nullopt;
  } else if (inet_pton(AF_INET6, ip.c_str(), a.bytes.data()) == 1) {
    a.family = 6;
    a.prefix = prefix.value_or(128);
  } else {
    return std::nullopt;
  }
  return a;
}

// True when the first `bits` bits of the two addresses are equal.
bool SamePrefix(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                unsigned bits) {
  std::size_t full = bits / 8;
  for (std::size_t i = 0; i < full; ++i)
    if (a[i] != b[i]) return false;
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

std::string Key(std::string_view type, std::string_view value) {
  std::string k(type);
  k += '\0';
  k += value;
  return k;
}

}  // namespace

Status Warninglist::Load(const std::string& path) {
  auto text = ReadFileBounded(path, 64 * 1024 * 1024);
  if (!text) return text.error();
  LoadText(path, *text);
  return OkStatus();
}

void Warninglist::LoadText(std::string_view name, std::string_view text) {
  LineReader reader(text);
  Line line;
  std::uint32_t list = 0;
  lists_.push_back(std::string(name));  // entries before any "list" line
  list = static_cast<std::uint32_t>(lists_.size() - 1);
  auto warn = [&](std::uint64_t n, const std::string& message) {
    if (warnings_.size() < kMaxWarninglistWarnings) {
      warnings_.push_back(std::string(name) + ":" + std::to_string(n) + ": " + message);
    }
  };
  while (reader.Next(line)) {
    if (line.too_long) {
      warn(line.number, "line too long");
      continue;
    }
    std::string_view l = TrimSpace(line.text);
    if (l.empty() || l.front() == '#') continue;
    std::size_t space = l.find_first_of(" \t");
    std::string_view type = l.substr(0, space);
    std::string_view value =
        space == std::string_view::npos ? std::string_view() : TrimSpace(l.substr(space + 1));
    if (type == "list") {
      lists_.push_back(ToValidUtf8(value));
      list = static_cast<std::uint32_t>(lists_.size() - 1);
      continue;
    }
    if (value.empty()) {
      warn(line.number, "expected TYPE VALUE");
      continue;
    }
    if (type == "ip" || type == "cidr") {
      auto a = ParseAddress(value);
      if (!a) {
        warn(line.number, "not an address or CIDR block: " + Quote(value));
        continue;
      }
      blocks_.push_back(Block{a->family, a->bytes, a->prefix, list});
      continue;
    }
    auto canonical = CanonicalIndicator(type, value);
    if (!canonical) {
      warn(line.number, canonical.error().message);
      continue;
    }
    exact_.emplace(Key(type, *canonical), list);
  }
}

std::optional<std::uint32_t> Warninglist::Exact(const std::string& type,
                                                const std::string& value) const {
  auto it = exact_.find(Key(type, value));
  if (it == exact_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Warninglist::Covers(const FeedIndicator& i) const {
  auto named = [&](std::uint32_t list) {
    const std::string& n = lists_[list];
    return std::optional<std::string>(n.substr(0, n.find(':')));
  };
  if (i.type == "domain") {
    if (i.value.find('.') == std::string::npos) return std::string("top-level domain");
    for (std::size_t at = 0; at != std::string::npos;) {
      if (auto list = Exact("domain", i.value.substr(at))) return named(*list);
      at = i.value.find('.', at);
      if (at != std::string::npos) ++at;
    }
    return std::nullopt;
  }
  if (i.type == "ip" || i.type == "cidr") {
    auto a = ParseAddress(i.value);
    if (!a) return std::nullopt;
    if (i.type == "cidr" &&
        ((a->family == 4 && a->prefix < 8) || (a->family == 6 && a->prefix < 16)))
      return std::string("address block too broad");
    for (const Block& b : blocks_) {
      if (b.family != a->family) continue;
      if (SamePrefix(a->bytes, b.bytes, std::min(a->prefix, b.prefix))) return named(b.list);
    }
    return std::nullopt;
  }
  if (auto list = Exact(i.type, i.value)) return named(*list);
  return std::nullopt;
}

}  // namespace beffroi::ioc
