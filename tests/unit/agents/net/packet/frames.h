// Hand-written fixture frames for the decoder tests, one per link type and protocol case.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tests/unit/agents/net/protocol/ip/test_util.h"

namespace beffroi::net::fixtures {

struct Frame {
  std::string name;
  std::uint32_t dlt;
  std::vector<std::uint8_t> bytes;
};

// IPv4 192.168.0.1:49152 > 192.168.0.2:80, TCP PSH|ACK with timestamps, payload "GET ".
std::string Ipv4Tcp();
// IPv6 2001:db8::1:54321 > 2001:db8::2:53, UDP with 12 bytes of DNS header.
std::string Ipv6Udp();

// Every well-formed fixture frame (all link types, ICMP, tunnels, extension headers, ...).
std::vector<Frame> WellFormedFrames();

// An IPv4 fragment 10.0.0.1 > 10.0.0.2 carrying `data` at `offset` bytes.
std::vector<std::uint8_t> Ipv4Fragment(std::uint16_t id, std::uint32_t offset, bool more,
                                       std::span<const std::uint8_t> data,
                                       std::uint8_t protocol = 17, std::uint8_t ttl = 64);
// An IPv6 fragment 2001:db8::1 > 2001:db8::2 with a hop-by-hop header before the fragment
// header; `next` is the fragment header's next header.
std::vector<std::uint8_t> Ipv6Fragment(std::uint32_t id, std::uint32_t offset, bool more,
                                       std::span<const std::uint8_t> data, std::uint8_t next);

}  // namespace beffroi::net::fixtures
