// The benchmark capture of `beffroi-gen-pcaps bench OUTFILE --size N`: a deterministic,
// realistic municipal traffic mix (HTTP, TLS, SMB-like 445, DNS, NTP, syslog, ICMP; about 10%
// IPv6; some 802.1Q frames; a few % out-of-order and retransmitted segments) in a microsecond
// classic pcap on Ethernet.
//
// Internals: a pool of concurrent sessions, each a small state machine that emits one step
// (one to three packets) at a time, written straight into a large output buffer so that a GiB
// takes seconds. Not thread-safe (one generator per call).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/synth/bytes.h"
#include "common/synth/capture_file.h"
#include "common/synth/packet.h"
#include "common/synth/rng.h"

namespace beffroi::testdata::net {

// The packet, capture-file and message builders of common/synth.
using namespace beffroi::synth;

struct BenchStats {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;  // file size
};

// Writes at least `size` bytes to `path`. Returns false (after printing why) on I/O errors.
bool WriteBenchCapture(const std::string& path, std::uint64_t size, std::uint64_t seed,
                       BenchStats* stats);

// --- internals shared by bench_capture.cc and bench_sessions.cc ---

// The two ends of a conversation, client first, and the VLAN its frames carry (0: none).
struct Endpoints {
  Addr client;
  Addr server;
  std::uint16_t client_port = 0;
  std::uint16_t server_port = 0;
  std::uint16_t vlan = 0;
};

// Appends complete pcap records (record header, Ethernet, IP, L4) to a buffer.
class FrameWriter {
 public:
  explicit FrameWriter(Bytes& out) : out_(out) {}

  void Tcp(const Endpoints& e, bool from_client, const TcpFields& tcp, ByteSpan payload);
  void Udp(const Endpoints& e, bool from_client, ByteSpan payload);
  void Icmp(const Endpoints& e, bool from_client, std::uint16_t seq, ByteSpan payload);
  void AdvanceClock(std::uint64_t ns) { now_ns_ += ns; }
  std::uint64_t packets() const { return packets_; }
  std::uint64_t now_ns() const { return now_ns_; }

 private:
  // Writes the record header placeholder and link header; returns the record start.
  std::size_t Begin(const Endpoints& e, bool from_client);
  void End(std::size_t record_start);
  const Addr& Src(const Endpoints& e, bool from_client) const;
  const Addr& Dst(const Endpoints& e, bool from_client) const;

  Bytes& out_;
  std::uint64_t now_ns_ = kBaseTimeNs;
  std::uint64_t packets_ = 0;
  std::uint16_t ip_id_ = 1;
};

// One message of a TCP conversation, materialized when the session starts.
struct Message {
  bool from_client = true;
  Bytes data;
};

// A conversation: TCP (handshake, messages, FIN) or a list of datagrams (UDP, ICMP).
class BenchSession {
 public:
  enum class Kind { kTcp, kUdp, kIcmp };
  BenchSession(Kind kind, const Endpoints& e, Rng& rng);

  std::vector<Message>& messages() { return messages_; }
  // Emits the next one to four packets; returns false once the conversation is over.
  bool Step(FrameWriter& w, Rng& rng);

 private:
  bool StepTcp(FrameWriter& w, Rng& rng);
  void StepTcpData(FrameWriter& w, Rng& rng);
  void EmitSegment(FrameWriter& w, std::size_t offset, std::size_t len, bool last);
  void EmitFlags(FrameWriter& w, bool from_client, std::uint8_t flags);

  Kind kind_;
  Endpoints ends_;
  std::vector<Message> messages_;
  std::uint32_t seq_[2];
  int phase_ = 0;  // TCP: 0-2 handshake, 3 data, 5-6 close
  std::size_t message_ = 0;
  std::size_t offset_ = 0;
  int unacked_ = 0;
  static constexpr std::size_t kNoRetransmit = ~std::size_t{0};
  std::size_t retransmit_offset_ = kNoRetransmit;  // a segment to send again
};

// Fills a new session of a random kind (bench_sessions.cc).
BenchSession NewBenchSession(Rng& rng, const Bytes& pool);

}  // namespace beffroi::testdata::net
