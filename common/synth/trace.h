// A fixture under construction: frames on one link type with a deterministic clock, the
// expected indicator lines (DNS names, HTTP hosts/URIs/user agents, TLS SNIs) that the
// generator knows it put in, and TCP sessions with correct sequence and acknowledgement numbers.
//
// A Trace owns its frames; a TcpSession borrows its Trace and must not outlive it. Not
// thread-safe.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/synth/capture_file.h"
#include "common/synth/packet.h"
#include "common/synth/rng.h"

namespace beffroi::synth {

class Trace {
 public:
  explicit Trace(Link link, std::uint64_t seed = 1);

  Link link() const { return link_.link; }
  std::vector<Frame>& frames() { return frames_; }
  const std::set<std::string>& expected() const { return expected_; }

  // Expected indicator lines, written as "kind\tvalue" in expected/<fixture>.txt.
  void ExpectDns(std::string_view name) { Expect("dns", name); }
  void ExpectHost(std::string_view host) { Expect("host", host); }
  void ExpectUri(std::string_view uri) { Expect("uri", uri); }
  void ExpectUa(std::string_view ua) { Expect("ua", ua); }
  void ExpectSni(std::string_view sni) { Expect("sni", sni); }

  // Records a frame carrying a complete IP packet, a clock step after the previous one.
  // `from_client` picks the MACs (client <-> gateway) and the SLL packet type.
  void EmitIp(const Bytes& ip_packet, bool v6, bool from_client);
  // A complete UDP/IP packet.
  void Udp(const Addr& src, const Addr& dst, std::uint16_t sport, std::uint16_t dport,
           ByteSpan payload, bool from_client);
  void Icmp(const Addr& src, const Addr& dst, bool reply, std::uint16_t seq, bool from_client);
  // Moves the clock forward (e.g. between conversations).
  void Pause(std::uint64_t ns) { now_ns_ += ns; }
  std::uint16_t NextIpId() { return ip_id_++; }

  // Serialized classic pcap of the frames.
  Bytes ToPcap(TsResolution res) const;

 private:
  void Expect(std::string_view kind, std::string_view value);

  LinkHeader link_;
  std::vector<Frame> frames_;
  std::set<std::string> expected_;
  std::uint64_t now_ns_ = kBaseTimeNs;
  std::uint16_t ip_id_;
  Rng rng_;
};

// One segment, built but not yet emitted (so it can be sent out of order or twice).
struct Segment {
  bool from_client = true;
  TcpFields tcp;
  Bytes payload;
};

class TcpSession {
 public:
  TcpSession(Trace& trace, const Addr& client, std::uint16_t client_port, const Addr& server,
             std::uint16_t server_port, std::uint32_t client_isn, std::uint32_t server_isn);

  void Open();  // SYN, SYN-ACK, ACK
  // Sends `data` in segments of at most `max_segment` bytes (PSH on the last), then the peer
  // acknowledges everything.
  void Send(bool from_client, ByteSpan data, std::size_t max_segment = 1400);
  void Send(bool from_client, std::string_view text, std::size_t max_segment = 1400);
  // Builds the next data segment of one side and advances its sequence number.
  Segment Build(bool from_client, ByteSpan data, std::uint8_t extra_flags = kTcpPsh);
  void Emit(const Segment& segment);
  void Ack(bool from_client);  // a pure ACK of everything the other side sent
  void Close();                // FIN from the client, FIN-ACK from the server, last ACK

 private:
  Trace& trace_;
  Addr addr_[2];  // 0 client, 1 server
  std::uint16_t port_[2];
  std::uint32_t next_seq_[2];
};

}  // namespace beffroi::synth
