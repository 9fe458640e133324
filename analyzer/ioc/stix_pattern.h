// ParseStixPattern: the subset of the STIX 2.1 patterning language (STIX 2.1 part 9) that
// names single values we can match.
//
// Supported: observation expressions "[ ... ]" joined by OR, each holding comparisons joined
// by OR, with parentheses; comparisons `PATH = 'string'` and `PATH IN ('a', 'b')`, and
// `ISSUBSET 'cidr'` on addresses. Paths: file:hashes.MD5 / 'SHA-1' / 'SHA-256', file:name,
// ipv4-addr:value, ipv6-addr:value (an address or CIDR block), domain-name:value, url:value,
// network-traffic:dst_ref.value / src_ref.value, and the HTTP request's User-Agent header.
// Everything else is refused with a message saying what: AND (an indicator that needs
// several facts at once cannot be one of our lookups), NOT, FOLLOWEDBY, qualifiers (WITHIN,
// REPEATS, START/STOP), other operators and other properties. Input bounded by
// kMaxStixPatternLength and kMaxStixComparisons. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace beffroi::ioc {

inline constexpr std::size_t kMaxStixPatternLength = 64 * 1024;
inline constexpr std::size_t kMaxStixComparisons = 1000;
inline constexpr std::size_t kMaxStixNesting = 32;

struct StixComparison {
  std::string type;   // indicator type name (feed.h): sha256, filename, ip, cidr, domain, ...
  std::string value;  // as written in the pattern, unescaped (canonicalized by the caller)
};

// The values the pattern matches (any one of them), or an error "position N: message".
Result<std::vector<StixComparison>> ParseStixPattern(std::string_view pattern);

}  // namespace beffroi::ioc
