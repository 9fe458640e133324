// The benchmark capture: frame writer, session stepping and the main loop.
#include "bench_capture.h"

#include <algorithm>
#include <cstdio>

namespace beffroi::testdata::net {
namespace {

constexpr Mac kGatewayMac = {0x02, 0x42, 0x0a, 0x14, 0x00, 0x01};
constexpr std::size_t kConcurrentSessions = 384;
constexpr std::size_t kRandomPoolBytes = std::size_t{8} << 20;
constexpr std::uint32_t kMaxGapNs = 50'000;  // 25 us between steps on average: ~50 kpps
constexpr std::uint32_t kSwapPerMille = 20;  // segment pairs sent in reverse order
constexpr std::uint32_t kRetransmitPerMille = 12;

std::size_t MssFor(const Endpoints& e) {
  return e.client.v6 ? 1440 : 1460;
}

}  // namespace

const Addr& FrameWriter::Src(const Endpoints& e, bool from_client) const {
  return from_client ? e.client : e.server;
}
const Addr& FrameWriter::Dst(const Endpoints& e, bool from_client) const {
  return from_client ? e.server : e.client;
}

std::size_t FrameWriter::Begin(const Endpoints& e, bool from_client) {
  const std::size_t start = out_.size();
  PutZeros(out_, 16);  // pcap record header, filled by End()
  LinkHeader lh;
  lh.link = e.vlan != 0 ? Link::kVlan : Link::kEthernet;
  lh.vlan = e.vlan;
  lh.src_mac = from_client ? MacFor(e.client) : kGatewayMac;
  lh.dst_mac = from_client ? kGatewayMac : MacFor(e.client);
  AppendLinkHeader(out_, lh, e.client.v6);
  return start;
}

void FrameWriter::End(std::size_t record_start) {
  const std::size_t frame_start = record_start + 16;
  if (out_.size() - frame_start < 60) out_.resize(frame_start + 60, 0);
  const auto caplen = static_cast<std::uint32_t>(out_.size() - frame_start);
  const std::uint32_t fields[4] = {static_cast<std::uint32_t>(now_ns_ / 1000000000),
                                   static_cast<std::uint32_t>(now_ns_ % 1000000000 / 1000), caplen,
                                   caplen};
  for (std::size_t i = 0; i < 4; ++i) {  // little-endian, like the file header
    for (std::size_t j = 0; j < 4; ++j) {
      out_[record_start + 4 * i + j] = static_cast<std::uint8_t>(fields[i] >> (8 * j));
    }
  }
  ++packets_;
}

void FrameWriter::Tcp(const Endpoints& e, bool from_client, const TcpFields& tcp,
                      ByteSpan payload) {
  const std::size_t start = Begin(e, from_client);
  const Addr& src = Src(e, from_client);
  const Addr& dst = Dst(e, from_client);
  AppendIpHeader(out_, src, dst, kProtoTcp, TcpHeaderLength(tcp) + payload.size(), ip_id_++);
  AppendTcp(out_, src, dst, tcp, payload);
  End(start);
}

void FrameWriter::Udp(const Endpoints& e, bool from_client, ByteSpan payload) {
  const std::size_t start = Begin(e, from_client);
  const Addr& src = Src(e, from_client);
  const Addr& dst = Dst(e, from_client);
  AppendIpHeader(out_, src, dst, kProtoUdp, 8 + payload.size(), ip_id_++);
  AppendUdp(out_, src, dst, from_client ? e.client_port : e.server_port,
            from_client ? e.server_port : e.client_port, payload);
  End(start);
}

void FrameWriter::Icmp(const Endpoints& e, bool from_client, std::uint16_t seq, ByteSpan payload) {
  const std::size_t start = Begin(e, from_client);
  const Addr& src = Src(e, from_client);
  const Addr& dst = Dst(e, from_client);
  AppendIpHeader(out_, src, dst, src.v6 ? kProtoIcmpv6 : kProtoIcmp, 8 + payload.size(), ip_id_++);
  AppendIcmpEcho(out_, src, dst, !from_client, e.client_port, seq, payload);
  End(start);
}

BenchSession::BenchSession(Kind kind, const Endpoints& e, Rng& rng)
    : kind_(kind),
      ends_(e),
      seq_{static_cast<std::uint32_t>(rng.Next()), static_cast<std::uint32_t>(rng.Next())} {}

void BenchSession::EmitFlags(FrameWriter& w, bool from_client, std::uint8_t flags) {
  const int from = from_client ? 0 : 1;
  TcpFields f;
  f.sport = from_client ? ends_.client_port : ends_.server_port;
  f.dport = from_client ? ends_.server_port : ends_.client_port;
  f.seq = seq_[from];
  f.ack = (flags & kTcpAck) != 0 ? seq_[1 - from] : 0;
  f.flags = flags;
  f.mss = static_cast<std::uint16_t>(MssFor(ends_));
  f.window = (flags & kTcpSyn) != 0 ? 64240 : 2048;
  w.Tcp(ends_, from_client, f, {});
  if ((flags & (kTcpSyn | kTcpFin)) != 0) ++seq_[from];
}

// A data segment of the current message; its receiver's sequence is the current one.
void BenchSession::EmitSegment(FrameWriter& w, std::size_t offset, std::size_t len, bool last) {
  const Message& m = messages_[message_];
  const int from = m.from_client ? 0 : 1;
  TcpFields f;
  f.sport = m.from_client ? ends_.client_port : ends_.server_port;
  f.dport = m.from_client ? ends_.server_port : ends_.client_port;
  f.seq = seq_[from] + static_cast<std::uint32_t>(offset);
  f.ack = seq_[1 - from];
  f.flags = static_cast<std::uint8_t>(kTcpAck | (last ? kTcpPsh : 0));
  f.window = 2048;
  w.Tcp(ends_, m.from_client, f, ByteSpan(m.data).subspan(offset, len));
}

bool BenchSession::StepTcp(FrameWriter& w, Rng& rng) {
  switch (phase_++) {
    case 0:
      EmitFlags(w, true, kTcpSyn);
      return true;
    case 1:
      EmitFlags(w, false, kTcpSyn | kTcpAck);
      return true;
    case 2:
      EmitFlags(w, true, kTcpAck);
      return true;
    case 3:
      break;
    case 5:
      EmitFlags(w, false, kTcpFin | kTcpAck);
      return true;
    default:
      EmitFlags(w, true, kTcpAck);
      return false;
  }
  if (message_ >= messages_.size()) {
    EmitFlags(w, true, kTcpFin | kTcpAck);
    phase_ = 5;  // next: the server's FIN, then the last ACK
    return true;
  }
  phase_ = 3;
  StepTcpData(w, rng);
  return true;
}

// The next one to three data segments of the current message, and the receiver's ACK.
void BenchSession::StepTcpData(FrameWriter& w, Rng& rng) {
  const Message& m = messages_[message_];
  const std::size_t mss = MssFor(ends_);
  if (retransmit_offset_ != kNoRetransmit) {
    EmitSegment(w, retransmit_offset_, mss, false);
    retransmit_offset_ = kNoRetransmit;
  }
  const std::size_t left = m.data.size() - offset_;
  const std::uint32_t r = rng.Below(1000);
  if (r < kSwapPerMille && left > 2 * mss) {
    EmitSegment(w, offset_ + mss, mss, false);
    EmitSegment(w, offset_, mss, false);
    offset_ += 2 * mss;
    unacked_ += 2;
  } else if (r < kSwapPerMille + kRetransmitPerMille && left > 2 * mss) {
    // Sent again at this session's next step, a few ms later; the message is still current
    // then because at least one more segment remains.
    EmitSegment(w, offset_, mss, false);
    retransmit_offset_ = offset_;
    offset_ += mss;
    ++unacked_;
  } else {
    const std::size_t n = std::min(mss, left);
    EmitSegment(w, offset_, n, n == left);
    offset_ += n;
    ++unacked_;
  }
  const bool done = offset_ == m.data.size();
  const int from = m.from_client ? 0 : 1;
  if (done || unacked_ >= 2) {  // delayed ACK: every second segment (RFC 1122 §4.2.3.2)
    const std::uint32_t saved = seq_[from];
    seq_[from] += static_cast<std::uint32_t>(offset_);
    EmitFlags(w, !m.from_client, kTcpAck);
    seq_[from] = saved;
    unacked_ = 0;
  }
  if (done) {
    seq_[from] += static_cast<std::uint32_t>(m.data.size());
    ++message_;
    offset_ = 0;
  }
}

bool BenchSession::Step(FrameWriter& w, Rng& rng) {
  if (kind_ == Kind::kTcp) return StepTcp(w, rng);
  if (message_ >= messages_.size()) return false;
  const Message& m = messages_[message_];
  if (kind_ == Kind::kUdp) {
    w.Udp(ends_, m.from_client, m.data);
  } else {
    w.Icmp(ends_, m.from_client, static_cast<std::uint16_t>(1 + message_ / 2), m.data);
  }
  ++message_;
  return message_ < messages_.size();
}

bool WriteBenchCapture(const std::string& path, std::uint64_t size, std::uint64_t seed,
                       BenchStats* stats) {
  Rng rng(seed);
  Bytes pool;
  pool.reserve(kRandomPoolBytes);
  rng.Fill(pool, kRandomPoolBytes);

  OutputFile file;
  if (!file.Open(path)) return false;
  Bytes buffer;
  buffer.reserve(std::size_t{5} << 20);
  AppendPcapFileHeader(buffer, 1, TsResolution::kMicro, 65535);
  FrameWriter writer(buffer);
  std::vector<BenchSession> sessions;
  sessions.reserve(kConcurrentSessions);
  for (std::size_t i = 0; i < kConcurrentSessions; ++i)
    sessions.push_back(NewBenchSession(rng, pool));

  while (file.written() + buffer.size() < size) {
    BenchSession& s = sessions[rng.Below(static_cast<std::uint32_t>(sessions.size()))];
    if (!s.Step(writer, rng)) s = NewBenchSession(rng, pool);
    writer.AdvanceClock(1 + rng.Below(kMaxGapNs));
    if (!file.Take(buffer)) return false;
  }
  if (!file.Take(buffer, true) || !file.Close()) return false;
  stats->packets = writer.packets();
  stats->bytes = file.written();
  return true;
}

}  // namespace beffroi::testdata::net
