// PcapSource and PcapDumper: the only code of Beffroi that includes <pcap.h>.
//
// PcapSource reads packets from a pcap or pcapng file (timestamps at nanosecond precision
// whatever the file stores) or from a live interface, and says where it is in a file so that
// an error names the byte offset. A bad record ends the file with a clear error; the packets
// before it were already handed out and stay accepted. PcapDumper writes packets to a pcap
// file (the raw capture kept as evidence during live capture). Neither is thread-safe, except
// BreakLoop(), which may be called from a signal handler.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/result.h"

struct pcap;
struct pcap_dumper;

namespace beffroi::net {

struct PcapDeleter {
  void operator()(pcap* p) const;
};
struct PcapDumperDeleter {
  void operator()(pcap_dumper* d) const;
};

struct RawPacket {
  std::int64_t ts_ns = 0;
  std::uint32_t caplen = 0;    // bytes captured (the size of `data`)
  std::uint32_t wire_len = 0;  // length on the wire
  std::span<const std::uint8_t> data;
};

struct LiveOptions {
  std::string interface;
  std::string filter;  // BPF, empty for none
  int snaplen = 262144;
  bool promiscuous = true;
  int buffer_bytes = 32 * 1024 * 1024;  // kernel ring: large, so bursts do not drop
  int timeout_ms = 200;                 // lets the loop check its deadline while idle
};

struct CaptureCounters {
  std::uint64_t received = 0;        // ps_recv
  std::uint64_t dropped_kernel = 0;  // ps_drop: no room in the buffer
  std::uint64_t dropped_iface = 0;   // ps_ifdrop: dropped by the interface or driver
};

// Names a DLT value ("EN10MB", "LINUX_SLL2", …), or "unknown".
std::string DatalinkName(int dlt);

class PcapSource {
 public:
  enum class Next { kPacket, kTimeout, kEnd, kError };

  static Result<std::unique_ptr<PcapSource>> OpenFile(const std::string& path);
  // Opens and activates `options.interface`; the filter is compiled and applied.
  static Result<std::unique_ptr<PcapSource>> OpenLive(const LiveOptions& options);

  // kPacket fills `out` (valid until the next call), kTimeout only when live, kEnd at the end of
  // a file or after BreakLoop(), kError with error() set.
  Next NextPacket(RawPacket& out);
  const std::string& error() const { return error_; }
  // Live captures only; files report zeros.
  Result<CaptureCounters> Counters();
  void BreakLoop();

  int datalink() const { return datalink_; }
  int snaplen() const;
  const std::string& name() const { return name_; }
  // Byte offset in the file of the next record (files only; -1 when unknown). Exact for classic
  // pcap; for pcapng, where libpcap has read up to (a system call: call it rarely).
  std::int64_t FileOffset() const;
  bool pcapng() const { return pcapng_; }
  pcap* handle() const { return handle_.get(); }

 private:
  PcapSource(std::unique_ptr<pcap, PcapDeleter> handle, std::string name, bool live);

  // Files: the stdio buffer of the stream libpcap reads; declared before handle_ so that it
  // outlives the stream (pcap_close closes it).
  std::unique_ptr<char[]> read_buffer_;
  std::unique_ptr<pcap, PcapDeleter> handle_;
  std::string name_;
  std::string error_;
  int datalink_ = -1;
  bool live_ = false;
  bool pcapng_ = false;
  int poll_fd_ = -1;  // live: the descriptor to wait on
  int timeout_ms_ = 200;
  std::uint64_t next_offset_ = 24;  // classic pcap: after the file header
  static constexpr std::size_t kReadBufferBytes = 1 << 20;
};

// Writes a classic pcap file (nanosecond magic) through an already-open descriptor, which it
// takes over. Used for the raw capture files of a live capture, rotated by the caller.
class PcapDumper {
 public:
  static Result<std::unique_ptr<PcapDumper>> Open(const PcapSource& source, int fd,
                                                  const std::string& name);
  void Write(const RawPacket& packet);
  // Flushes and closes; returns an error if any write failed.
  Status Close();
  std::uint64_t bytes_written() const { return bytes_; }

 private:
  PcapDumper(std::unique_ptr<pcap_dumper, PcapDumperDeleter> dumper, std::string name, bool nano)
      : dumper_(std::move(dumper)), name_(std::move(name)), nano_(nano) {}
  std::unique_ptr<pcap_dumper, PcapDumperDeleter> dumper_;
  std::string name_;
  bool nano_ = true;          // the file's magic says nanoseconds
  std::uint64_t bytes_ = 24;  // the file header
};

}  // namespace beffroi::net
