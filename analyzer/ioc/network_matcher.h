// NetworkMatcher: looks up observed network values (addresses, names, URLs, TLS fingerprints,
// user agents) in the network indicators of an IocSet.
//
// Addresses match exact IP indicators and any CIDR block that contains them (one hash lookup
// per distinct prefix length, so a feed of a million blocks costs a few dozen lookups per
// address). A listed domain matches itself and every name under it ("evil.example" matches
// "cdn.evil.example"). URLs match after the same canonicalisation as the indicators, with or
// without their query string. JA3/JA4 in lower case; user agents exactly. The matcher borrows
// the indicators: the IocSet must outlive it. Built once; const lookups are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analyzer/ioc/ioc_set.h"

namespace beffroi::ioc {

struct NetworkHit {
  const NetworkIndicator* indicator = nullptr;
  std::string value;  // the observed value that matched (canonical form)
};

class NetworkMatcher {
 public:
  explicit NetworkMatcher(const std::vector<NetworkIndicator>& indicators);

  bool empty() const { return count_ == 0; }
  // Appends the indicators `value` (of the given kind) hits. Values that do not parse as
  // their kind match nothing.
  void MatchIp(std::string_view ip, std::vector<NetworkHit>& out) const;
  void MatchDomain(std::string_view name, std::vector<NetworkHit>& out) const;
  void MatchUrl(std::string_view url, std::vector<NetworkHit>& out) const;
  void MatchJa3(std::string_view ja3, std::vector<NetworkHit>& out) const;
  void MatchJa4(std::string_view ja4, std::vector<NetworkHit>& out) const;
  void MatchUserAgent(std::string_view user_agent, std::vector<NetworkHit>& out) const;

 private:
  using Index = std::unordered_map<std::string, const NetworkIndicator*>;
  static void Lookup(const Index& index, const std::string& key, const std::string& shown,
                     std::vector<NetworkHit>& out);

  std::size_t count_ = 0;
  Index ips_, domains_, urls_, ja3_, ja4_, user_agents_;
  // CIDR blocks: per family (4 or 16 bytes) and prefix length, the masked network bytes.
  std::map<std::pair<int, unsigned>, Index> cidrs_;
};

}  // namespace beffroi::ioc
