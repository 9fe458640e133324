#include "analyzer/ioc/network_matcher.h"

#include <arpa/inet.h>

#include <array>

#include "common/text.h"

namespace beffroi::ioc {
namespace {

// Parses an address into (family byte length, bytes); 0 when it is not one.
int ParseAddress(std::string_view text, std::array<std::uint8_t, 16>& bytes) {
  if (text.empty() || text.size() > 45) return 0;
  std::string copy(text);
  if (inet_pton(AF_INET, copy.c_str(), bytes.data()) == 1) return 4;
  if (inet_pton(AF_INET6, copy.c_str(), bytes.data()) == 1) return 16;
  return 0;
}

std::string Masked(const std::array<std::uint8_t, 16>& bytes, int length, unsigned prefix) {
  std::string out(reinterpret_cast<const char*>(bytes.data()), static_cast<std::size_t>(length));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const unsigned bit = static_cast<unsigned>(i) * 8;
    if (bit >= prefix) {
      out[i] = 0;
    } else if (prefix - bit < 8) {
      const auto mask = static_cast<unsigned char>(0xFFu << (8 - (prefix - bit)));
      out[i] = static_cast<char>(static_cast<unsigned char>(out[i]) & mask);
    }
  }
  return out;
}

std::string CanonicalOr(NetworkType type, std::string_view value) {
  auto c = CanonicalNetworkValue(type, value);
  return c.ok() ? *c : std::string();
}

}  // namespace

NetworkMatcher::NetworkMatcher(const std::vector<NetworkIndicator>& indicators) {
  for (const auto& ind : indicators) {
    ++count_;
    switch (ind.type) {
      case NetworkType::kIp:
        ips_.emplace(ind.value, &ind);
        break;
      case NetworkType::kDomain:
        domains_.emplace(ind.value, &ind);
        break;
      case NetworkType::kUrl:
        urls_.emplace(ind.value, &ind);
        break;
      case NetworkType::kJa3:
        ja3_.emplace(ind.value, &ind);
        break;
      case NetworkType::kJa4:
        ja4_.emplace(ind.value, &ind);
        break;
      case NetworkType::kUserAgent:
        user_agents_.emplace(ind.value, &ind);
        break;
      case NetworkType::kCidr: {
        const auto slash = ind.value.find('/');
        std::array<std::uint8_t, 16> bytes{};
        const int length = ParseAddress(std::string_view(ind.value).substr(0, slash), bytes);
        if (length == 0 || slash == std::string::npos) break;
        const auto prefix = static_cast<unsigned>(std::stoul(ind.value.substr(slash + 1)));
        cidrs_[{length, prefix}].emplace(Masked(bytes, length, prefix), &ind);
        break;
      }
    }
  }
}

void NetworkMatcher::Lookup(const Index& index, const std::string& key, const std::string& shown,
                            std::vector<NetworkHit>& out) {
  if (index.empty()) return;
  auto it = index.find(key);
  if (it != index.end()) out.push_back({it->second, shown});
}

void NetworkMatcher::MatchIp(std::string_view ip, std::vector<NetworkHit>& out) const {
  if (ips_.empty() && cidrs_.empty()) return;
  std::array<std::uint8_t, 16> bytes{};
  const int length = ParseAddress(ip, bytes);
  if (length == 0) return;
  const std::string canonical = CanonicalOr(NetworkType::kIp, ip);
  Lookup(ips_, canonical, canonical, out);
  for (const auto& [key, index] : cidrs_) {
    if (key.first != length) continue;
    Lookup(index, Masked(bytes, length, key.second), canonical, out);
  }
}

void NetworkMatcher::MatchDomain(std::string_view name, std::vector<NetworkHit>& out) const {
  if (domains_.empty() || name.empty()) return;
  std::string lower = ToLowerAscii(name);
  while (!lower.empty() && lower.back() == '.')
    lower.pop_back();
  // The name itself, then each parent: a.b.evil.example, b.evil.example, evil.example, example.
  std::string_view rest = lower;
  for (int depth = 0; depth < 128 && !rest.empty(); ++depth) {
    Lookup(domains_, std::string(rest), lower, out);
    const auto dot = rest.find('.');
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
}

void NetworkMatcher::MatchUrl(std::string_view url, std::vector<NetworkHit>& out) const {
  if (urls_.empty() || url.empty()) return;
  const std::string canonical = CanonicalOr(NetworkType::kUrl, url);
  if (canonical.empty()) return;
  Lookup(urls_, canonical, canonical, out);
  const auto q = canonical.find('?');
  if (q != std::string::npos) Lookup(urls_, canonical.substr(0, q), canonical, out);
}

void NetworkMatcher::MatchJa3(std::string_view ja3, std::vector<NetworkHit>& out) const {
  if (ja3.empty()) return;
  const std::string lower = ToLowerAscii(ja3);
  Lookup(ja3_, lower, lower, out);
}

void NetworkMatcher::MatchJa4(std::string_view ja4, std::vector<NetworkHit>& out) const {
  if (ja4.empty()) return;
  const std::string lower = ToLowerAscii(ja4);
  Lookup(ja4_, lower, lower, out);
}

void NetworkMatcher::MatchUserAgent(std::string_view ua, std::vector<NetworkHit>& out) const {
  if (ua.empty()) return;
  const std::string value(ua);
  Lookup(user_agents_, value, value, out);
}

}  // namespace beffroi::ioc
