// Helpers that put network facts into events with their ECS names.
//
// Pure functions, no state; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agents/net/protocol/ip/address.h"
#include "common/event.h"

namespace beffroi::net {

// A new event of `dataset` stamped with the capture time of what it describes.
Event MakeNetEvent(std::string_view dataset, std::int64_t ts_ns);
// source.* / destination.* / network.transport / network.type from a client → server tuple.
void SetEndpoints(Event& e, const FiveTuple& tuple);
std::string_view TransportName(std::uint8_t ip_protocol);
std::string DnsTypeName(std::uint16_t type);
std::string_view DnsRcodeName(std::uint8_t rcode);
std::string TlsVersionName(std::uint16_t version);  // "1.2", "1.3", "ssl3", or hex
// Host header to ECS url.domain: the port and IPv6 brackets removed, case kept as sent.
std::string HostWithoutPort(std::string_view host);
// "FIN SYN ACK"-style list of the flags set.
std::string TcpFlagsText(std::uint8_t flags);

}  // namespace beffroi::net
