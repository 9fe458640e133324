// Network indicators (IP, CIDR, domain, URL, JA3, JA4, user agent): validation and canonical
// form.
//
// beffroi_ioc loads network indicators but does not match them: it keeps them, validated and
// canonicalized, in IocSet::network() for the network matcher. Canonical forms: IP addresses
// as inet_ntop prints them; CIDR blocks with the host bits cleared ("10.0.0.0/8"); domains in
// lower case without a trailing dot; URLs with a lower-case scheme; JA3 and JA4 in lower case;
// user agents unchanged. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace beffroi::ioc {

enum class NetworkType { kIp, kCidr, kDomain, kUrl, kJa3, kJa4, kUserAgent };

// "ip", "cidr", "domain", "url", "ja3", "ja4", "user-agent" (the CSV type names).
std::string_view NetworkTypeName(NetworkType type);
// Accepts the names above in any case, plus "user_agent" and "useragent".
std::optional<NetworkType> NetworkTypeFromName(std::string_view name);

// The canonical form of `value` as an indicator of `type`, or an error whose message is one
// short sentence ("not an IPv4 or IPv6 address").
Result<std::string> CanonicalNetworkValue(NetworkType type, std::string_view value);

// Classifies a line of a Loki/THOR c2 list: an IP address, a CIDR block, a URL (with "://")
// or else a domain.
NetworkType ClassifyC2Value(std::string_view value);

}  // namespace beffroi::ioc
